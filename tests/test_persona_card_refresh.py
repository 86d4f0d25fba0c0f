"""A card already posted follows its persona: Edit, Add evidence and Retire rewrite the card pressed."""

from __future__ import annotations

from typing import Any

from bot.personas import cards, ids
from storage import personas as store
from storage.db import unit_of_work
from tests.harness import Bot, eventually
from tests.persona_helpers import blocks_text, form_values, make_persona, q, view_of
from tests.slack_fake import FakeSlack, payloads


def _post_card(bot: Bot, persona: Any) -> tuple[str, list[dict]]:
    """The card as Share leaves it in a channel (a message with an intro)."""
    shown = q(bot.engine, lambda db: cards.card(bot.deps, db, persona, intro="Shared by <@U0READER>"))
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
    assert q(bot.engine, store.get_persona, team_id="T0001", persona_id=maya.id).status == "retired"
    assert slack.block_kit_errors == []


def test_a_card_shared_in_a_channel_follows_changes_made_anywhere(bot: Bot, slack: FakeSlack) -> None:
    maya = make_persona(bot, owner="U0OWNER")
    bot.http.interactive(payloads.block_actions(ids.SHARE, value=str(maya.id), user="U0READER", channel="C0TEAM",
                                                response_url=slack.response_url("actions")))
    [shared] = eventually(lambda: [c for c in slack.calls_to("chat.postMessage") if c.args["channel"] == "C0TEAM"])
    ts = shared.response["ts"]
    assert "Shared by <@U0READER>" in blocks_text(shared.args["blocks"])
    assert slack.calls_to("response_url") == [], "posted by the bot, not through the response_url"

    # the owner edits from the form (not from this card): the shared copy follows
    bot.http.interactive(payloads.view_submission(ids.FORM_MODAL, form_values(role="Commuter on a budget"),
                                                  user="U0OWNER", private_metadata=f'{{"id": {maya.id}, "v": 1}}'))
    eventually(lambda: "Commuter on a budget" in blocks_text(slack.messages[("C0TEAM", ts)]["blocks"]))
    assert "Shared by <@U0READER>" in blocks_text(slack.messages[("C0TEAM", ts)]["blocks"])
    dm_card = eventually(lambda: [c for c in slack.calls_to("chat.postMessage") if c.args["channel"] == "U0OWNER"])
    dm_ts = (dm_card[0].response["channel"], dm_card[0].response["ts"])

    # governance marks it reviewed (the DM copy was deleted meanwhile: forgotten), then retires it
    slack.fail_next("chat.update", "message_not_found")  # the newest copy first: the DM one
    with unit_of_work(bot.engine) as db:  # the review subject works in the caller's unit of work
        bot.deps.subjects["persona"].mark_reviewed(db, team_id="T0001", subject_id=maya.id, user_id="U0OWNER",
                                                   now=bot.deps.clock.now())
    bot.settle()  # the cards follow after the commit
    with unit_of_work(bot.engine) as db:
        bot.deps.subjects["persona"].retire(db, team_id="T0001", subject_id=maya.id, by_user_id="U0OWNER",
                                            now=bot.deps.clock.now())
    bot.settle()
    assert "is retired" in blocks_text(slack.messages[("C0TEAM", ts)]["blocks"])
    assert "is retired" not in blocks_text(slack.messages[dm_ts]["blocks"])
    updates = [c.args["channel"] for c in slack.calls_to("chat.update")]
    assert updates == ["C0TEAM", dm_ts[0], "C0TEAM", "C0TEAM"], "edit; reviewed: both; retired: the one left"
    assert slack.block_kit_errors == []


def test_sharing_where_the_bot_is_not_a_member_still_works(bot: Bot, slack: FakeSlack) -> None:
    maya = make_persona(bot, owner="U0OWNER")
    slack.channels["C0CLOSED"] = {"is_member": False}
    bot.http.interactive(payloads.block_actions(ids.SHARE, value=str(maya.id), user="U0READER",
                                                channel="C0CLOSED", response_url=slack.response_url("actions")))
    [posted] = eventually(lambda: slack.calls_to("response_url"))
    assert posted.args["response_type"] == "in_channel" and "Maya" in blocks_text(posted.args["blocks"])


