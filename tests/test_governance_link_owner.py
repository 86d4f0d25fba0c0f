"""The owner of a persona-journey link hears when the persona changes: "check its layer on the
journey is still true", once per burst, in their one sweep DM, with a working "Still true"; a
handed-over link takes its open review along; an overdue one is escalated with its own answers.

Played through the local Slack: the link and its handover by the persona card's "Link to a
journey", the edit by an admin's persona form, the answers by clicks on the DM and the Home tab.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from bot.governance import ids
from bot.journeys import ids as journey_ids
from bot.personas import ids as persona_ids
from storage.journey_models import JourneyLayer
from storage.models import Persona
from tests.governance_kit import dms, posts_in, review_block, review_rows, text_of
from tests.harness import Bot, FakeClock, eventually
from tests.journey_kit import Journeys
from tests.persona_helpers import form_values, make_persona, view_of
from tests.slack_fake import FakeSlack, payloads

PERSONA_OWNER, ADMIN, LINKER, KEEPER, HEIR, STRANGER = "U0PERSONA", "U0ADMIN", "U0LINKER", "U0KEEPER", "U0HEIR", \
    "U0STRANGER"
GOV = "C0GOV"
MONDAY_NOON = datetime(2026, 11, 23, 12, 0, tzinfo=UTC)


@pytest.fixture
def gov(slack: FakeSlack, engine: Engine, clock: FakeClock) -> Iterator[Bot]:
    running = Bot(slack=slack, engine=engine, clock=clock, admin_user_ids=ADMIN, governance_channel=GOV,
                  escalate_after_days=7)
    yield running
    running.close()


@pytest.fixture
def gov_any(slack: FakeSlack, any_engine: Engine, clock: FakeClock) -> Iterator[Bot]:
    """The same bot on SQLite and on PostgreSQL (the links' reads and the handover's update)."""
    running = Bot(slack=slack, engine=any_engine, clock=clock, admin_user_ids=ADMIN)
    yield running
    running.close()


def _link(j: Journeys, persona_id: int, journey_id: int, owner: str | None) -> None:
    """The persona card's "Link to a journey", as LINKER; `owner` keeps the link (else LINKER)."""
    view = j.open_by_click(journey_ids.LINK_PERSONA, str(persona_id), user=LINKER)
    values = {journey_ids.JOURNEY_BLOCK: {"value": payloads.input_static_select(str(journey_id))}}
    if owner:
        values[journey_ids.LINK_OWNER_BLOCK] = {"value": payloads.input_users_select(owner)}
    assert j.submit(view, values, user=LINKER).status == 200


def _admin_edits(bot: Bot, persona: Persona, version: int, **values: Any) -> None:
    """The admin saves the persona form (their edit is someone else's change to the owner)."""
    answer = bot.http.interactive(payloads.view_submission(
        persona_ids.FORM_MODAL, form_values(owner_id=PERSONA_OWNER, **values), user=ADMIN,
        private_metadata=json.dumps({"id": persona.id, "v": version})))
    assert answer.status == 200 and not answer.body_text.strip()
    bot.settle()  # governance hears of a persona change from the outbox, right after the commit


def _links(bot: Bot, journey_id: int) -> list[Any]:
    return [r for r in review_rows(bot.engine, journey_id)
            if r.subject_type == "journey" and r.reason.startswith("link:")]


def _click(bot: Bot, action_id: str, message: dict[str, Any], *, user: str, review_id: int | None = None,
           channel: str | None = None, view: dict | None = None) -> None:
    block = review_block(message, review_id)
    element = next(e for e in block["elements"] if e["action_id"] == action_id)
    kwargs: dict[str, Any] = {"view": view} if view else {"channel": channel or "D" + user,
                                                         "message_ts": message.get("ts")}
    assert bot.http.interactive(payloads.block_actions(
        action_id, value=element["value"], block_id=block["block_id"], user=user,
        response_url=bot.slack.response_url("actions") if not view else None, **kwargs)).status == 200


def _dms(slack: FakeSlack, user: str) -> list[dict[str, Any]]:
    return [{**c.args, "ts": c.response["ts"]} for c in slack.calls_to("chat.postMessage")
            if c.args.get("channel") in (user, "D" + user) and c.response.get("ok")]


def _answers(slack: FakeSlack) -> str:
    return " ".join(c.args.get("text", "") for c in slack.calls_to("response_url"))


