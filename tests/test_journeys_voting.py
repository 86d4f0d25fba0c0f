"""A dot-vote over the pains and opportunities of a whole map, and an owner per chosen
opportunity: ballots per person (replaced when voting again, at most five), the ranking, owners
given in Vote results, shown on the card."""

from __future__ import annotations

from sqlalchemy.engine import Engine

from bot.journeys import ids
from tests.harness import Bot, FakeClock, eventually
from tests.journey_kit import Journeys, add_persona, text_of
from tests.slack_fake import FakeSlack, payloads


def _vote(j: Journeys, journey_id: int, user: str, *texts: str) -> dict:
    ballot = j.open_by_click(ids.VOTE, str(journey_id), user=user)
    select = next(b for b in ballot["blocks"] if b.get("block_id") == ids.VOTE_BLOCK)["element"]
    keys = [o["value"] for o in select["options"] if any(t in o["text"]["text"] for t in texts)]
    assert len(keys) == len(texts), (texts, select["options"])
    return j.submit(ballot, {ids.VOTE_BLOCK: {"value": payloads.input_checkboxes(keys)}}, user=user).json()


def test_the_team_votes_and_gives_chosen_opportunities_owners(slack: FakeSlack, any_engine: Engine,
                                                              clock: FakeClock) -> None:
    bot = Bot(slack=slack, engine=any_engine, clock=clock)
    try:
        j = Journeys(bot, slack)
        maya = add_persona(bot, "Maya")
        j.create("Checkout", template="short")
        journey = j.journey("Checkout")
        stages = [s.id for s in j.stages(journey.id)]
        nothing = j.open_by_click(ids.VOTE, str(journey.id))
        assert "no pains or opportunities yet" in text_of(nothing)
        j.fill(journey.id, layer=f"persona:{maya}", stage_id=stages[2],
               pains="Hidden fees\nSlow page\nTiny text\nNo guest checkout",
               opportunities="Show the total first\nOne-click pay")
        ts = j.show("Checkout")

        assert "Your 2 votes are in" in text_of(_vote(j, journey.id, "U0A", "Hidden fees", "Show the total"))
        _vote(j, journey.id, "U0B", "Show the total", "One-click")
        _vote(j, journey.id, "U0A", "Show the total", "Slow page")  # voting again replaces the ballot
        too_many = j.open_by_click(ids.VOTE, str(journey.id), user="U0C")
        every = [o["value"] for o in next(b for b in too_many["blocks"]
                                          if b.get("block_id") == ids.VOTE_BLOCK)["element"]["options"]]
        refused = j.submit(too_many, {ids.VOTE_BLOCK: {"value": payloads.input_checkboxes(every)}}, user="U0C")
        assert "at most 5" in refused.json()["errors"][ids.VOTE_BLOCK]

        results = j.open_by_click(ids.VOTE_RESULTS, str(journey.id))
        text = text_of(results)
        assert "2 people have voted" in text and "Hidden fees" not in text
        assert text.index("2 votes · Opportunity · Buy · Maya: Show the total first") < text.index("One-click")
        owner_blocks = [b["block_id"] for b in results["blocks"] if b.get("block_id", "").startswith(
            ids.OPPORTUNITY_PREFIX)]
        assert len(owner_blocks) == 2
        j.submit(results, {owner_blocks[0]: {"value": payloads.input_users_select("U0PM")}})
        bot.settle()
        eventually(lambda: "Chosen opportunities:* Show the total first (<@U0PM>)" in text_of(j.card(ts)))
        again = j.open_by_click(ids.VOTE_RESULTS, str(journey.id))
        first = next(b for b in again["blocks"] if b.get("block_id") == owner_blocks[0])
        assert first["element"]["initial_user"] == "U0PM"
    finally:
        bot.close()
