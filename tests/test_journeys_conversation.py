"""Filling persona layers conversationally, stage by stage in a DM, with the engine's words
(back, skip, `ok` keeps the current answer), a restart in the middle, on SQLite and PostgreSQL."""

from __future__ import annotations

from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from storage.journey_models import JourneyLayer
from storage.models import Conversation
from tests.harness import Bot, FakeClock, eventually
from tests.journey_kit import Journeys, add_persona
from tests.persona_helpers import Dm
from tests.slack_fake import FakeSlack


def _layer_id(bot: Bot, persona_id: int) -> int:
    with Session(bot.engine) as db:
        return int(db.exec(select(JourneyLayer.id).where(JourneyLayer.persona_id == persona_id)).one())


def _start(j: Journeys, journey_id: int, *, layer: str, stage_id: int) -> Dm:
    dm = Dm(j.bot, j.user)
    before = len(dm.posts())
    answer = j.fill_in_dm(journey_id, layer=layer, stage_id=stage_id)
    assert answer["response_action"] == "update" and "sent you a DM" in str(answer["view"])
    eventually(lambda: len(dm.posts()) >= before + 2)  # the intro, then the first question
    return dm


def test_two_personas_layered_in_a_dm_with_a_restart_in_the_middle(slack: FakeSlack, any_engine: Engine,
                                                                   clock: FakeClock) -> None:
    first = Bot(slack=slack, engine=any_engine, clock=clock)
    try:
        j = Journeys(first, slack)
        maya, leo = add_persona(first, "Maya"), add_persona(first, "Leo")
        j.create("Onboarding", template="typed", typed="Sign up\nFirst use")
        journey = j.journey("Onboarding")
        signup, first_use = j.stages(journey.id)
        j.fill(journey.id, layer=f"persona:{maya}", stage_id=signup.id, pains="Fees", emotion="-1 anxious")

        dm = _start(j, journey.id, layer=f"layer:{_layer_id(first, maya)}", stage_id=signup.id)
        assert "Sign up → First use" in dm.posts()[-2]["text"] and "Question 1 of 18" in dm.last()
        assert "Sign up" in dm.last() and "What do they want" in dm.last()
        assert "Question 2 of 18" in dm.say("- Finish fast\n- No password")
        back = dm.say("back")
        assert "Question 1 of 18" in back and "Finish fast" in back, "back shows the answer given"
        assert "Question 2 of 18" in dm.say("ok")
        for number in (3, 4, 5, 6, 7):
            asked = dm.say("skip")
            assert f"Question {number} of 18" in asked
        assert "-1 anxious" in asked, "the emotion filled in the form shows as Currently"
        assert "Fees" in dm.say("ok"), "ok keeps the emotion; the pains show theirs"
        assert "Question 9 of 18" in dm.say("ok")
    finally:
        first.close()

    second = Bot(slack=slack, engine=any_engine, clock=clock)  # a restart, same database
    try:
        dm = Dm(second, j.user)
        asked = dm.say("Show the delivery date early")
        assert "Question 10 of 18" in asked and "First use" in asked
        for _ in range(5):
            dm.say("skip")
        assert "How do they feel" in dm.say("skip")
        assert "Start with a number" in dm.say("7 ecstatic", replies=2)
        dm.say("+2 confident")
        dm.say("Slow app")
        done = dm.say("skip")
        assert "Saved" in done and "2 stages changed" in done

        j = Journeys(second, slack)
        layer = _layer_id(second, maya)
        cells = {c.stage_id: c for c in j.cells() if c.layer_id == layer}
        assert cells[signup.id].goals == ["Finish fast", "No password"]
        assert (cells[signup.id].emotion, cells[signup.id].emotion_word) == (-1, "anxious")
        assert cells[signup.id].pains == ["Fees"] and cells[signup.id].opportunities == ["Show the delivery date early"]
        assert (cells[first_use.id].emotion, cells[first_use.id].pains) == (2, ["Slow app"])

        dm = _start(j, journey.id, layer=f"persona:{leo}", stage_id=first_use.id)
        assert "Question 1 of 9" in dm.last() and "First use" in dm.last()
        for answer in ("Learn it alone", "skip", "skip", "skip", "skip", "skip", "-2 lost", "No help", "skip"):
            last = dm.say(answer)
        assert "1 stage changed" in last
        leo_cells = [c for c in j.cells() if c.layer_id == _layer_id(second, leo)]
        assert [(c.stage_id, c.emotion, c.pains) for c in leo_cells] == [(first_use.id, -2, ["No help"])]
        with Session(second.engine) as db:
            assert db.exec(select(Conversation)).all() == [], "finished conversations leave no state"
    finally:
        second.close()


def test_cancel_saves_nothing(bot: Bot, slack: FakeSlack) -> None:
    j = Journeys(bot, slack)
    maya = add_persona(bot, "Maya")
    j.create("Checkout", template="short")
    journey = j.journey("Checkout")
    dm = _start(j, journey.id, layer=f"persona:{maya}", stage_id=j.stages(journey.id)[0].id)
    assert "Question 1 of 45" in dm.last()
    dm.say("Pay fast")
    assert "Nothing was saved" in dm.say("cancel")
    assert j.cells() == []