def _setup(bot: Bot, slack: FakeSlack, clock: FakeClock) -> tuple[Journeys, Persona, int]:
    """Maya (owned by PERSONA_OWNER) on the journey Checkout (owned by U0OWNER): LINKER links
    her, then hands the link to KEEPER. The sweep after it sends the owners their own nudges."""
    clock.set(MONDAY_NOON)
    persona = make_persona(bot, owner=PERSONA_OWNER)
    j = Journeys(bot, slack)
    j.create("Checkout", template="short")
    journey = j.journey("Checkout")
    _link(j, persona.id, journey.id, None)
    _link(j, persona.id, journey.id, KEEPER)  # the handover: no news about the map, nobody nudged for it
    bot.tick()
    assert _links(bot, journey.id) == [] and dms(slack, KEEPER) == []
    return j, persona, journey.id


def test_a_persona_edited_by_someone_else_asks_the_link_owner_once_to_check_the_layer(
        gov: Bot, slack: FakeSlack, clock: FakeClock) -> None:
    _, persona, journey_id = _setup(gov, slack, clock)
    clock.advance(minutes=5)
    _admin_edits(gov, persona, 1, context="Shops on the train")
    clock.advance(minutes=5)
    _admin_edits(gov, persona, 2, context="Shops on the night train")  # the same burst: no second review
    gov.tick()
    [nudge] = _dms(slack, KEEPER)
    shown = text_of(nudge)
    assert "Check *Maya*'s layer on the journey *Checkout*" in shown
    assert "The persona *Maya* changed (<@U0ADMIN> edited it): check its layer on the journey *Checkout* is " \
           "still true. You keep this link." in shown
    assert "owner <@U0KEEPER>" in shown, "the link's owner answers it, not the journey's"
    [review] = _links(gov, journey_id)
    assert (review.owner_id, review.state) == (KEEPER, "sent")
    assert {e["action_id"] for e in review_block(nudge)["elements"]} == set(ids.LINK_ACTIONS)
    assert "Check *Maya*'s layer" not in text_of(dms(slack, PERSONA_OWNER)[-1]), "owners hear of their own items"

    clock.advance(hours=1)
    gov.tick()
    assert len(_dms(slack, KEEPER)) == 1, "once per burst"

    _click(gov, ids.LINK_CHECKED, nudge, user=STRANGER, channel="D" + KEEPER)
    eventually(lambda: "Only <@U0KEEPER>, who keeps this link on *Checkout*" in _answers(slack))
    assert _links(gov, journey_id)[0].state == "sent"

    before = len(slack.calls_to("views.open"))
    _click(gov, ids.LINK_OPEN, nudge, user=KEEPER)
    opened = view_of(slack.wait_for("views.open", before + 1)[before].args)
    layer = next(b for b in opened["blocks"] if b.get("block_id") == journey_ids.LAYER_BLOCK)
    assert opened["callback_id"] == journey_ids.PICK_MODAL
    assert layer["element"]["initial_option"]["value"] == f"layer:{review.reason.removeprefix('link:')}"

    _click(gov, ids.LINK_CHECKED, nudge, user=KEEPER)
    eventually(lambda: _links(gov, journey_id)[0].state == "done")
    update = eventually(lambda: [c.args for c in slack.calls_to("chat.update") if c.args["ts"] == nudge["ts"]])[-1]
    assert "<@U0KEEPER> checked it: *Maya*'s layer on *Checkout* is still true." in text_of(update)
    assert ids.LINK_CHECKED not in text_of(update), "a settled review offers no answers"

    clock.advance(minutes=5)
    _admin_edits(gov, persona, 3, context="Shops at lunch")
    gov.tick()
    assert len(_dms(slack, KEEPER)) == 2, "a new change after the check asks again"


def test_a_handed_over_link_takes_its_open_review_to_the_new_owner(
        gov_any: Bot, slack: FakeSlack, clock: FakeClock) -> None:
    gov = gov_any
    j, persona, journey_id = _setup(gov, slack, clock)
    _admin_edits(gov, persona, 1, context="Shops on the train")
    gov.tick()
    [nudge] = _dms(slack, KEEPER)

    _link(j, persona.id, journey_id, HEIR)
    [review] = _links(gov, journey_id)
    assert review.owner_id == HEIR
    _click(gov, ids.LINK_CHECKED, nudge, user=KEEPER)
    eventually(lambda: "Only <@U0HEIR>, who keeps this link" in _answers(slack))

    before = len(slack.calls_to("views.publish"))
    assert gov.http.event(payloads.event_callback(payloads.app_home_opened(HEIR))).status == 200
    home = eventually(lambda: [json.loads(c.args["view"]) if isinstance(c.args["view"], str) else c.args["view"]
                               for c in slack.calls_to("views.publish")[before:] if c.args["user_id"] == HEIR])[-1]
    assert "Check *Maya*'s layer on the journey *Checkout*" in json.dumps(home)
    _click(gov, ids.LINK_CHECKED, {"blocks": home["blocks"]}, user=HEIR, view={"id": "V0HOME", "type": "home"})
    eventually(lambda: _links(gov, journey_id)[0].state == "done")


