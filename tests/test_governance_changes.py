"""Reviews that changes trigger: someone else's evidence, suggestion or edit nudges the owner once;
the owner's own update completes what was due; linked items review together; review-all asks all."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

from bot.governance import ids
from bot.personas import lifecycle
from bot.review_subjects import SubjectChange, announce_change
from storage import personas as persona_store
from storage.db import unit_of_work
from tests.governance_kit import add_journey, confirm_best_guess, dms, install, review_rows, text_of
from tests.harness import Bot, FakeClock, eventually
from tests.persona_helpers import make_persona, q
from tests.slack_fake import FakeSlack, payloads

OWNER, OTHER = "U0OWNER", "U0OTHER"
MONDAY_NOON = datetime(2026, 11, 23, 12, 0, tzinfo=UTC)


def _evidence(bot: Bot, persona_id: int, user: str, key: str) -> None:
    lifecycle.add_evidence(bot.deps, team_id="T0001", persona_id=persona_id, user_id=user,
                           text=f"Interview {key}: fees surprise her", permalink=f"https://x/{key}",
                           author_id="U0CUSTOMER", source_key=key)


def test_new_evidence_from_someone_else_nudges_the_owner_once(bot: Bot, slack: FakeSlack, clock: FakeClock) -> None:
    clock.set(MONDAY_NOON)
    persona = make_persona(bot, owner=OWNER)
    _evidence(bot, persona.id, OWNER, "own")
    bot.tick()
    assert dms(slack, OWNER) == [], "the owner's own evidence needs no nudge"

    _evidence(bot, persona.id, OTHER, "a")
    _evidence(bot, persona.id, OTHER, "b")
    bot.tick()
    clock.advance(hours=1)
    bot.tick()
    [nudge] = dms(slack, OWNER)
    assert "New evidence was added by <@U0OTHER>" in text_of(nudge) and "confidence still right" in text_of(nudge)
    assert [r.reason for r in review_rows(bot.engine, persona.id) if r.state == "sent"] == ["change"]


def test_a_suggestion_by_someone_else_nudges_the_owner(bot: Bot, slack: FakeSlack, clock: FakeClock) -> None:
    clock.set(MONDAY_NOON)
    persona = make_persona(bot, owner=OWNER)
    lifecycle.suggest(bot.deps, persona=persona, user_id=OTHER, text="She pays by <card> & phone")
    bot.tick()
    [nudge] = dms(slack, OWNER)
    assert "suggested a change" in text_of(nudge) and "&lt;card&gt; &amp; phone" in text_of(nudge)


def test_the_owners_own_update_completes_the_due_review_and_updates_the_nudge(
        bot: Bot, slack: FakeSlack, clock: FakeClock) -> None:
    clock.set(MONDAY_NOON - timedelta(days=90))
    persona = make_persona(bot, owner=OWNER)
    clock.set(MONDAY_NOON)
    bot.tick()
    [nudge] = dms(slack, OWNER)
    assert "Maya" in text_of(nudge)

    lifecycle.edit(bot.deps, team_id="T0001", persona_id=persona.id, expected_version=persona.version,
                   values={"quote": "Show me the total first."}, user_id=OWNER)
    update = slack.wait_for("chat.update")[0].args
    assert "updated it; review done" in text_of(update)
    bot.settle()  # the next cadence review follows the review's commit
    stored = q(bot.engine, persona_store.get_persona, team_id="T0001", persona_id=persona.id)
    assert stored.next_review_at == MONDAY_NOON + timedelta(days=90)
    assert [(r.state, r.due_at) for r in review_rows(bot.engine, persona.id)] == [
        ("done", MONDAY_NOON), ("pending", MONDAY_NOON + timedelta(days=90))]


def test_a_change_on_one_side_nudges_the_owners_of_linked_items(bot: Bot, slack: FakeSlack, clock: FakeClock) -> None:
    clock.set(MONDAY_NOON)
    journeys = install(bot.deps)
    persona = make_persona(bot, owner=OWNER)
    journey_id = add_journey(bot.engine, name="Checkout journey", owner=OTHER, due=MONDAY_NOON + timedelta(days=90),
                             created=MONDAY_NOON)
    journeys.linked = lambda db, team_id, subject_id: [("persona", persona.id)]  # the journeys feature's link table

    with unit_of_work(bot.engine) as db:
        announce_change(db, bot.deps.on_change, SubjectChange("T0001", "journey", journey_id, "edited", OTHER,
                                                              clock.now(), "stage 2 reordered"))
    bot.tick()
    [nudge] = dms(slack, OWNER)
    assert "Checkout journey" in text_of(nudge) and "review them together" in text_of(nudge)


def _review_all(bot: Bot, slack: FakeSlack, reason: str) -> str:
    before = len(slack.calls_to("response_url"))
    reply = bot.http.command(payloads.slash_command("/persona", f'review-all "{reason}"',
                                                    user=OWNER, response_url=slack.response_url()))
    assert reply.status == 200
    return eventually(lambda: slack.calls_to("response_url")[before:])[0].args["text"]


def _blocks(message: dict) -> list[dict]:
    return message["blocks"] if isinstance(message["blocks"], list) else json.loads(message["blocks"])


def _item_actions(message: dict) -> list[dict]:
    """The per-item action blocks of a grouped nudge, in the order it lists the items."""
    return [b for b in _blocks(message) if b["type"] == "actions" and b["block_id"].startswith("review:")]


def _posted_to(slack: FakeSlack, user: str) -> list[dict]:
    return [{**c.args, "ts": c.response["ts"], "channel_id": c.response["channel"]}
            for c in slack.calls_to("chat.postMessage") if c.args.get("channel") == user and c.response.get("ok")]


def test_review_all_sends_each_owner_one_dm_listing_all_their_items(
        bot: Bot, slack: FakeSlack, clock: FakeClock) -> None:
    clock.set(MONDAY_NOON)
    for name in ("Maya", "Ben", "Zoe"):
        make_persona(bot, owner=OWNER, name=name)
    make_persona(bot, owner=OTHER, name="Ines")

    assert "Asked 2 owners to review 4 items because of *New product launch*" in _review_all(
        bot, slack, "New product launch")
    bot.tick()
    bot.tick()
    [mine] = dms(slack, OWNER)
    [theirs] = dms(slack, OTHER)
    assert "New product launch" in text_of(mine) and "You own 3 items" in text_of(mine)
    assert all(name in text_of(mine) for name in ("Maya", "Ben", "Zoe")) and "Ines" not in text_of(mine)
    assert len(_item_actions(mine)) == 3 and len(_item_actions(theirs)) == 1
    actions = {e["action_id"] for e in _item_actions(mine)[0]["elements"]}
    assert actions == set(ids.ALL_ACTIONS)
    assert {r.state for r in review_rows(bot.engine) if r.reason.startswith("manual:")} == {"sent"}

    assert "already asked" in _review_all(bot, slack, "new product  LAUNCH")  # a retry, or the same words
    bot.tick()
    clock.advance(hours=1)
    bot.tick()
    assert len(dms(slack, OWNER)) == 1 and len(dms(slack, OTHER)) == 1

    assert "Asked 2 owners to review 4 items because of *Pricing change*" in _review_all(
        bot, slack, "Pricing change")
    bot.tick()
    assert len(dms(slack, OWNER)) == 2 and len(dms(slack, OTHER)) == 2
    assert "Pricing change" in text_of(dms(slack, OWNER)[1]) and len(_item_actions(dms(slack, OWNER)[1])) == 3


def test_acting_on_one_item_of_a_grouped_nudge_updates_only_that_item(
        bot: Bot, slack: FakeSlack, clock: FakeClock) -> None:
    clock.set(MONDAY_NOON)
    for name in ("Maya", "Ben", "Zoe"):
        make_persona(bot, owner=OWNER, name=name)
    _review_all(bot, slack, "New product launch")
    bot.tick()
    [nudge] = _posted_to(slack, OWNER)
    first, second, third = _item_actions(nudge)

    def click(block: dict, action_id: str, *, updates: bool = True, **kw: object) -> dict | None:
        before = len(slack.calls_to("chat.update"))
        element = next(e for e in block["elements"] if e["action_id"] == action_id)
        reply = bot.http.interactive(payloads.block_actions(
            action_id, value=element.get("value"), block_id=block["block_id"], user=OWNER,
            channel=nudge["channel_id"], message_ts=nudge["ts"], response_url=slack.response_url("actions"), **kw))
        assert reply.status == 200
        if not updates:
            return None
        return eventually(lambda: slack.calls_to("chat.update")[before:])[0].args

    opened, updated = len(slack.calls_to("views.open")), len(slack.calls_to("chat.update"))
    click(second, ids.STILL_ACCURATE, updates=False)  # a proto-persona: still our best guess, and what we learned
    confirm_best_guess(bot, slack, user=OWNER, opened_before=opened)
    update = eventually(lambda: slack.calls_to("chat.update")[updated:])[0].args
    assert update["ts"] == nudge["ts"] and update["channel"] == nudge["channel_id"]
    assert [b["block_id"] for b in _item_actions(update)] == [first["block_id"], third["block_id"]]
    assert text_of(update).count("kept it as our best guess") == 1

    update = click(third, ids.SNOOZE, action_type="static_select", selected_option="1d:" + third["block_id"][7:])
    assert [b["block_id"] for b in _item_actions(update)] == [first["block_id"]]
    assert "kept it as our best guess" in text_of(update) and "snoozed this review" in text_of(update)

    updates, answers = len(slack.calls_to("chat.update")), len(slack.calls_to("response_url"))
    click(second, ids.STILL_ACCURATE, updates=False)  # a double click on a handled item changes nothing
    assert "already handled" in eventually(lambda: slack.calls_to("response_url")[answers:])[0].args["text"]
    assert len(slack.calls_to("chat.update")) == updates
    states = [r.state for r in review_rows(bot.engine) if r.reason.startswith("manual:")]
    assert states == ["sent", "done", "snoozed"]


def test_reassign_and_retire_from_a_grouped_nudge(bot: Bot, slack: FakeSlack, clock: FakeClock) -> None:
    clock.set(MONDAY_NOON)
    maya, ben, zoe = (make_persona(bot, owner=OWNER, name=name) for name in ("Maya", "Ben", "Zoe"))
    _review_all(bot, slack, "New product launch")
    bot.tick()
    [nudge] = _posted_to(slack, OWNER)
    first, second, third = _item_actions(nudge)

    bot.http.interactive(payloads.block_actions(
        ids.REASSIGN, block_id=first["block_id"], user=OWNER, channel=nudge["channel_id"], message_ts=nudge["ts"],
        action_type="users_select", action_fields={"selected_user": OTHER}, response_url=slack.response_url("x")))
    update = eventually(lambda: slack.calls_to("chat.update"))[0].args
    assert "handed it over to <@U0OTHER>" in text_of(update)
    assert [b["block_id"] for b in _item_actions(update)] == [second["block_id"], third["block_id"]]
    bot.tick()
    [handed] = dms(slack, OTHER)
    assert "New product launch" in text_of(handed) and len(_item_actions(handed)) == 1 and "Maya" in text_of(handed)

    bot.http.interactive(payloads.block_actions(
        ids.RETIRE, value=third["block_id"][7:], block_id=third["block_id"], user=OWNER,
        channel=nudge["channel_id"], message_ts=nudge["ts"], response_url=slack.response_url("x")))
    update = eventually(lambda: slack.calls_to("chat.update")[1:])[0].args
    assert update["ts"] == nudge["ts"] and "retired it" in text_of(update)
    assert [b["block_id"] for b in _item_actions(update)] == [second["block_id"]]
    assert q(bot.engine, persona_store.get_persona, team_id="T0001", persona_id=zoe.id).status == "retired"
    assert q(bot.engine, persona_store.get_persona, team_id="T0001", persona_id=maya.id).owner_id == OTHER
    assert q(bot.engine, persona_store.get_persona, team_id="T0001", persona_id=ben.id).owner_id == OWNER


def test_the_owners_edit_completes_their_item_in_the_grouped_nudge(
        bot: Bot, slack: FakeSlack, clock: FakeClock) -> None:
    clock.set(MONDAY_NOON)
    maya = make_persona(bot, owner=OWNER, name="Maya")
    make_persona(bot, owner=OWNER, name="Ben")
    _review_all(bot, slack, "New product launch")
    bot.tick()
    [nudge] = _posted_to(slack, OWNER)
    _maya_block, second = _item_actions(nudge)

    clock.advance(hours=1)
    lifecycle.edit(bot.deps, team_id="T0001", persona_id=maya.id, expected_version=maya.version,
                   values={"quote": "Show me the total first."}, user_id=OWNER)
    update = slack.wait_for("chat.update")[0].args
    assert update["ts"] == nudge["ts"] and text_of(update).count("updated it; review done") == 1
    assert [b["block_id"] for b in _item_actions(update)] == [second["block_id"]]


def test_a_grouped_nudge_stays_within_block_kit_limits_and_points_to_home(
        bot: Bot, slack: FakeSlack, clock: FakeClock) -> None:
    clock.set(MONDAY_NOON)
    for n in range(30):
        make_persona(bot, owner=OWNER, name=f"Persona {n:02d}")
    assert "Asked 1 owner to review 30 items" in _review_all(bot, slack, "Rebrand")
    bot.tick()
    [nudge] = dms(slack, OWNER)
    listed = len(_item_actions(nudge))
    assert 0 < listed < 30 and len(_blocks(nudge)) <= 50
    assert f"and {30 - listed} more" in text_of(nudge) and "Home tab" in text_of(nudge)
    assert {r.state for r in review_rows(bot.engine) if r.reason.startswith("manual:")} == {"sent"}
    bot.tick()
    assert len(dms(slack, OWNER)) == 1


def test_review_all_needs_a_reason_and_is_in_the_help(bot: Bot) -> None:
    reply = bot.http.command(payloads.slash_command("/persona", "review-all"))
    assert "Say why" in reply.json()["text"]
    helped = bot.http.command(payloads.slash_command("/persona", "help")).json()["text"]
    assert "review-all" in helped and "Ask every owner to review" in helped


def test_only_admins_ask_everyone_when_admins_are_configured(slack: FakeSlack, engine, clock: FakeClock) -> None:
    bot = Bot(slack=slack, engine=engine, clock=clock, admin_user_ids="U0ADMIN")
    try:
        make_persona(bot, owner=OWNER)
        reply = bot.http.command(payloads.slash_command("/persona", 'review-all "Launch"', user=OTHER))
        assert "Only workspace admins" in reply.json()["text"]
        bot.tick()
        assert dms(slack, OWNER) == []
    finally:
        bot.close()
