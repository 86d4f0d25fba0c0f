"""Journeys and their layers are hypotheses until research backs them: evidence is added from
the card (for the journey or one layer), counted on the card, and listed in the exports."""

from __future__ import annotations

import json

from sqlalchemy.engine import Engine

from bot.journeys import ids
from tests.harness import Bot, FakeClock, eventually
from tests.journey_kit import Journeys, add_persona, text_of
from tests.slack_fake import FakeSlack, payloads


def _add(j: Journeys, journey_id: int, about: str, text: str, link: str = "") -> object:
    form = j.open_by_click(ids.ADD_EVIDENCE, str(journey_id))
    return j.submit(form, {ids.ABOUT_BLOCK: {"value": payloads.input_static_select(about)},
                           ids.EVIDENCE_BLOCK: {"value": text}, ids.LINK_BLOCK: {"value": link}})


def test_evidence_for_the_journey_and_a_layer(slack: FakeSlack, any_engine: Engine, clock: FakeClock) -> None:
    bot = Bot(slack=slack, engine=any_engine, clock=clock)
    try:
        j = Journeys(bot, slack)
        maya, leo = add_persona(bot, "Maya"), add_persona(bot, "Leo")
        j.create("Checkout", template="short")
        journey = j.journey("Checkout")
        stage = j.stages(journey.id)[0].id
        j.fill(journey.id, layer=f"persona:{maya}", stage_id=stage, pains="Fees")
        j.fill(journey.id, layer=f"persona:{leo}", stage_id=stage, pains="Slow")
        ts = j.show("Checkout")
        assert "the journey is a hypothesis" in text_of(j.card(ts))

        assert "https://" in _add(j, journey.id, "journey", "Funnel data", link="not a link").json()["errors"][
            ids.LINK_BLOCK]
        assert _add(j, journey.id, "journey", "Funnel: 52% drop at fees", "https://dash.example/f").status == 200
        maya_layer = next(c.layer_id for c in j.cells())
        assert _add(j, journey.id, str(maya_layer), "6 of 8 interviews <fees>").status == 200
        bot.settle()
        eventually(lambda: "1 for the journey" in text_of(j.card(ts)))
        card = text_of(j.card(ts))
        assert "Maya: 1" in card and "Leo: _hypothesis_" in card

        before = len(slack.calls_to("upload"))
        j.click(ids.EXPORT_JSON, str(journey.id))
        eventually(lambda: len(slack.calls_to("upload")) == before + 1)
        document = json.loads(slack.uploads[slack.calls_to("upload")[before].args["file_id"]].decode())
        assert document["evidence"] == [
            {"about": "", "text": "Funnel: 52% drop at fees", "link": "https://dash.example/f"},
            {"about": "Maya", "text": "6 of 8 interviews <fees>", "link": ""}]
    finally:
        bot.close()
