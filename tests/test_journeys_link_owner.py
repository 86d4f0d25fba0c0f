"""The link between a persona and a journey has an owner of its own: whoever linked it, unless
the persona card's "Link to a journey" names someone; linking again hands it over. The card and
the exports show it."""

from __future__ import annotations

import json

from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from bot.journeys import ids
from storage.journey_models import JourneyLayer
from tests.harness import Bot, FakeClock, eventually
from tests.journey_kit import Journeys, add_persona, text_of
from tests.slack_fake import FakeSlack, payloads


def _owners(bot: Bot) -> list[str]:
    with Session(bot.engine) as db:
        return [x.owner_id for x in db.exec(select(JourneyLayer).order_by(JourneyLayer.id))]


def _link(j: Journeys, persona: int, journey: int, owner: str | None) -> None:
    view = j.open_by_click(ids.LINK_PERSONA, str(persona), user="U0LINKER")
    assert ids.LINK_OWNER_BLOCK in text_of(view)
    values = {ids.JOURNEY_BLOCK: {"value": payloads.input_static_select(str(journey))}}
    if owner:
        values[ids.LINK_OWNER_BLOCK] = {"value": payloads.input_users_select(owner)}
    assert j.submit(view, values, user="U0LINKER").status == 200


def test_a_link_owner_defaults_to_whoever_linked_and_can_be_handed_over(slack: FakeSlack, any_engine: Engine,
                                                                       clock: FakeClock) -> None:
    bot = Bot(slack=slack, engine=any_engine, clock=clock)
    try:
        j = Journeys(bot, slack)
        maya, leo = add_persona(bot, "Maya"), add_persona(bot, "Leo")
        j.create("Checkout", template="short")
        journey = j.journey("Checkout")
        j.fill(journey.id, layer=f"persona:{maya}", stage_id=j.stages(journey.id)[0].id, pains="Fees")
        _link(j, leo, journey.id, None)
        assert _owners(bot) == [j.user, "U0LINKER"]
        ts = j.show("Checkout")
        assert "Leo (link kept by <@U0LINKER>)" in text_of(j.card(ts))

        _link(j, leo, journey.id, "U0RESEARCH")
        assert _owners(bot) == [j.user, "U0RESEARCH"]
        assert j.history(journey.id)[-1].detail["link_owner"] == {"from": "U0LINKER", "to": "U0RESEARCH"}
        bot.settle()
        eventually(lambda: "Leo (link kept by <@U0RESEARCH>)" in text_of(j.card(ts)))

        before = len(slack.calls_to("upload"))
        j.click(ids.EXPORT_JSON, str(journey.id))
        eventually(lambda: len(slack.calls_to("upload")) == before + 1)
        document = json.loads(slack.uploads[slack.calls_to("upload")[before].args["file_id"]].decode())
        assert [x["link_owner"] for x in document["layers"]] == [j.user, "U0RESEARCH"]
    finally:
        bot.close()
