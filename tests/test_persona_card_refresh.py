"""A card already posted follows its persona: Edit, Add evidence and Retire rewrite the card pressed."""

from __future__ import annotations

from typing import Any

from bot.personas import cards, ids
from storage import personas as store
from tests.harness import Bot, eventually
from tests.persona_helpers import blocks_text, form_values, make_persona, view_of
from tests.slack_fake import FakeSlack, payloads


def _post_card(bot: Bot, persona: Any) -> tuple[str, list[dict]]:
    """The card as Share leaves it in a channel (a message with an intro)."""
    shown = cards.card(bot.deps, persona, intro="Shared by <@U0READER>")
    posted = bot.deps.client.chat_postMessage(channel="C0TEAM", **shown)
    return posted["ts"], shown["blocks"]


def _press(bot: Bot, action_id: str, persona_id: int, user: str, ts: str, shown: list[dict]) -> None:
    response = bot.http.interactive(payloads.block_actions(
        action_id, value=str(persona_id), user=user, channel="C0TEAM", message_ts=ts, message_blocks=shown,
        response_url=bot.slack.response_url("actions")))
    assert response.status == 200


def test_a_card_in_a_channel_shows_each_edit_evidence_and_the_retirement(bot: Bot, slack: FakeSlack) -> None:
    maya = make_persona(bot, owner="U0OWNER")
    ts, shown = _post_card(bot, maya)

    _press(bot, ids.EDIT, maya.id, "U0OWNER", ts, shown)
    opened = view_of(slack.wait_for("views.open")[0].args)
    bot.http.interactive(payloads.view_submission(ids.FORM_MODAL, form_values(goals=["Track the parcel"]),
                                                  user="U0OWNER", private_metadata=opened["private_metadata"]))
    card = eventually(lambda: "Track the parcel" in blocks_text(slack.messages[("C0TEAM", ts)]["blocks"])
                      and blocks_text(slack.messages[("C0TEAM", ts)]["blocks"]))
    assert "version 2" in card and "Shared by <@U0READER>" in card, "the intro stays"
    assert "Finish checkout fast" not in card

    slack.clear()
    _press(bot, ids.ADD_EVIDENCE, maya.id, "U0READER", ts, slack.messages[("C0TEAM", ts)]["blocks"])
    opened = view_of(slack.wait_for("views.open")[0].args)
    bot.http.interactive(payloads.view_submission(ids.EVIDENCE_MODAL, {
        ids.EVIDENCE_TEXT_BLOCK: {"value": "7 of 8 asked where the parcel is"}}, user="U0READER",
        private_metadata=opened["private_metadata"]))
    eventually(lambda: "1 piece of evidence" in blocks_text(slack.messages[("C0TEAM", ts)]["blocks"]))

    _press(bot, ids.RETIRE, maya.id, "U0OWNER", ts, slack.messages[("C0TEAM", ts)]["blocks"])
    eventually(lambda: "is retired" in blocks_text(slack.messages[("C0TEAM", ts)]["blocks"]))
    retired = blocks_text(slack.messages[("C0TEAM", ts)]["blocks"])
    assert ids.EDIT not in retired and ids.RETIRE not in retired, "a retired card has no buttons left"
    assert slack.block_kit_errors == []


def test_an_ephemeral_preview_is_replaced_in_place_and_others_changes_refresh_nothing(
        bot: Bot, slack: FakeSlack) -> None:
    maya = make_persona(bot, owner="U0OWNER")
    ts, shown = _post_card(bot, maya)
    _press(bot, ids.RETIRE, maya.id, "U0STRANGER", ts, shown)
    eventually(lambda: slack.calls_to("response_url"))
    assert slack.calls_to("chat.update") == [], "a refused retire leaves the card alone"

    slack.clear()
    preview = slack.response_url("actions")
    bot.http.interactive(payloads.block_actions(ids.RETIRE, value=str(maya.id), user="U0OWNER",
                                                response_url=preview))  # no message_ts: an ephemeral card
    eventually(lambda: len(slack.calls_to("response_url")) == 2)
    replaced = [c.args for c in slack.calls_to("response_url") if c.args.get("replace_original")]
    assert len(replaced) == 1 and "is retired" in blocks_text(replaced[0]["blocks"])
    assert ids.SHARE not in blocks_text(replaced[0]["blocks"])
    assert store.get_persona(bot.engine, team_id="T0001", persona_id=maya.id).status == "retired"
    assert slack.block_kit_errors == []