def test_an_overdue_link_review_is_escalated_with_the_link_answers(
        gov: Bot, slack: FakeSlack, clock: FakeClock) -> None:
    _, persona, journey_id = _setup(gov, slack, clock)
    _admin_edits(gov, persona, 1, context="Shops on the train")
    gov.tick()
    clock.advance(days=7, hours=1)
    gov.tick()
    [escalation] = [m for m in posts_in(slack, GOV) if "check its layer" in text_of(m)]
    assert "<@U0KEEPER>" in text_of(escalation) and "check its layer on the journey *Checkout*" in text_of(escalation)
    assert {e["action_id"] for e in review_block(escalation)["elements"]} == set(ids.LINK_ACTIONS)
    clock.advance(days=7)  # the weekly digest names who holds the overdue check: the link's keeper
    gov.tick()
    digest = [m for m in posts_in(slack, GOV) if "a persona's layer on this journey" in text_of(m)][-1]
    assert re.search(r"\*Checkout\* \(a persona's layer on this journey\) \S+ <@U0KEEPER>", text_of(digest))
    ts = next(c.response["ts"] for c in slack.calls_to("chat.postMessage") if c.args.get("channel") == GOV
              and "check its layer" in text_of(c.args))
    _click(gov, ids.LINK_CHECKED, {**escalation, "ts": ts}, user=ADMIN, channel=GOV)
    eventually(lambda: _links(gov, journey_id)[0].state == "done")


def test_a_retired_persona_takes_its_link_check_off_the_keepers_home(
        gov: Bot, slack: FakeSlack, clock: FakeClock) -> None:
    _, persona, journey_id = _setup(gov, slack, clock)
    _admin_edits(gov, persona, 1, context="Shops on the train")
    gov.tick()
    assert _links(gov, journey_id) and _dms(slack, KEEPER)
    owners_nudge = next(m for m in _dms(slack, PERSONA_OWNER) if "Maya" in text_of(m))
    _click(gov, ids.RETIRE, owners_nudge, user=PERSONA_OWNER)
    eventually(lambda: _persona_status(gov, persona.id) == "retired")

    before = len(slack.calls_to("views.publish"))
    assert gov.http.event(payloads.event_callback(payloads.app_home_opened(KEEPER))).status == 200
    home = eventually(lambda: [c.args["view"] for c in slack.calls_to("views.publish")[before:]
                               if c.args["user_id"] == KEEPER])[-1]
    assert "Maya" not in json.dumps(home), "no buttons on a link that no longer stands"


def _persona_status(bot: Bot, persona_id: int) -> str:
    with Session(bot.engine) as db:
        return str(db.get(Persona, persona_id).status)


def test_a_link_whose_keeper_left_is_handed_over_from_its_escalation(
        gov: Bot, slack: FakeSlack, clock: FakeClock) -> None:
    """The keeper left Slack: the sweep cannot DM them, the escalation asks who takes it over, and
    "Hand the link to…" gives the link (not only this review) to the heir, who gets the check."""
    _, persona, journey_id = _setup(gov, slack, clock)
    slack.users[KEEPER] = {"deleted": True}
    _admin_edits(gov, persona, 1, context="Shops on the train")
    gov.tick()
    assert not [m for m in _dms(slack, KEEPER) if "check its layer" in text_of(m)]
    clock.advance(days=7, hours=1)
    gov.tick()
    escalation = next(m for m in posts_in(slack, GOV) if "check its layer" in text_of(m))
    block = review_block(escalation)
    assert ids.LINK_REASSIGN in {e["action_id"] for e in block["elements"]}

    for picked in (KEEPER, HEIR, HEIR):  # the same keeper again is refused; a second pick finds it handed over
        assert gov.http.interactive(payloads.block_actions(
            ids.LINK_REASSIGN, block_id=block["block_id"], user=ADMIN, channel=GOV, message_ts="1.0",
            action_type="users_select", action_fields={"selected_user": picked},
            response_url=slack.response_url())).status == 200
        gov.settle()
    [review] = _links(gov, journey_id)
    assert (review.owner_id, review.state) == (HEIR, "pending")
    assert [layer.owner_id for layer in _layers(gov, journey_id)] == [HEIR]
    gov.tick()
    handed = [m for m in _dms(slack, HEIR) if "check its layer" in text_of(m)]
    assert len(handed) == 1 and "You keep this link" in text_of(handed[0])


def _layers(bot: Bot, journey_id: int) -> list[Any]:
    with Session(bot.engine) as db:
        return list(db.exec(select(JourneyLayer).where(JourneyLayer.journey_id == journey_id)))
