"""Evidence: any Slack message becomes evidence for a persona, once; validation needs some."""

from __future__ import annotations

import json

from bot.personas import ids
from bot.review_subjects import SubjectChange
from storage import persona_evidence
from storage import personas as store
from tests.harness import Bot, eventually
from tests.persona_helpers import Dm, blocks_text, form_values, make_persona, q, view_of
from tests.slack_fake import FakeSlack, payloads


def _evidence(bot: Bot, persona_id: int) -> list:
    return q(bot.engine, persona_evidence.list_evidence, team_id="T0001", persona_id=persona_id)


def test_a_message_becomes_evidence_once_with_its_permalink_and_author(bot: Bot, slack: FakeSlack) -> None:
    changes: list[SubjectChange] = []
    bot.deps.on_change.append(lambda _db, change: changes.append(change))
    maya = make_persona(bot, owner="U0OWNER")
    make_persona(bot, owner="U0OWNER", name="Ben")
    bot.http.interactive(payloads.message_shortcut(
        ids.EVIDENCE_SHORTCUT, message_text="I gave up at the fees step &lt;again&gt;", message_ts="1700000000.000100",
        message_user="U0CUSTOMER", channel="C0RESEARCH", user="U0RESEARCHER"))
    opened = view_of(slack.wait_for("views.open")[0].args)
    assert opened["callback_id"] == ids.EVIDENCE_MODAL
    shown = blocks_text(opened["blocks"])
    assert "Maya" in shown and "Ben" in shown and "I gave up at the fees step <again>" in shown

    unpicked = bot.http.interactive(payloads.view_submission(
        ids.EVIDENCE_MODAL, {ids.EVIDENCE_TEXT_BLOCK: {"value": "   "}}, user="U0RESEARCHER",
        private_metadata=opened["private_metadata"])).json()
    assert set(unpicked["errors"]) == {ids.EVIDENCE_TEXT_BLOCK, ids.PERSONA_BLOCK}

    submission = payloads.view_submission(ids.EVIDENCE_MODAL, {
        ids.PERSONA_BLOCK: {"value": payloads.input_static_select(str(maya.id))},
        ids.EVIDENCE_TEXT_BLOCK: {"value": "I gave up at the fees step <again>"},
    }, user="U0RESEARCHER", private_metadata=opened["private_metadata"])
    assert bot.http.interactive(submission).status == 200
    dm = Dm(bot, "U0RESEARCHER")
    eventually(lambda: dm.posts())
    assert "Attached to *Maya* (1 piece of evidence)" in dm.last()
    bot.http.interactive(submission)  # a double submit
    eventually(lambda: len(dm.posts()) == 2)
    assert "already evidence" in dm.last()

    [row] = _evidence(bot, maya.id)
    assert row.text == "I gave up at the fees step <again>" and row.author_id == "U0CUSTOMER"
    assert row.permalink.endswith("/archives/C0RESEARCH/p1700000000000100") and row.added_by == "U0RESEARCHER"
    assert [c.change for c in changes if c.subject_id == maya.id] == ["created", "evidence_added"]
    assert q(bot.engine, store.get_persona, team_id="T0001", persona_id=maya.id).version == 2
    card = blocks_text(bot.http.command(payloads.slash_command("/persona", "show Maya")).json()["blocks"])
    assert "1 piece of evidence" in card


def test_promoting_to_validated_needs_evidence(bot: Bot, slack: FakeSlack) -> None:
    maya = make_persona(bot, owner="U0OWNER")

    def promote(version: int) -> dict:
        response = bot.http.interactive(payloads.view_submission(
            ids.FORM_MODAL, form_values(kind="validated"), user="U0OWNER",
            private_metadata=json.dumps({"id": maya.id, "v": version})))
        return response.json() if response.body_text.strip() else {}

    refused = promote(1)
    assert "at least one piece of evidence" in refused["errors"]["kind"]
    assert q(bot.engine, store.get_persona, team_id="T0001", persona_id=maya.id).kind == "proto"

    bot.http.interactive(payloads.block_actions(ids.ADD_EVIDENCE, value=str(maya.id), user="U0OWNER"))
    opened = view_of(slack.wait_for("views.open")[0].args)
    bot.http.interactive(payloads.view_submission(ids.EVIDENCE_MODAL, {
        ids.EVIDENCE_TEXT_BLOCK: {"value": "8 of 10 interviewees compared prices in tabs"},
        ids.EVIDENCE_LINK_BLOCK: {"value": "https://research.example/report"},
    }, user="U0OWNER", private_metadata=opened["private_metadata"]))
    [row] = eventually(lambda: _evidence(bot, maya.id))
    assert row.permalink == "https://research.example/report"

    assert promote(2) == {}
    promoted = eventually(lambda: q(bot.engine, store.get_persona, team_id="T0001", persona_id=maya.id).version == 3)
    assert promoted and q(bot.engine, store.get_persona, team_id="T0001", persona_id=maya.id).kind == "validated"
    card = blocks_text(bot.http.command(payloads.slash_command("/persona", "show Maya")).json()["blocks"])
    assert "Validated persona" in card and "Proto-persona: hypothesis" not in card


def test_the_shortcut_without_personas_says_what_to_do(bot: Bot, slack: FakeSlack) -> None:
    bot.http.interactive(payloads.message_shortcut(ids.EVIDENCE_SHORTCUT, message_text="hi",
                                                   message_ts="1700000000.000200", message_user="U0X"))
    opened = view_of(slack.wait_for("views.open")[0].args)
    assert "/persona new" in blocks_text(opened["blocks"])
