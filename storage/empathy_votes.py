"""Dot votes: each participant's ballot is replaced as a whole, so a retried or double-clicked
submission sets the same state again instead of adding votes."""

from __future__ import annotations

from functools import cache
from typing import Any

from sqlalchemy import bindparam, delete
from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import Session, select

from storage.models import Note, Vote
from storage.states import NoteVisibility


class BallotError(ValueError):
    """The ballot breaks a rule (budget, per-note cap, unknown note); nothing was stored."""


def get_ballot(db: Session, *, team_id: str, session_id: int, user_id: str) -> dict[int, int]:
    rows = db.exec(select(Vote.note_id, Vote.count).where(
        Vote.team_id == team_id, Vote.session_id == session_id, Vote.user_id == user_id)).all()
    return {note_id: count for note_id, count in rows if count}


def counts_fit(votes: dict[int, int], *, kept: int, budget: int, per_note: int) -> bool:
    try:
        check_counts(votes, kept=kept, budget=budget, per_note=per_note)
    except BallotError:
        return False
    return True


def check_counts(votes: dict[int, int], *, kept: int, budget: int, per_note: int) -> None:
    """The rules that need no database: `kept` is the user's votes on notes not in `votes`."""
    if any(count < 0 or count > per_note for count in votes.values()):
        raise BallotError("per_note")
    if kept + sum(votes.values()) > budget:
        raise BallotError("budget")


def set_ballot(
    db: Session, *, team_id: str, session_id: int, user_id: str, votes: dict[int, int], budget: int,
    per_note: int,
) -> int:
    """Replace the user's votes on the notes in `votes` (other notes keep theirs) after checking
    every rule against the database; returns the votes the user has spent in all.

    One read (the session's notes with the user's votes on them), then only what changed is
    written: a first ballot is one INSERT. Raises BallotError (and writes nothing) when a rule
    is broken."""
    rows = db.execute(_NOTES_WITH_MY_VOTES, {"team_id": team_id, "session_id": session_id, "user_id": user_id}).all()
    if set(votes) - {note_id for note_id, visibility, _ in rows if visibility == NoteVisibility.VISIBLE}:
        raise BallotError("unknown_note")
    mine = {note_id: count for note_id, _, count in rows if count}
    kept = sum(count for note_id, count in mine.items() if note_id not in votes)
    check_counts(votes, kept=kept, budget=budget, per_note=per_note)
    dropped = [note_id for note_id, count in votes.items() if not count and note_id in mine]
    if dropped:
        db.execute(delete(Vote).where(Vote.user_id == user_id, Vote.note_id.in_(dropped)))  # type: ignore[attr-defined]
    changed = [{"team_id": team_id, "session_id": session_id, "note_id": note_id, "user_id": user_id, "count": count}
               for note_id, count in votes.items() if count and mine.get(note_id) != count]
    if changed:
        db.execute(_set_counts(db.get_bind().dialect.name), changed)
    return kept + sum(votes.values())


# Built once (every ballot runs them; building cost more than running: SQLAlchemy caches the
# compiled form, not the statement objects).
_NOTES_WITH_MY_VOTES = (
    select(Note.id, Note.visibility, Vote.count)
    .outerjoin(Vote, (Vote.note_id == Note.id) & (Vote.user_id == bindparam("user_id")))
    .where(Note.team_id == bindparam("team_id"), Note.session_id == bindparam("session_id")))


@cache
def _set_counts(dialect_name: str) -> Any:
    upsert = (postgresql if dialect_name == "postgresql" else sqlite).insert(Vote)  # type: ignore[attr-defined]
    return upsert.on_conflict_do_update(index_elements=["note_id", "user_id"], set_={"count": upsert.excluded.count})
