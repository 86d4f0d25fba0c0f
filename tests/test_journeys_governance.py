"""Journeys under governance: a cadence review scheduled with the journey, a layer change by
someone else asks the owner to review, the layered personas' owners to review together and the
link's owner to check the layer (once per burst, never the person who made the change)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlmodel import Session, select

from storage.models import Review
from tests.governance_kit import dms, text_of
from tests.harness import Bot
from tests.journey_kit import Journeys, add_persona


def _reviews(bot: Bot) -> list[tuple[str, int, str, str]]:
    with Session(bot.engine) as db:
        return [(r.subject_type, r.subject_id, r.owner_id, r.reason)
                for r in db.exec(select(Review).order_by(Review.id))]


def test_a_journey_is_reviewed_on_its_cadence_and_together_with_its_personas(bot: Bot, slack) -> None:
    j = Journeys(bot, slack)
    maya = add_persona(bot, "Maya")  # owned by U0PERSONA
    j.create("Checkout", template="short")
    journey = j.journey("Checkout")
    assert journey.next_review_at == bot.clock.now() + timedelta(days=90)
    assert _reviews(bot) == [("journey", journey.id, "U0OWNER", "cadence")]

    stages = j.stages(journey.id)
    editor = Journeys(bot, slack, user="U0EDITOR")
    editor.fill(journey.id, layer=f"persona:{maya}", stage_id=stages[0].id, pains="Fees")
    editor.fill(journey.id, layer=f"layer:{j.cells()[0].layer_id}", stage_id=stages[1].id, pains="Tabs")
    found = _reviews(bot)
    assert found.count(("journey", journey.id, "U0OWNER", "change")) == 1  # once for the burst
    assert found.count(("persona", maya, "U0PERSONA", "linked")) == 1

    layer_id = j.cells()[0].layer_id
    j.fill(journey.id, layer=f"layer:{layer_id}", stage_id=stages[2].id, pains="Slow")
    assert _reviews(bot)[len(found):] == [("journey", journey.id, "U0EDITOR", f"link:{layer_id}")], \
        "the owner's own edit asks only the link's owner (U0EDITOR linked Maya) to check her layer"
    bot.clock.set(datetime(2026, 11, 23, 12, 0, tzinfo=UTC))  # a Monday noon: within working hours
    bot.tick()
    [nudge] = dms(slack, "U0EDITOR")
    assert "The journey *Checkout* changed (<@U0OWNER> edited it): check that *Maya*'s layer on it is still " \
           "true." in text_of(nudge)
    subject = bot.deps.subjects["journey"]
    with Session(bot.engine) as db:
        assert subject.linked(db, team_id="T0001", subject_id=journey.id) == [("persona", maya)]
        assert subject.describe(db, team_id="T0001", subject_id=journey.id).title == "Checkout"
