"""The persona card: edit by modal (with its revision diff), permissions, retire, suggest, the form."""

from __future__ import annotations

import json

from sqlalchemy.engine import Engine

from bot.personas import form, ids
from bot.review_subjects import SubjectChange
from storage import personas as store
from tests.harness import Bot, FakeClock, eventually
from tests.persona_helpers import Dm, blocks_text, form_values, make_persona, q, view_of
from tests.slack_fake import FakeSlack, payloads


def _click(bot: Bot, action_id: str, persona_id: int, user: str) -> None:
    response = bot.http.interactive(payloads.block_actions(action_id, value=str(persona_id), user=user,
                                                           response_url=bot.slack.response_url("actions")))
    assert response.status == 200


def _ephemeral_answers(slack: FakeSlack) -> list[str]:
    return [c.args.get("text", "") for c in slack.calls_to("response_url")]


def test_the_owner_edits_by_modal_and_history_shows_the_change_field_by_field(bot: Bot, slack: FakeSlack) -> None:
    persona = make_persona(bot, owner="U0OWNER")
    _click(bot, ids.EDIT, persona.id, "U0OWNER")
    opened = view_of(slack.wait_for("views.open")[0].args)
    assert opened["callback_id"] == ids.FORM_MODAL and "Finish checkout fast" in blocks_text(opened["blocks"])

    submitted = bot.http.interactive(payloads.view_submission(
        ids.FORM_MODAL, form_values(goals=["Finish checkout fast", "Track the parcel"], confidence="medium",
                                    note="after 5 interviews"),
        user="U0OWNER", private_metadata=opened["private_metadata"]))
    assert submitted.status == 200 and not submitted.body_text.strip(), "a valid edit closes the modal"
    saved = eventually(lambda: q(bot.engine, store.get_persona, team_id="T0001", persona_id=persona.id).version == 2)
    assert saved
    edited = q(bot.engine, store.get_persona, team_id="T0001", persona_id=persona.id)
    assert edited.goals == ["Finish checkout fast", "Track the parcel"] and edited.confidence == "medium"
    dm = Dm(bot, "U0OWNER")
    eventually(lambda: dm.posts())
    assert "saved (version 2)" in dm.last() and "version 2" in dm.last()

    slack.clear()
    _click(bot, ids.HISTORY, persona.id, "U0STRANGER")
    history = blocks_text(view_of(slack.wait_for("views.open")[0].args)["blocks"])
    assert "Version 2" in history and "after 5 interviews" in history and "Version 1" in history
    assert "Confidence*: low → medium" in history
    assert "Goals*: Finish checkout fast → Finish checkout fast; Track the parcel" in history
    assert "_after 5 interviews_\\n• *" in history, "each change on a line of its own"
    assert "• *Owner*: – → <@U0OWNER>" in history, "people as mentions, not bare ids"
    assert "<!date^" in history and "+00:00" not in history, "dates in the reader's zone"
    [revision, _] = q(bot.engine, store.list_revisions, team_id="T0001", persona_id=persona.id)
    assert set(revision.changes) == {"goals", "confidence"} and revision.editor_id == "U0OWNER"


