"""A journey's scope and state, as practitioners set them: where it starts and ends, why this
journey, current or future state (a future state lists what is behind it); asked when created,
edited from the card, shown on the card and in the exports."""

from __future__ import annotations

import json

from bot.journeys import ids
from storage.states import JourneyState
from tests.harness import Bot, eventually
from tests.journey_kit import Journeys, as_dict, text_of
from tests.slack_fake import FakeSlack, payloads

SCOPE = {ids.SCOPE_START_BLOCK: {"value": "They need a gift"}, ids.SCOPE_END_BLOCK: {"value": "The gift <arrives>"},
         ids.SCOPE_WHY_BLOCK: {"value": "Half of mobile checkouts are abandoned"}}


def _create(j: Journeys, name: str, state: str, backstage: str = "") -> object:
    before = len(j.slack.calls_to("views.open"))
    j.command("new")
    view = as_dict(j.slack.wait_for("views.open", before + 1)[before].response["view"])
    assert ids.STATE_BLOCK in text_of(view) and ids.BACKSTAGE_BLOCK in text_of(view)
    return j.submit(view, {ids.NAME_BLOCK: {"value": name}, ids.GOAL_BLOCK: {"value": "Buy a gift"},
                           ids.OWNER_BLOCK: {"value": payloads.input_users_select(j.user)},
                           ids.TEMPLATE_BLOCK: {"value": payloads.input_static_select("short")},
                           ids.STATE_BLOCK: {"value": payloads.input_static_select(state)},
                           ids.BACKSTAGE_BLOCK: {"value": backstage}, **SCOPE})


def test_a_future_state_map_with_scope_and_what_is_behind_it(bot: Bot, slack: FakeSlack) -> None:
    j = Journeys(bot, slack)
    refused = _create(j, "Checkout today", "current", backstage="Fraud check")
    assert "future-state map" in refused.json()["errors"][ids.BACKSTAGE_BLOCK]
    assert _create(j, "Checkout 2027", "future", backstage="Fraud check service\nWarehouse pick list").status == 200
    journey = j.journey("Checkout 2027")
    assert journey.state == JourneyState.FUTURE and journey.scope_start == "They need a gift"
    card = text_of(j.card(j.show("Checkout 2027")))
    assert "Future state" in card and "They need a gift" in card and "The gift &lt;arrives&gt;" in card
    assert "Half of mobile checkouts" in card and "Fraud check service; Warehouse pick list" in card

    before = len(slack.calls_to("upload"))
    j.click(ids.EXPORT_JSON, str(journey.id))
    j.click(ids.EXPORT_MD, str(journey.id))
    eventually(lambda: len(slack.calls_to("upload")) == before + 2)
    bodies = [slack.uploads[c.args["file_id"]].decode() for c in slack.calls_to("upload")[before:]]
    document = json.loads(next(b for b in bodies if b.startswith("{")))
    assert document["journey"]["state"] == "future" and document["journey"]["scope"]["end"] == "The gift <arrives>"
    assert document["journey"]["backstage"] == ["Fraud check service", "Warehouse pick list"]
    markdown = next(b for b in bodies if not b.startswith("{"))
    assert "the future state" in markdown and "**Scope:** from They need a gift to The gift &lt;arrives&gt;" in markdown


def test_details_are_edited_from_the_card(bot: Bot, slack: FakeSlack) -> None:
    j = Journeys(bot, slack)
    j.create("Onboarding", template="short")
    journey = j.journey("Onboarding")
    assert journey.state == JourneyState.CURRENT and journey.scope_start == ""
    ts = j.show("Onboarding")
    assert "Current state" in text_of(j.card(ts)) and "no scope yet" in text_of(j.card(ts))
    form = j.open_by_click(ids.EDIT_DETAILS, str(journey.id))
    assert "Onboarding" in text_of(form)
    values = {ids.NAME_BLOCK: {"value": "Onboarding v2"}, ids.GOAL_BLOCK: {"value": "Get going"},
              ids.STATE_BLOCK: {"value": payloads.input_static_select("current")},
              ids.BACKSTAGE_BLOCK: {"value": ""}, **SCOPE}
    assert j.submit(form, values).status == 200
    bot.settle()
    edited = j.journey("Onboarding v2")
    assert (edited.scope_end, edited.goal, edited.revision) == ("The gift <arrives>", "Get going", journey.revision + 1)
    assert j.history(journey.id)[-1].detail["fields"] == ["goal", "name", "scope_end", "scope_start", "scope_why"]
    eventually(lambda: "Onboarding v2" in text_of(j.card(ts)) and "Half of mobile" in text_of(j.card(ts)))
