"""Creating journeys (from a template, from typed stages, from the shortcut), listing them, and
editing their stages: removing a stage that holds content asks first and keeps it in history."""

from __future__ import annotations

from bot.journeys import ids
from storage.states import JourneyChange
from tests.harness import Bot, eventually
from tests.journey_kit import OWNER, Journeys, add_persona, as_dict, text_of
from tests.slack_fake import FakeSlack, payloads


def test_create_from_the_lifecycle_template(bot: Bot, slack: FakeSlack) -> None:
    j = Journeys(bot, slack)
    answer = j.create("Checkout", goal="Buy a gift in five minutes")
    assert not answer.body_text  # the form closes: the journey is saved before the ack
    journey = j.journey("Checkout")
    assert (journey.owner_id, journey.cadence_days, journey.goal) == (OWNER, 90, "Buy a gift in five minutes")
    assert [s.name for s in j.stages(journey.id)] == ["Awareness", "Consideration", "Purchase", "Onboarding",
                                                      "Adoption", "Expansion", "Advocacy/Churn"]
    assert j.history(journey.id)[0].change == JourneyChange.CREATED
    reply = eventually(lambda: [c for c in slack.calls_to("chat.postEphemeral") if "is created" in c.args["text"]])
    assert "Awareness → Consideration" in reply[0].args["text"]


def test_create_from_typed_stages_and_the_shortcut(bot: Bot, slack: FakeSlack) -> None:
    j = Journeys(bot, slack)
    bot.http.interactive(payloads.global_shortcut(ids.NEW_SHORTCUT, user=OWNER))
    view = as_dict(slack.wait_for("views.open")[0].response["view"])
    assert view["callback_id"] == ids.CREATE_MODAL
    owner = next(b for b in view["blocks"] if b["block_id"] == ids.OWNER_BLOCK)
    assert owner["element"]["initial_user"] == OWNER
    j.create("Renewal", template="typed", typed="- Notice\n\n2. Compare\nDecide\n")
    assert [s.name for s in j.stages(j.journey("Renewal").id)] == ["Notice", "Compare", "Decide"]


def test_the_form_says_what_to_fix(bot: Bot, slack: FakeSlack) -> None:
    j = Journeys(bot, slack)
    j.create("Checkout")
    errors = j.create("checkout", template="typed", typed="").json()["errors"]
    assert "already a journey" in errors[ids.NAME_BLOCK] and "at least one stage" in errors[ids.TYPED_BLOCK]
    errors = j.create("Long", template="typed", typed="\n".join(f"S{n}" for n in range(16))).json()["errors"]
    assert "at most 15" in errors[ids.TYPED_BLOCK]


def test_list_shows_health_and_lonely_personas(bot: Bot, slack: FakeSlack) -> None:
    j = Journeys(bot, slack)
    add_persona(bot, "Maya")
    j.create("Checkout", template="short")
    answer = j.command("list").json()
    text = text_of(answer["blocks"])
    assert "1 journey" in text and "Checkout" in text and "5 stages" in text and "no persona" in text
    assert "Personas on no journey" in text and "Maya" in text


def test_edit_stages_rename_reorder_add_and_remove_with_content_asks_first(bot: Bot, slack: FakeSlack) -> None:
    j = Journeys(bot, slack)
    j.create("Trial", template="short")
    journey = j.journey("Trial")
    discover, try_, buy, use, help_ = j.stages(journey.id)
    j.fill(journey.id, layer="segment", segment="Buyer", stage_id=try_.id, pains="No free trial",
           emotion="-1 annoyed")
    view = j.open_by_click(ids.EDIT_STAGES, str(journey.id))
    values = {f"{ids.STAGE_NAME_PREFIX}{s.id}": {"value": s.name} for s in (discover, use, help_)}
    values |= {f"{ids.STAGE_POS_PREFIX}{s.id}": {"value": payloads.input_static_select(str(n))}
               for s, n in ((discover, 2), (try_, 3), (buy, 1), (use, 4), (help_, 5))}
    values[f"{ids.STAGE_NAME_PREFIX}{buy.id}"] = {"value": "Pay"}
    values[f"{ids.STAGE_NAME_PREFIX}{try_.id}"] = {"value": ""}  # removed: it holds the Buyer's layer
    values[ids.ADD_STAGES_BLOCK] = {"value": "Renew"}
    answer = j.submit(view, values).json()
    assert answer["response_action"] == "push"
    confirm = answer["view"]
    assert "Try" in text_of(confirm["blocks"]) and "1 layer filled in" in text_of(confirm["blocks"])
    assert [s.name for s in j.stages(journey.id)][1] == "Try", "nothing changes before the confirmation"

    assert j.submit(confirm, {}).json()["response_action"] == "clear"
    assert [s.name for s in j.stages(journey.id)] == ["Pay", "Discover", "Use", "Get help", "Renew"]
    removed = next(r for r in j.history(journey.id) if r.change == JourneyChange.STAGE_REMOVED)
    assert removed.detail["layers"][0]["pains"] == ["No free trial"] and removed.editor_id == OWNER
    assert j.cells() == []


def test_edit_stages_without_content_applies_at_once(bot: Bot, slack: FakeSlack) -> None:
    j = Journeys(bot, slack)
    j.create("Trial", template="short")
    journey = j.journey("Trial")
    stages = j.stages(journey.id)
    view = j.open_by_click(ids.EDIT_STAGES, str(journey.id))
    values = {f"{ids.STAGE_NAME_PREFIX}{s.id}": {"value": s.name if s.name != "Try" else ""} for s in stages}
    assert not j.submit(view, values).body_text
    assert [s.name for s in j.stages(journey.id)] == ["Discover", "Buy", "Use", "Get help"]
