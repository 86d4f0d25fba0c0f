"""A crash loses nothing that was acknowledged: the real process, killed with SIGKILL mid-burst.

Slack never resends a submission it got a 200 for, and the person was told it was saved. So a
burst of note and ballot submissions and persona-conversation answers goes to `workshop-bot run
--http`, the process is killed with `kill -9` once half of them are answered, and after a
restart every answered one is in the database, on SQLite and on PostgreSQL.
"""

from __future__ import annotations

import signal
import threading
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from bot.empathy import ids
from bot.empathy.agenda import PhaseKind
from bot.empathy.session_flow import agenda
from storage import conversations
from storage import empathy as store
from storage import empathy_notes as notes_store
from storage.db import unit_of_work
from storage.models import Conversation, EmpathySession, Note, Vote
from storage.states import SessionStatus
from tests.harness import SIGNING_SECRET, FakeClock
from tests.real_process import free_port, healthy, slack_env, start
from tests.slack_fake import FakeSlack, SlackHttpClient, payloads

BURST = 150  # a third each: notes, ballots, answers


def _live_session(db: Session, clock: FakeClock, channel: str, phase_kind: PhaseKind) -> EmpathySession:
    now = clock.now()
    row = store.create_session(db, team_id="T0001", channel_id=channel, facilitator_id="U0FACIL",
                               subject="Buyer", goal="", canvas="classic", duration_minutes=30, anonymous=False,
                               votes_per_person=5, now=now, phase_ends_at=now.replace(year=2100))
    row.phase_index = next(i for i, phase in enumerate(agenda(row)) if phase.kind == phase_kind)
    row.status, row.board_ts = SessionStatus.RUNNING, "1700000000.000100"
    return row


def _seed(engine: Engine, clock: FakeClock) -> tuple[int, int, list[int]]:
    """A session in its first section (notes), one in its vote with five notes (ballots), and
    a persona conversation waiting for its first answer in each person's DM."""
    with unit_of_work(engine) as db:
        for i in range(BURST // 3):
            conversations.create_conversation(
                db, team_id="T0001", user_id=f"U{i:04d}", channel_id=f"DU{i:04d}", thread_ts="", flow="persona",
                step="name", answers={"values": {}, "context": {}}, now=clock.now(),
                expires_at=clock.now().replace(year=2100))
        writing = _live_session(db, clock, "C0NOTES", PhaseKind.SECTION)
        voting = _live_session(db, clock, "C0VOTES", PhaseKind.VOTE)
        db.flush()
        notes_store.add_notes(db, team_id="T0001", session_id=voting.id, author_id="U0FACIL", quadrant="says",
                              now=clock.now(), texts=[(f"seed:{i}", f"note {i}") for i in range(5)])
        note_ids = list(db.exec(select(Note.id).where(Note.session_id == voting.id)).all())
        return writing.id, voting.id, note_ids


def _submissions(writing: int, voting: int, note_ids: list[int]) -> list[tuple[str, str, dict[str, Any]]]:
    """(kind, who, payload): notes by modal, ballots, answers in a DM, interleaved."""
    out = []
    for i in range(BURST // 3):
        user = f"U{i:04d}"
        out.append(("note", f"note from {user}", payloads.view_submission(
            ids.NOTE_MODAL, {ids.NOTE_TEXT_BLOCK: {"value": f"note from {user}"}},
            private_metadata=str(writing), user=user, view_id=f"VNOTE{i:04d}")))
        out.append(("ballot", user, payloads.view_submission(
            ids.BALLOT_MODAL, {f"{ids.VOTE_BLOCK_PREFIX}{note_ids[i % 5]}": {
                "value": payloads.input_static_select("2")}},
            private_metadata=f"{voting}:1:0", user=user, view_id=f"VBALLOT{i:04d}")))
        out.append(("answer", user, payloads.event_callback(payloads.message_event(
            f"Persona of {user}", user=user, channel=f"D{user}"))))
    return out


def test_every_acknowledged_note_ballot_and_answer_survives_kill_9(
    any_engine: Engine, slack: FakeSlack, clock: FakeClock, tmp_path: Path, running: list[Any]
) -> None:
    writing, voting, note_ids = _seed(any_engine, clock)
    url = any_engine.url.render_as_string(hide_password=False)
    port = free_port()
    env = {**slack_env(slack), "DATABASE_URL": url}
    serve, logs = ("run", "--http", "--host", "127.0.0.1", "--port", str(port)), tmp_path / "bot.log"
    process = start(running, tmp_path, *serve, logs=logs, **env)
    healthy(port)
    client = SlackHttpClient(f"http://127.0.0.1:{port}/slack/events", SIGNING_SECRET, timeout=20)

    acknowledged: list[tuple[str, str]] = []
    lock, half = threading.Lock(), threading.Event()

    def submit(kind: str, who: str, payload: dict[str, Any]) -> None:
        try:
            answer = client.event(payload) if kind == "answer" else client.interactive(payload)
        except OSError:
            return  # the process died before answering: Slack would show the person an error
        saved = answer.status == 200 and (
            answer.json().get("response_action") == "update" if kind == "ballot" else not answer.body_text)
        if saved:
            with lock:
                acknowledged.append((kind, who))
                if len(acknowledged) >= BURST // 2:
                    half.set()

    with ThreadPoolExecutor(16) as pool:
        for item in _submissions(writing, voting, note_ids):
            pool.submit(submit, *item)
        assert half.wait(60), "half of the burst was never answered"
        process.send_signal(signal.SIGKILL)
    process.wait(10)
    assert len(acknowledged) < BURST, "the kill landed after the burst: it proves nothing"

    restarted = start(running, tmp_path, *serve, logs=logs, **env)
    healthy(port)
    with Session(any_engine) as db:
        notes = set(db.exec(select(Note.text).where(Note.session_id == writing)).all())
        voters = {v.user_id: v.count for v in db.exec(select(Vote).where(Vote.session_id == voting)).all()}
        named = {c.user_id: c.answers["values"].get("name") for c in db.exec(select(Conversation)).all()}
    for kind, who in acknowledged:
        if kind == "note":
            assert who in notes, f"acknowledged and lost: {who}"
        elif kind == "ballot":
            assert voters.get(who) == 2, f"acknowledged ballot lost: {who}"
        else:
            assert named.get(who) == f"Persona of {who}", f"acknowledged answer lost: {who}"
    restarted.send_signal(signal.SIGTERM)
    assert restarted.wait(30) == 0
    assert "Traceback" not in logs.read_text()