def test_the_card_at_the_end_of_the_conversation_follows_too(bot: Bot, slack: FakeSlack) -> None:
    from tests.persona_helpers import Dm

    dm = Dm(bot, "U0ANA")
    bot.http.command(payloads.slash_command("/persona", "new", user="U0ANA"))
    eventually(lambda: len(dm.posts()) >= 2)
    dm.say("Ana")
    dm.say("Night nurse")
    for _ in range(12):
        dm.say("skip")
    dm.say("ok")
    [persona] = q(bot.engine, store.list_personas, team_id="T0001")
    [final] = eventually(lambda: [c for c in slack.calls_to("chat.postMessage")
                                  if "saved as a proto-persona" in c.args.get("text", "")])  # posted after the ack
    with unit_of_work(bot.engine) as db:  # the review subject works in the caller's unit of work
        bot.deps.subjects["persona"].retire(db, team_id="T0001", subject_id=persona.id, by_user_id="U0ANA",
                                            now=bot.deps.clock.now())
    bot.settle()  # the cards follow after the commit
    card = blocks_text(slack.messages[(final.response["channel"], final.response["ts"])]["blocks"])
    assert "is retired" in card and "saved as a proto-persona" in card, "the intro stays"


def test_a_double_click_on_share_posts_the_card_once(bot: Bot, slack: FakeSlack) -> None:
    maya = make_persona(bot, owner="U0OWNER")
    preview = {"type": "message", "message_ts": payloads.new_ts(), "channel_id": "C0TEAM", "is_ephemeral": True}
    for _ in range(2):
        bot.http.interactive(payloads.block_actions(ids.SHARE, value=str(maya.id), user="U0READER", channel="C0TEAM",
                                                    container=preview, response_url=slack.response_url("actions")))
    eventually(lambda: slack.calls_to("chat.postMessage"))
    bot.http.interactive(payloads.block_actions(ids.SHOW, value=str(maya.id), user="U0READER", channel="C0TEAM",
                                                response_url=slack.response_url("actions")))
    eventually(lambda: slack.calls_to("response_url"))  # a later request: both clicks were handled by now
    assert len(slack.calls_to("chat.postMessage")) == 1


def test_the_card_sent_after_a_save_follows_without_its_saved_line(bot: Bot, slack: FakeSlack) -> None:
    maya = make_persona(bot, owner="U0OWNER")
    bot.http.interactive(payloads.view_submission(ids.FORM_MODAL, form_values(role="Commuter"), user="U0OWNER",
                                                  private_metadata=f'{{"id": {maya.id}, "v": 1}}'))
    [sent] = eventually(lambda: slack.calls_to("chat.postMessage"))
    assert "saved (version 2)" in blocks_text(sent.args["blocks"])
    with unit_of_work(bot.engine) as db:  # the review subject works in the caller's unit of work
        bot.deps.subjects["persona"].retire(db, team_id="T0001", subject_id=maya.id, by_user_id="U0OWNER",
                                            now=bot.deps.clock.now())
    bot.settle()  # the cards follow after the commit
    card = blocks_text(slack.messages[(sent.response["channel"], sent.response["ts"])]["blocks"])
    assert "is retired" in card and "version 3" in card and "saved (version 2)" not in card


def test_storage_remembers_each_posted_card_once_and_forgets_it(any_engine: Any) -> None:
    from datetime import UTC, datetime

    from storage import persona_cards

    now = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)
    persona = q(any_engine, store.create_persona, team_id="T1", values={"name": "Maya"}, created_by="U1", now=now)
    where = {"team_id": "T1", "persona_id": persona.id, "now": now}
    assert q(any_engine, persona_cards.remember_card, channel_id="C1", message_ts="1.1", intro="Shared", **where)
    assert not q(any_engine, persona_cards.remember_card, channel_id="C1", message_ts="1.1", intro="x", **where)
    assert q(any_engine, persona_cards.remember_card, channel_id="D1", message_ts="2.2", intro="", **where)
    newest, oldest = q(any_engine, persona_cards.list_cards, team_id="T1", persona_id=persona.id)
    assert (newest.channel_id, oldest.channel_id, oldest.intro) == ("D1", "C1", "Shared")
    assert q(any_engine, persona_cards.list_cards, team_id="T2", persona_id=persona.id) == []
    q(any_engine, persona_cards.forget_card, card_id=oldest.id)
    left = q(any_engine, persona_cards.list_cards, team_id="T1", persona_id=persona.id)
    assert [c.channel_id for c in left] == ["D1"]
