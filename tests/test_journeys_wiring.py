"""Journeys wired into the rest: the persona card's "Link to a journey", the persona conversation's
last question, review together in both directions (once per burst, never the author), a cadence
nudge for a journey handled in one click, and `/review-all` over personas and journeys."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from bot.governance import ids as governance_ids
from bot.journeys import ids
from bot.personas import lifecycle
from storage.journey_models import JourneyLayer
from storage.models import Persona
from tests.governance_kit import dms, review_block, review_rows, text_of
from tests.harness import Bot, FakeClock, eventually
from tests.journey_kit import Journeys
from tests.persona_helpers import Dm, make_persona
from tests.slack_fake import FakeSlack, payloads

MONDAY_NOON = datetime(2026, 11, 23, 12, 0, tzinfo=UTC)
OWNER, PERSONA_OWNER = "U0OWNER", "U0PERSONA"


def _open_reviews(bot: Bot, kind: str, subject_id: int) -> list[tuple[str, str]]:
    return [(r.owner_id, r.reason) for r in review_rows(bot.engine, subject_id)
            if r.subject_type == kind and r.state in ("pending", "sent", "snoozed")]


def _link_from_the_persona_card(j: Journeys, persona_id: int, journey_id: int) -> None:
    view = j.open_by_click(ids.LINK_PERSONA, str(persona_id), user=PERSONA_OWNER)
    before = len(dms(j.slack, PERSONA_OWNER))
    j.submit(view, {ids.JOURNEY_BLOCK: {"value": payloads.input_static_select(str(journey_id))}}, user=PERSONA_OWNER)
    told = eventually(lambda: dms(j.slack, PERSONA_OWNER)[before:])
    assert "is now a layer of *Checkout*" in told[0]["text"]


def test_linked_personas_and_journeys_review_together(slack: FakeSlack, any_engine: Engine, clock: FakeClock) -> None:
    clock.set(MONDAY_NOON)
    bot = Bot(slack=slack, engine=any_engine, clock=clock)
    try:
        j = Journeys(bot, slack)
        j.create("Checkout", template="short")
        journey = j.journey("Checkout")
        persona = make_persona(bot, owner=PERSONA_OWNER)
        card = lifecycle_card_buttons(bot, persona.id)
        assert ids.LINK_PERSONA in card, "the persona card offers Link to a journey"
        _link_from_the_persona_card(j, persona.id, journey.id)
        assert "Checkout" in lifecycle_card_buttons(bot, persona.id), "the card lists its journeys"

        lifecycle.edit(bot.deps, team_id="T0001", persona_id=persona.id, expected_version=persona.version,
                       values={"quote": "Show me the total first."}, user_id=PERSONA_OWNER)
        lifecycle.edit(bot.deps, team_id="T0001", persona_id=persona.id, expected_version=persona.version + 1,
                       values={"quote": "Total first."}, user_id=PERSONA_OWNER)
        assert _open_reviews(bot, "journey", journey.id).count((OWNER, "linked")) == 1, "once per burst"
        bot.tick()
        nudges = [text_of(m) for m in dms(slack, OWNER)]
        [nudge] = nudges  # one DM per owner per sweep, listing both
        assert "<@U0PERSONA> edited it" in nudge, "linking the persona changed the journey"
        assert "Checkout" in nudge and "review them together" in nudge and "Maya" in nudge

        j.fill(journey.id, layer=f"persona:{persona.id}", stage_id=j.stages(journey.id)[0].id, pains="Fees")
        assert _open_reviews(bot, "persona", persona.id).count((PERSONA_OWNER, "linked")) == 1
        clock.advance(minutes=5)
        editor = Journeys(bot, slack, user=PERSONA_OWNER)  # the persona's owner edits the journey
        editor.fill(journey.id, layer=f"persona:{persona.id}", stage_id=j.stages(journey.id)[1].id, pains="Tabs")
        assert _open_reviews(bot, "persona", persona.id).count((PERSONA_OWNER, "linked")) == 1
        assert (OWNER, "change") in _open_reviews(bot, "journey", journey.id)

        reply = bot.http.command(payloads.slash_command("/review-all", '"Pricing change"', user=OWNER,
                                                        response_url=slack.response_url()))
        assert reply.status == 200
        said = eventually(lambda: slack.calls_to("response_url"))[0].args["text"]
        assert "Asked 2 owners to review 2 items" in said
    finally:
        bot.close()


def lifecycle_card_buttons(bot: Bot, persona_id: int) -> str:
    from bot.personas import cards
    from storage.db import unit_of_work

    with unit_of_work(bot.engine) as db:
        persona = db.get(Persona, persona_id)
        return str(cards.card(bot.deps, db, persona)["blocks"])


def test_a_journeys_cadence_review_is_nudged_and_done_in_one_click(bot: Bot, slack: FakeSlack,
                                                                   clock: FakeClock) -> None:
    clock.set(MONDAY_NOON - timedelta(days=30))
    j = Journeys(bot, slack)
    j.create("Checkout", template="short")
    journey = j.journey("Checkout")
    clock.set(journey.next_review_at + timedelta(hours=1))
    bot.tick()
    [nudge] = [m for m in dms(slack, OWNER) if "Checkout" in text_of(m)]
    posted = next(c for c in slack.calls_to("chat.postMessage") if c.args.get("channel") in (OWNER, "D" + OWNER))
    block = review_block(nudge)
    element = next(e for e in block["elements"] if e["action_id"] == governance_ids.STILL_ACCURATE)
    bot.http.interactive(payloads.block_actions(
        governance_ids.STILL_ACCURATE, value=element.get("value"), block_id=block["block_id"], user=OWNER,
        channel="D" + OWNER, message_ts=posted.response["ts"], response_url=slack.response_url("actions")))
    assert "still accurate" in text_of(slack.wait_for("chat.update")[0].args)
    assert j.journey("Checkout").next_review_at == clock.now() + timedelta(days=90)


def test_the_persona_conversation_offers_to_link_a_journey(bot: Bot, slack: FakeSlack) -> None:
    j = Journeys(bot, slack)
    j.create("Checkout", template="short")
    dm = Dm(bot, "U0NEW")
    assert bot.http.command(payloads.slash_command("/persona", "new", user="U0NEW")).status == 200
    eventually(lambda: len(dm.posts()) >= 2)
    answers = ["Maya", "Buyer", *["skip"] * 11, "ok", "ok"]  # up to the confidence, then owner and cadence
    for answer in answers:
        asked = dm.say(answer)
    assert "Question 16 of 16" in asked and "Which journey" in asked
    assert "no journey called" in dm.say("Onboarding", replies=2)
    assert "saved as a proto-persona" in dm.say("checkout")
    with Session(bot.engine) as db:
        persona = db.exec(select(Persona).where(Persona.name == "Maya")).one()
        assert db.exec(select(JourneyLayer.persona_id)).all() == [persona.id]


def test_home_shows_my_journeys_their_health_and_a_new_journey_button(bot: Bot, slack: FakeSlack) -> None:
    from tests.journey_kit import add_persona
    from tests.test_home import _open_home

    j = Journeys(bot, slack)
    add_persona(bot, "Lonely")
    j.create("Checkout", template="short")
    home = text_of({"blocks": _open_home(bot, OWNER, "Checkout")["blocks"]})
    assert "no persona" in home and "1 persona is on no journey" in home and ids.NEW_FROM_HOME in home
    view = j.open_by_click(ids.NEW_FROM_HOME, "home")
    assert view["callback_id"] == ids.CREATE_MODAL