def test_someone_else_cannot_edit_or_retire_but_can_suggest(bot: Bot, slack: FakeSlack) -> None:
    changes: list[SubjectChange] = []
    bot.deps.on_change.append(lambda _db, change: changes.append(change))
    persona = make_persona(bot, owner="U0OWNER")
    _click(bot, ids.EDIT, persona.id, "U0STRANGER")
    _click(bot, ids.RETIRE, persona.id, "U0STRANGER")
    answers = eventually(lambda: len(_ephemeral_answers(slack)) == 2 and _ephemeral_answers(slack))
    joined = "\n".join(answers)  # the two clicks are answered in either order
    assert "can edit it" in joined and "can retire it" in joined and "<@U0OWNER>" in answers[0]
    assert slack.calls_to("views.open") == []

    forged = bot.http.interactive(payloads.view_submission(
        ids.FORM_MODAL, form_values(name="Hacked"), user="U0STRANGER",
        private_metadata=json.dumps({"id": persona.id, "v": 1})))
    assert forged.json()["response_action"] == "errors" and "Only the owner" in forged.json()["errors"]["name"]
    assert q(bot.engine, store.get_persona, team_id="T0001", persona_id=persona.id).name == "Maya"

    _click(bot, ids.SUGGEST, persona.id, "U0STRANGER")
    suggest = view_of(slack.wait_for("views.open")[0].args)
    empty = bot.http.interactive(payloads.view_submission(ids.SUGGEST_MODAL, {ids.SUGGESTION_BLOCK: {"value": ""}},
                                                          user="U0STRANGER",
                                                          private_metadata=suggest["private_metadata"]))
    assert empty.json()["response_action"] == "errors"
    bot.http.interactive(payloads.view_submission(
        ids.SUGGEST_MODAL, {ids.SUGGESTION_BLOCK: {"value": "She also shops on desktop at work"}},
        user="U0STRANGER", private_metadata=suggest["private_metadata"]))
    eventually(lambda: any(c.change == "suggested" for c in changes))
    assert [c.detail for c in changes if c.change == "suggested"] == ["She also shops on desktop at work"]

    _click(bot, ids.RETIRE, persona.id, "U0OWNER")
    eventually(lambda: q(bot.engine, store.get_persona, team_id="T0001", persona_id=persona.id).status == "retired")
    _click(bot, ids.EDIT, persona.id, "U0OWNER")
    eventually(lambda: any("no longer exists" in a for a in _ephemeral_answers(slack)))


def test_the_form_checks_every_field_inline_and_loses_nothing(bot: Bot, slack: FakeSlack) -> None:
    make_persona(bot, owner="U0OWNER", name="Ben")
    bot.http.command(payloads.slash_command("/persona", "form", user="U0NEW"))
    opened = view_of(slack.wait_for("views.open")[0].args)
    assert opened["callback_id"] == ids.FORM_MODAL and form.metadata(opened) == {}

    bad = bot.http.interactive(payloads.view_submission(ids.FORM_MODAL, form_values(
        name="  ben ", role="", goals=["x" * 400], cadence_days="3"), user="U0NEW", private_metadata="{}")).json()
    assert bad["response_action"] == "errors"
    assert set(bad["errors"]) == {"name", "role", "goals", "cadence_days"}
    assert "already an active persona" in bad["errors"]["name"] and "needs an answer" in bad["errors"]["role"]
    assert len(q(bot.engine, store.list_personas, team_id="T0001")) == 1

    good = bot.http.interactive(payloads.view_submission(ids.FORM_MODAL, form_values(
        name="Lena 🚀 <!here>", owner_id="U0NEW", goals=["• Ship by Friday", "", "2) Sleep"]),
        user="U0NEW", private_metadata="{}"))
    assert good.status == 200 and not good.body_text.strip()
    lena = eventually(lambda: q(bot.engine, store.find_personas, team_id="T0001", name="Lena"))[0]
    assert lena.name == "Lena 🚀 <!here>" and lena.goals == ["Ship by Friday", "Sleep"] and lena.owner_id == "U0NEW"
    dm = Dm(bot, "U0NEW")
    eventually(lambda: dm.posts())
    assert "<!here>" not in dm.last() and "Lena 🚀 &lt;!here&gt;" in dm.last()


