"""Personas as governance sees them (the review subject) and as `/persona list|show` shows them."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy.engine import Engine

from bot.personas import form, ids
from bot.review_subjects import SubjectChange
from storage import persona_evidence
from storage import personas as store
from storage.db import unit_of_work
from tests.harness import Bot, FakeClock
from tests.persona_helpers import blocks_text, make_persona, q, view_of
from tests.slack_fake import FakeSlack, payloads


def test_storage_versions_every_change_and_keeps_evidence_once(any_engine: Engine, clock: FakeClock) -> None:
    now = clock.now()
    persona = q(any_engine, store.create_persona, team_id="T1", values={"name": "Maya", "goals": ["Save time"]},
                                   created_by="U1", now=now)
    assert persona.version == 1 and persona.owner_id == "U1"
    done = q(any_engine, store.update_persona, team_id="T1", persona_id=persona.id, expected_version=1,
                                values={"goals": ["Save time", "Look good"], "role": "Buyer"}, editor_id="U1",
                                now=now + timedelta(minutes=1), note="after interviews")
    assert done is not None and set(done.changes) == {"goals", "role"}
    assert done.changes["goals"] == {"from": ["Save time"], "to": ["Save time", "Look good"]}
    stale = q(any_engine, store.update_persona, team_id="T1", persona_id=persona.id, expected_version=1,
                                 values={"role": "Other"}, editor_id="U2", now=now)
    assert stale is None, "an edit based on an old version never overwrites a newer one"
    first = q(any_engine, persona_evidence.add_evidence, team_id="T1", persona_id=persona.id, text="quote",
                                          permalink="https://x/p1", author_id="U9", added_by="U1",
                                          source_key="C1:1.0", now=now)
    again = q(any_engine, persona_evidence.add_evidence, team_id="T1", persona_id=persona.id, text="quote",
                                          permalink="https://x/p1", author_id="U9", added_by="U1",
                                          source_key="C1:1.0", now=now)
    assert first is not None and again is None
    assert q(any_engine, persona_evidence.count_evidence, team_id="T1") == {persona.id: 1}
    history = q(any_engine, store.list_revisions, team_id="T1", persona_id=persona.id)
    assert [r.version for r in history] == [3, 2, 1]
    assert history[1].note == "after interviews"
    assert q(any_engine, store.get_persona, team_id="T2", persona_id=persona.id) is None


def test_review_subject_describes_reviews_reassigns_and_retires(bot: Bot, slack: FakeSlack, clock: FakeClock) -> None:
    changes: list[SubjectChange] = []
    bot.deps.on_change.append(lambda _db, change: changes.append(change))
    subject = bot.deps.subjects["persona"]
    persona = make_persona(bot, owner="U0OWNER")

    def in_uow(method, **kw):  # the protocol works in the caller's unit of work
        with unit_of_work(bot.engine) as db:
            return method(db, team_id="T0001", subject_id=persona.id, **kw)

    info = in_uow(subject.describe)
    assert info is not None and info.title == "Maya" and info.owner_id == "U0OWNER" and info.active
    assert info.cadence_days == 90 and info.next_review_at == clock.now() + timedelta(days=90)
    with unit_of_work(bot.engine) as db:
        assert subject.describe(db, team_id="T0OTHER", subject_id=persona.id) is None
    assert in_uow(subject.may_manage, user_id="U0OWNER")
    assert not in_uow(subject.may_manage, user_id="U0STRANGER")

    clock.advance(days=10)
    due = in_uow(subject.mark_reviewed, user_id="U0OWNER", now=clock.now())
    assert due == clock.now() + timedelta(days=90)
    assert q(bot.engine, store.get_persona, team_id="T0001", persona_id=persona.id).last_reviewed_at == clock.now()

    in_uow(subject.reassign, new_owner_id="U0NEW", by_user_id="U0OWNER", now=clock.now())
    assert in_uow(subject.describe).owner_id == "U0NEW"
    in_uow(subject.retire, by_user_id="U0NEW", now=clock.now())
    assert not in_uow(subject.describe).active
    bot.settle()  # governance hears of each change once it is committed
    assert [c.change for c in changes] == ["created", "reassigned", "retired"]
    assert changes[1].detail == "U0NEW" and all(c.kind == "persona" for c in changes)


def test_open_editor_gives_the_owner_the_form_and_others_a_clear_answer(bot: Bot, slack: FakeSlack) -> None:
    subject = bot.deps.subjects["persona"]
    persona = make_persona(bot, owner="U0OWNER")
    subject.open_editor(bot.deps.client, trigger_id="trigger-1", team_id="T0001", subject_id=persona.id,
                        user_id="U0OWNER")
    opened = view_of(slack.last("views.open").args)
    assert opened["callback_id"] == ids.FORM_MODAL
    assert form.metadata(opened) == {"id": persona.id, "v": 1}
    subject.open_editor(bot.deps.client, trigger_id="trigger-2", team_id="T0001", subject_id=persona.id,
                        user_id="U0STRANGER")
    refused = view_of(slack.last("views.open").args)
    assert refused["callback_id"] != ids.FORM_MODAL and "Only the owner" in blocks_text(refused["blocks"])


def test_list_and_show_answer_with_the_card(bot: Bot, slack: FakeSlack) -> None:
    empty = bot.http.command(payloads.slash_command("/persona", "list")).json()
    assert "No personas yet" in empty["text"]
    make_persona(bot, owner="U0OWNER", name="Maya <!channel>")
    make_persona(bot, owner="U0OWNER", name="Ben", role="IT admin", goals=["Fewer tickets"])

    listed = bot.http.command(payloads.slash_command("/persona", "list")).json()
    assert listed["response_type"] == "ephemeral" and "2 active personas" in listed["text"]
    text = blocks_text(listed["blocks"])
    assert "Maya &lt;!channel&gt;" in text and "<!channel>" not in text

    shown = bot.http.command(payloads.slash_command("/persona", "show ben")).json()
    card = blocks_text(shown["blocks"])
    assert "Proto-persona: hypothesis" in card and "IT admin" in card and "Fewer tickets" in card
    assert ids.EDIT in card and ids.SHARE in card
    missing = bot.http.command(payloads.slash_command("/persona", "show Nobody")).json()
    assert "no active persona called *Nobody*" in missing["text"]
    helped = bot.http.command(payloads.slash_command("/persona", "help")).json()
    assert "/persona show NAME" in helped["text"]
