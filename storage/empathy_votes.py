"""Dot votes: each participant's ballot is replaced as a whole, so a retried or double-clicked
submission sets the same state again instead of adding votes."""

from __future__ import annotations

from sqlalchemy import delete
from sqlmodel import Session, func, select

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

    Raises BallotError (and writes nothing) when a rule is broken."""
    valid = set(db.exec(select(Note.id).where(
        Note.team_id == team_id, Note.session_id == session_id, Note.visibility == NoteVisibility.VISIBLE,
        Note.id.in_(list(votes)))).all())  # type: ignore[union-attr]
    if set(votes) - valid:
        raise BallotError("unknown_note")
    kept = db.exec(select(func.coalesce(func.sum(Vote.count), 0)).where(
        Vote.session_id == session_id, Vote.user_id == user_id,
        Vote.note_id.not_in(list(votes)))).one()  # type: ignore[attr-defined]
    check_counts(votes, kept=kept, budget=budget, per_note=per_note)
    db.execute(delete(Vote).where(  # type: ignore[arg-type]
        Vote.session_id == session_id, Vote.user_id == user_id, Vote.note_id.in_(list(votes))))  # type: ignore[attr-defined]
    chosen = [Vote(team_id=team_id, session_id=session_id, note_id=note_id, user_id=user_id, count=count)
              for note_id, count in votes.items() if count]
    db.add_all(chosen)
    db.flush()
    return kept + sum(votes.values())
