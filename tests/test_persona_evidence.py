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


def _attach(bot: Bot, slack: FakeSlack, persona_id: int, text: str, *, stance: str = "supports",
            tests: str = "whole") -> dict:
    """Add evidence with the card's button: what it shows, and which assumption it tests."""
    before = len(slack.calls_to("views.open"))
    bot.http.interactive(payloads.block_actions(ids.ADD_EVIDENCE, value=str(persona_id), user="U0OWNER"))
    opened = view_of(eventually(lambda: slack.calls_to("views.open")[before:])[0].args)
    response = bot.http.interactive(payloads.view_submission(ids.EVIDENCE_MODAL, {
        ids.EVIDENCE_TEXT_BLOCK: {"value": text},
        ids.EVIDENCE_LINK_BLOCK: {"value": "https://research.example/report"},
        ids.EVIDENCE_STANCE_BLOCK: {"value": payloads.input_static_select(stance)},
        ids.EVIDENCE_ASSUMPTION_BLOCK: {"value": payloads.input_static_select(tests)},
    }, user="U0OWNER", private_metadata=opened["private_metadata"]))
    return {"opened": opened, "answer": response.json() if response.body_text.strip() else {}}


def _card(bot: Bot, name: str = "Maya") -> str:
    return blocks_text(bot.http.command(payloads.slash_command("/persona", f"show {name}")).json()["blocks"])


def _kind(bot: Bot, persona_id: int) -> str:
    return q(bot.engine, store.get_persona, team_id="T0001", persona_id=persona_id).kind


def test_validated_only_when_evidence_supports_every_core_assumption(bot: Bot, slack: FakeSlack) -> None:
    maya = make_persona(bot, owner="U0OWNER")

    def promote() -> dict:
        version = q(bot.engine, store.get_persona, team_id="T0001", persona_id=maya.id).version
        response = bot.http.interactive(payloads.view_submission(
            ids.FORM_MODAL, form_values(kind="validated"), user="U0OWNER",
            private_metadata=json.dumps({"id": maya.id, "v": version})))
        return response.json() if response.body_text.strip() else {}

    refused = promote()["errors"]["kind"]
    assert "Still open: Role, Goals, Behaviors, Needs, Frustrations and pains" in refused
    assert "Assumptions still open: Role, Goals, Behaviors, Needs, Frustrations and pains (0 of 5" in _card(bot)

    first = _attach(bot, slack, maya.id, "8 of 10 interviewees compared prices in tabs", tests="behaviors")
    offered = [o["value"] for b in first["opened"]["blocks"] if b.get("block_id") == ids.EVIDENCE_ASSUMPTION_BLOCK
               for o in b["element"]["options"]]
    assert offered == ["role", "goals", "behaviors", "needs", "frustrations", "whole"], "the filled core fields"
    [row] = eventually(lambda: _evidence(bot, maya.id))
    assert (row.stance, row.assumption, row.permalink) == ("supports", "behaviors", "https://research.example/report")
    dm = Dm(bot, "U0OWNER")
    eventually(lambda: dm.posts() and "it supports the assumption about *Behaviors*" in dm.last())
    _attach(bot, slack, maya.id, "Survey: most buyers are on desktop", tests="whole")
    assert "(1 of 5 supported)" in _card(bot), "evidence about the persona as a whole tests no assumption"
    _attach(bot, slack, maya.id, "Nobody asked about delivery dates", stance="challenges", tests="needs")
    card = eventually(lambda: "challenged by evidence: Needs" in _card(bot) and _card(bot))
    assert "Assumptions still open: Role, Goals, Frustrations and pains, Needs (1 of 5 supported)" in card
    for key in ("role", "goals", "frustrations"):
        _attach(bot, slack, maya.id, f"Interview notes on {key}", tests=key)
    assert "Still open: Needs" in promote()["errors"]["kind"], "a challenged assumption is not supported"
    _attach(bot, slack, maya.id, "Support tickets ask for delivery dates", tests="needs")
    _attach(bot, slack, maya.id, "Analytics: delivery page is the most visited", tests="needs")
    eventually(lambda: len(_evidence(bot, maya.id)) == 8)
    assert promote() == {}
    eventually(lambda: _kind(bot, maya.id) == "validated")
    card = _card(bot)
    assert "Validated persona" in card and "Evidence supports all 5 core assumptions" in card

    _attach(bot, slack, maya.id, "Three churned buyers never compared prices", stance="challenges",
            tests="behaviors")
    _attach(bot, slack, maya.id, "Sales calls: they buy on the first visit", stance="challenges", tests="behaviors")
    eventually(lambda: _kind(bot, maya.id) == "proto")
    assert "Proto-persona: hypothesis" in _card(bot), "evidence against a core assumption makes it a hypothesis again"


def test_evidence_cannot_test_an_assumption_the_persona_does_not_make(bot: Bot, slack: FakeSlack) -> None:
    quiet = make_persona(bot, owner="U0OWNER", name="Quiet", goals=[])
    answer = _attach(bot, slack, quiet.id, "They want speed", tests="goals")["answer"]
    assert "Quiet has nothing under Goals yet" in answer["errors"][ids.EVIDENCE_ASSUMPTION_BLOCK]
    assert _evidence(bot, quiet.id) == []


def test_the_shortcut_without_personas_says_what_to_do(bot: Bot, slack: FakeSlack) -> None:
    bot.http.interactive(payloads.message_shortcut(ids.EVIDENCE_SHORTCUT, message_text="hi",
                                                   message_ts="1700000000.000200", message_user="U0X"))
    opened = view_of(slack.wait_for("views.open")[0].args)
    assert "/persona new" in blocks_text(opened["blocks"])