def test_the_same_form_or_suggestion_submitted_twice_counts_once(bot: Bot, slack: FakeSlack) -> None:
    maya = make_persona(bot, owner="U0OWNER", name="Maya")
    for _ in range(2):
        answer = bot.http.interactive(payloads.view_submission(
            ids.FORM_MODAL, form_values(name="Lena", owner_id="U0NEW"), user="U0NEW", private_metadata="{}",
            view_id="V0FORM"))
        assert answer.status == 200
    eventually(lambda: q(bot.engine, store.find_personas, team_id="T0001", name="Lena"))
    for _ in range(2):
        bot.http.interactive(payloads.view_submission(
            ids.SUGGEST_MODAL,
            {ids.SUGGESTION_BLOCK: {"value": "Add the night shift"}}, user="U0NEW",
            private_metadata=str(maya.id), view_id="V0SUGGEST"))
    told = eventually(lambda: [p for p in Dm(bot, "U0NEW").posts() if "suggestion" in p.get("text", "").lower()])
    bot.deps.stop()  # let the work queued after the acks finish before counting
    assert len(q(bot.engine, store.find_personas, team_id="T0001", name="Lena")) == 1
    assert len([p for p in Dm(bot, "U0NEW").posts() if "suggestion" in p.get("text", "").lower()]) == len(told) == 1


def test_an_edit_from_an_old_form_never_overwrites_a_newer_one(bot: Bot, slack: FakeSlack) -> None:
    persona = make_persona(bot, owner="U0OWNER")
    old_form = json.dumps({"id": persona.id, "v": 1})
    first = bot.http.interactive(payloads.view_submission(ids.FORM_MODAL, form_values(role="Commuter"),
                                                          user="U0OWNER", private_metadata=old_form))
    assert not first.body_text.strip()
    eventually(lambda: q(bot.engine, store.get_persona, team_id="T0001", persona_id=persona.id).version == 2)
    second = bot.http.interactive(payloads.view_submission(ids.FORM_MODAL, form_values(role="Student"),
                                                           user="U0OWNER", private_metadata=old_form)).json()
    assert "changed this persona since you opened the form" in second["errors"]["name"]
    assert q(bot.engine, store.get_persona, team_id="T0001", persona_id=persona.id).role == "Commuter"


def test_share_posts_the_card_in_the_channel(bot: Bot, slack: FakeSlack) -> None:
    persona = make_persona(bot, owner="U0OWNER")
    _click(bot, ids.SHARE, persona.id, "U0READER")
    [posted] = eventually(lambda: slack.calls_to("chat.postMessage"))
    assert posted.args["channel"] == "C0001" and "Shared by <@U0READER>" in blocks_text(posted.args["blocks"])
    assert ids.SHARE not in blocks_text(posted.args["blocks"]), "the shared card has no share button"


def test_a_configured_admin_may_edit_any_persona(slack: FakeSlack, engine: Engine, clock: FakeClock) -> None:
    admin_bot = Bot(slack=slack, engine=engine, clock=clock, admin_user_ids="U0ADMIN, U0OTHER")
    try:
        persona = make_persona(admin_bot, owner="U0OWNER")
        response = admin_bot.http.interactive(payloads.view_submission(
            ids.FORM_MODAL, form_values(owner_id="U0NEWOWNER"), user="U0ADMIN",
            private_metadata=json.dumps({"id": persona.id, "v": 1})))
        assert not response.body_text.strip()
        eventually(lambda: q(engine, store.get_persona, team_id="T0001",
                             persona_id=persona.id).owner_id == "U0NEWOWNER")
    finally:
        admin_bot.close()


def test_history_shows_typed_markup_as_text(bot: Bot, slack: FakeSlack) -> None:
    persona = make_persona(bot, owner="U0OWNER")
    bot.http.interactive(payloads.view_submission(
        ids.FORM_MODAL, form_values(goals=["Ping <!channel> & <@U123>"], note="per <!here>"), user="U0OWNER",
        private_metadata=json.dumps({"id": persona.id, "v": 1})))
    eventually(lambda: q(bot.engine, store.get_persona, team_id="T0001", persona_id=persona.id).version == 2)
    _click(bot, ids.HISTORY, persona.id, "U0READER")
    history = blocks_text(view_of(slack.wait_for("views.open")[0].args)["blocks"])
    assert "Ping &lt;!channel&gt; &amp; &lt;@U123&gt;" in history and "per &lt;!here&gt;" in history
    assert "<!channel>" not in history and "<@U123>" not in history and "<!here>" not in history
    assert slack.block_kit_errors == []
