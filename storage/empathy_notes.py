"""Sticky notes of empathy sessions: plain functions on the caller's unit of work.

Notes carry a `source_key` (the modal view and line, or the thread message and line) that is
unique per session, so a retried submission or a redelivered event never adds a note twice.
The author is stored for edit rights even when the session is anonymous; views decide whether
to show it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import delete, update
from sqlmodel import Session, func, select

from storage.db import insert_new
from storage.empathy import join
from storage.models import EmpathySession, Note, Vote
from storage.states import NoteVisibility


@dataclass(frozen=True)
class VotedNote:
    id: int
    quadrant: str
    text: str
    author_id: str
    visibility: NoteVisibility
    votes: int

    @property
    def hidden(self) -> bool:
        return self.visibility == NoteVisibility.HIDDEN


def add_notes(
    db: Session, *, team_id: str, session_id: int, author_id: str, quadrant: str,
    texts: list[tuple[str, str]], now: datetime,
) -> int:
    """Add `(source_key, text)` notes, skipping keys already stored; joins the author and records
    the activity (for the idle hint). Three statements whatever the count; returns how many are new."""
    added = insert_new(db, Note, [
        {"team_id": team_id, "session_id": session_id, "quadrant": quadrant, "text": text,
         "author_id": author_id, "visibility": NoteVisibility.VISIBLE, "source_key": source_key,
         "created_at": now, "updated_at": now}
        for source_key, text in texts])
    join(db, team_id=team_id, session_id=session_id, user_id=author_id, now=now)
    db.execute(update(EmpathySession)
               .where(EmpathySession.id == session_id, EmpathySession.team_id == team_id)
               .values(last_note_at=now, idle_nudged=False))
    return added


def get_note(db: Session, *, team_id: str, note_id: int) -> Note | None:
    row = db.get(Note, note_id)
    return row if row is not None and row.team_id == team_id else None


def update_note_text(db: Session, *, team_id: str, note_id: int, author_id: str, text: str, now: datetime) -> bool:
    """Only the author may change a note."""
    result = db.execute(update(Note)
                        .where(Note.id == note_id, Note.team_id == team_id, Note.author_id == author_id)
                        .values(text=text, updated_at=now))
    return result.rowcount == 1


def delete_note(db: Session, *, team_id: str, note_id: int, author_id: str) -> bool:
    """Only the author may delete a note; its votes go with it."""
    note = get_note(db, team_id=team_id, note_id=note_id)
    if note is None or note.author_id != author_id:
        return False
    db.execute(delete(Vote).where(Vote.note_id == note_id))  # type: ignore[arg-type]
    db.delete(note)
    return True


def set_visibility(db: Session, *, team_id: str, session_id: int, note_id: int, visibility: NoteVisibility) -> bool:
    """Moderation by the facilitator (checked by the caller): hidden notes count nowhere."""
    result = db.execute(update(Note)
                        .where(Note.id == note_id, Note.team_id == team_id, Note.session_id == session_id)
                        .values(visibility=visibility))
    return result.rowcount == 1


def list_voted_notes(
    db: Session, *, team_id: str, session_id: int, include_hidden: bool = False, author_id: str | None = None,
) -> list[VotedNote]:
    """Notes with their vote totals, most-voted first (ties: oldest first)."""
    votes = func.coalesce(func.sum(Vote.count), 0)
    query = (
        select(Note.id, Note.quadrant, Note.text, Note.author_id, Note.visibility, votes)
        .outerjoin(Vote, Vote.note_id == Note.id)
        .where(Note.team_id == team_id, Note.session_id == session_id)
        .group_by(Note.id, Note.quadrant, Note.text, Note.author_id, Note.visibility, Note.created_at)
        .order_by(votes.desc(), Note.created_at, Note.id)
    )
    if not include_hidden:
        query = query.where(Note.visibility == NoteVisibility.VISIBLE)
    if author_id is not None:
        query = query.where(Note.author_id == author_id)
    return [VotedNote(*row) for row in db.exec(query).all()]
