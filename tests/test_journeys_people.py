"""From a journey back to people: a segment layer becomes a proto-persona drafted from what the
map says (through the personas feature), and an empathy session starts for one layer at one
stage from the empathy start form, filled in for that person and stage."""

from __future__ import annotations

from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from bot.empathy import ids as empathy_ids
from bot.journeys import ids
from storage.journey_models import JourneyLayer
from storage.models import EmpathySession, Persona
from storage.states import LayerKind
from tests.harness import Bot, FakeClock, eventually
from tests.journey_kit import CHANNEL, Journeys, add_persona, text_of
from tests.slack_fake import FakeSlack, payloads


def test_a_segment_layer_becomes_a_proto_persona(slack: FakeSlack, any_engine: Engine, clock: FakeClock) -> None:
    bot = Bot(slack=slack, engine=any_engine, clock=clock)
    try:
        j = Journeys(bot, slack)
        j.create("Checkout", template="short")
        journey = j.journey("Checkout")
        first, second = [s.id for s in j.stages(journey.id)][:2]
        j.fill(journey.id, layer="segment", segment="Gift buyer", stage_id=first, goals="Find a gift",
               actions="Compares shops", pains="Hidden fees")
        layer = next(c.layer_id for c in j.cells())
        j.fill(journey.id, layer=f"layer:{layer}", stage_id=second, goals="Find a gift\nPay fast", pains="Fees <b>")
        pick = j.open_by_click(ids.TO_PERSONA, str(journey.id))
        answer = j.submit(pick, {ids.LAYER_BLOCK: {"value": payloads.input_static_select(str(layer))}}).json()
        assert "*Gift buyer* is a proto-persona now" in text_of(answer["view"]) and "hypothesis" in text_of(answer)
        with Session(bot.engine) as db:
            persona = db.exec(select(Persona)).one()
            row = db.get(JourneyLayer, layer)
            assert (row.kind, row.persona_id, row.subject_key) == (LayerKind.PERSONA, persona.id,
                                                                   f"persona:{persona.id}")
        assert (persona.name, persona.kind, persona.confidence) == ("Gift buyer", "proto", "low")
        assert persona.goals == ["Find a gift", "Pay fast"] and persona.behaviors == ["Compares shops"]
        assert persona.frustrations == ["Hidden fees", "Fees <b>"] and "assumption" in persona.unsure
        assert len(j.cells()) == 2, "the layer keeps what it holds"
        assert "(segment)" not in text_of(j.card(j.show("Checkout")))

        none_left = j.open_by_click(ids.TO_PERSONA, str(journey.id))
        assert "No segment is layered" in text_of(none_left)
    finally:
        bot.close()


def test_an_empathy_session_for_one_persona_at_one_stage(bot: Bot, slack: FakeSlack) -> None:
    j = Journeys(bot, slack)
    maya = add_persona(bot, "Maya")
    j.create("Checkout", template="short")
    journey = j.journey("Checkout")
    buy = j.stages(journey.id)[2]
    j.fill(journey.id, layer=f"persona:{maya}", stage_id=buy.id, goals="Pay without surprises")
    pick = j.open_by_click(ids.EMPATHY_AT_STAGE, str(journey.id))
    layer = next(c.layer_id for c in j.cells())
    form = j.submit(pick, {ids.LAYER_BLOCK: {"value": payloads.input_static_select(str(layer))},
                           ids.STAGE_BLOCK: {"value": payloads.input_static_select(str(buy.id))}}).json()["view"]
    assert form["callback_id"] == empathy_ids.START_MODAL and form["private_metadata"] == CHANNEL
    inputs = {b.get("block_id"): b["element"] for b in form["blocks"] if b["type"] == "input"}
    subject, goal = inputs[empathy_ids.SUBJECT_BLOCK]["initial_value"], inputs[empathy_ids.GOAL_BLOCK]["initial_value"]
    assert subject == "Maya at Buy" and "at Buy on the journey Checkout" in goal and "Pay without surprises" in goal

    assert j.submit(form, {  # the facilitator starts it as the form says
        empathy_ids.SUBJECT_BLOCK: {"value": subject}, empathy_ids.GOAL_BLOCK: {"value": goal},
        empathy_ids.DURATION_BLOCK: {"value": payloads.input_number(30)},
        empathy_ids.CANVAS_BLOCK: {"value": payloads.input_static_select("classic")},
        empathy_ids.VOTES_BLOCK: {"value": payloads.input_number(5)},
        empathy_ids.PERSONA_BLOCK: {"value": payloads.input_static_select(str(maya))}}).status == 200
    with Session(bot.engine) as db:
        session = eventually(lambda: db.exec(select(EmpathySession)).first())
        assert (session.subject, session.persona_id, session.channel_id) == ("Maya at Buy", maya, CHANNEL)
