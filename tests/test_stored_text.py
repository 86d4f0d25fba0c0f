"""Text the database cannot hold (NUL, lone surrogates, control characters) is cleaned the same
way on SQLite and PostgreSQL, in one place (storage/text.py), and one odd line of a submission
never costs the others."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime

import pytest
from sqlalchemy import select
from sqlalchemy.engine import Engine
from sqlmodel import Session

from bot.empathy import ids
from storage import empathy_notes
from storage.db import unit_of_work
from storage.models import EmpathySession, Note, Persona
from storage.text import clean_text
from tests.harness import Bot, FakeClock, eventually
from tests.slack_fake import FakeSlack, payloads
from tests.test_empathy_support import Workshop

NOW = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)
HOSTILE = "nul\x00 byte\nlone \ud800 surrogate\n\x01\x02\x1b\nCafe\u0301 crlf\r\nbell\x07 and tab\tkept"


@pytest.mark.parametrize(("raw", "stored"), [
    ("plain text", "plain text"),
    ("a\x00b", "ab"),
    ("tab\tand\nnewline", "tab\tand\nnewline"),
    ("windows\r\nold mac\rend", "windows\nold mac\nend"),
    ("esc\x1b[31m del\x7f", "esc[31m del"),
    ("lone \ud800 high, lone \udfff low", "lone  high, lone  low"),
    ("a pair \ud83d\ude00 joined", "a pair \U0001f600 joined"),
    ("Cafe\u0301", "Caf\u00e9"),  # NFC
    ("emoji \U0001f600 and \u00e9 stay", "emoji \U0001f600 and \u00e9 stay"),
])
def test_clean_text(raw: str, stored: str) -> None:
    assert clean_text(raw) == stored
    assert clean_text(stored) == stored, "cleaning twice changes nothing"


def _session(db: Session) -> EmpathySession:
    session = EmpathySession(team_id="T1", channel_id="C1", facilitator_id="U1", subject="s\x00ubject",
                             goal="goal", created_at=NOW, updated_at=NOW)
    db.add(session)
    db.flush()
    return session


def test_every_text_column_and_json_value_is_cleaned_alike_on_both_databases(any_engine: Engine) -> None:
    with unit_of_work(any_engine) as db:
        session = _session(db)
        added = empathy_notes.add_notes(  # Core INSERT .. ON CONFLICT, several rows in one statement
            db, team_id="T1", session_id=session.id, author_id="U\x00A", quadrant="says", now=NOW,
            texts=[(f"k:{i}", line) for i, line in enumerate(HOSTILE.split("\n"))])
        db.add(Persona(team_id="T1", name="Na\x00me", owner_id="U1", created_by="U1", created_at=NOW,
                       updated_at=NOW, goals=["goal\x00 one", "lone \udc00"], context="ctx\x00"))
        session_id = session.id
    assert added == 5

    with Session(any_engine) as db:
        notes = db.scalars(select(Note).where(Note.session_id == session_id).order_by(Note.id)).all()
        persona = db.scalars(select(Persona)).one()
        by_odd_name = db.scalars(select(Persona).where(Persona.name == "Na\x00me")).all()
        stored_subject = db.get(EmpathySession, session_id).subject
    assert [n.text for n in notes] == [clean_text(line) for line in HOSTILE.split("\n")]
    assert {n.author_id for n in notes} == {"UA"}
    assert (persona.name, persona.context, persona.goals) == ("Name", "ctx", ["goal one", "lone "])
    assert [p.id for p in by_odd_name] == [persona.id], "lookups are cleaned alike"
    assert stored_subject == "subject"


@pytest.fixture
def any_bot(slack: FakeSlack, any_engine: Engine) -> Iterator[Bot]:
    running = Bot(slack=slack, engine=any_engine, clock=FakeClock())
    yield running
    running.close()


def test_a_note_with_a_nul_byte_keeps_every_line_of_its_submission(any_bot: Bot, slack: FakeSlack) -> None:
    w = Workshop(any_bot, slack).start()
    w.control(ids.NEXT_PHASE)
    eventually(lambda: w.phase_index() == 1)

    answer = w.add_notes("U0ANA", HOSTILE, wait=False)
    assert answer.status == 200 and not answer.body_text, "acknowledged: so it must all be saved"
    expected = ["nul byte", "lone  surrogate", "Caf\u00e9 crlf", "bell and tab\tkept"]
    eventually(lambda: [n.text for n in w.notes()] == expected)

    reply = payloads.event_callback(payloads.message_event(
        "thread\x00 reply\n\x00\nsecond \udfff", user="U0BEN", channel=w.channel, channel_type="channel",
        thread_ts=w.board_ts))
    assert any_bot.http.event(reply).status == 200
    eventually(lambda: [n.text for n in w.notes(author_id="U0BEN")] == ["thread reply", "second"])
    w.control(ids.NEXT_PHASE)  # silent writing: the board shows the notes once Says closes
    eventually(lambda: w.phase_index() == 2)
    w.settle()
    assert "nul byte" in w.board_text()
