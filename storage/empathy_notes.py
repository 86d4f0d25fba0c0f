"""Sticky notes and participants of empathy sessions: plain functions, one unit of work each.

Notes carry a `source_key` (the modal view and line, or the thread message and line) that is
unique per session, so a retried submission or a redelivered event never adds a note twice.
The author is stored for edit rights even when the session is anonymous; views decide whether
to show it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import delete, update
from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, func, select

from storage.models import EmpathySession, Note, Participant, Vote


@dataclass(frozen=True)
class VotedNote:
    id: int
    quadrant: str
    text: str
    author_id: str
    hidden: bool
    votes: int


def join(engine: Engine, *, team_id: str, session_id: int, user_id: str, now: datetime) -> bool:
    """Add a participant; False when they had already joined."""
    with Session(engine) as session:
        exists = session.exec(select(Participant.id).where(
            Participant.session_id == session_id, Participant.user_id == user_id)).first()
        if exists is not None:
            return False
        session.add(Participant(team_id=team_id, session_id=session_id, user_id=user_id, joined_at=now))
        try:
            session.commit()
        except IntegrityError:
            return False
    return True


def add_notes(
    engine: Engine, *, team_id: str, session_id: int, author_id: str, quadrant: str,
    texts: list[tuple[str, str]], now: datetime,
) -> int:
    """Add `(source_key, text)` notes, skipping keys already stored; joins the author and records
    the activity (for the idle hint). Returns how many notes are new."""
    def note(source_key: str, text: str) -> Note:
        return Note(team_id=team_id, session_id=session_id, quadrant=quadrant, text=text, author_id=author_id,
                    source_key=source_key, created_at=now, updated_at=now)

    with Session(engine) as session:  # the usual case, all new: one transaction
        session.add_all([note(key, text) for key, text in texts])
        try:
            session.commit()
            added = len(texts)
        except IntegrityError:
            session.rollback()
            added = -1
    if added < 0:  # a retry: keep only the notes not stored yet
        added = 0
        for source_key, text in texts:
            with Session(engine) as session:
                session.add(note(source_key, text))
                try:
                    session.commit()
                    added += 1
                except IntegrityError:
                    session.rollback()
    join(engine, team_id=team_id, session_id=session_id, user_id=author_id, now=now)
    if added:
        with Session(engine) as session:
            session.exec(update(EmpathySession)  # type: ignore[call-overload]
                         .where(EmpathySession.id == session_id, EmpathySession.team_id == team_id)
                         .values(last_note_at=now, idle_nudged=False))
            session.commit()
    return added


def get_note(engine: Engine, *, team_id: str, note_id: int) -> Note | None:
    with Session(engine) as session:
        row = session.get(Note, note_id)
        return row if row is not None and row.team_id == team_id else None


def update_note_text(engine: Engine, *, team_id: str, note_id: int, author_id: str, text: str,
                     now: datetime) -> bool:
    """Only the author may change a note."""
    with Session(engine) as session:
        result = session.exec(update(Note)  # type: ignore[call-overload]
                              .where(Note.id == note_id, Note.team_id == team_id, Note.author_id == author_id)
                              .values(text=text, updated_at=now))
        session.commit()
        return result.rowcount == 1


def delete_note(engine: Engine, *, team_id: str, note_id: int, author_id: str) -> bool:
    """Only the author may delete a note; its votes go with it."""
    with Session(engine) as session:
        note = session.get(Note, note_id)
        if note is None or note.team_id != team_id or note.author_id != author_id:
            return False
        session.exec(delete(Vote).where(Vote.note_id == note_id))  # type: ignore[call-overload]
        session.delete(note)
        session.commit()
        return True


def set_hidden(engine: Engine, *, team_id: str, session_id: int, note_id: int, hidden: bool) -> bool:
    """Moderation by the facilitator (checked by the caller): hidden notes count nowhere."""
    with Session(engine) as session:
        result = session.exec(update(Note)  # type: ignore[call-overload]
                              .where(Note.id == note_id, Note.team_id == team_id,
                                     Note.session_id == session_id)
                              .values(hidden=hidden))
        session.commit()
        return result.rowcount == 1


def list_voted_notes(
    engine: Engine, *, team_id: str, session_id: int, include_hidden: bool = False,
    author_id: str | None = None,
) -> list[VotedNote]:
    """Notes with their vote totals, most-voted first (ties: oldest first)."""
    votes = func.coalesce(func.sum(Vote.count), 0)
    query = (
        select(Note.id, Note.quadrant, Note.text, Note.author_id, Note.hidden, votes)
        .outerjoin(Vote, Vote.note_id == Note.id)
        .where(Note.team_id == team_id, Note.session_id == session_id)
        .group_by(Note.id, Note.quadrant, Note.text, Note.author_id, Note.hidden, Note.created_at)
        .order_by(votes.desc(), Note.created_at, Note.id)
    )
    if not include_hidden:
        query = query.where(Note.hidden == False)  # noqa: E712
    if author_id is not None:
        query = query.where(Note.author_id == author_id)
    with Session(engine) as session:
        return [VotedNote(*row) for row in session.exec(query).all()]
