"""Dot votes: each participant's ballot is replaced as a whole, so a retried or double-clicked
submission sets the same state again instead of adding votes."""

from __future__ import annotations

from sqlalchemy import delete
from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, func, select

from storage.models import Note, Vote


class BallotError(ValueError):
    """The ballot breaks a rule (budget, per-note cap, unknown note); nothing was stored."""


def get_ballot(engine: Engine, *, team_id: str, session_id: int, user_id: str) -> dict[int, int]:
    with Session(engine) as session:
        rows = session.exec(select(Vote.note_id, Vote.count).where(
            Vote.team_id == team_id, Vote.session_id == session_id, Vote.user_id == user_id)).all()
    return {note_id: count for note_id, count in rows if count}


def set_ballot(*args: object, **kwargs: object) -> int:
    """Replace a ballot and return the votes the user has spent in all; two concurrent
    submissions of one user may collide once, so retry once."""
    try:
        return _set_ballot(*args, **kwargs)  # type: ignore[arg-type]
    except IntegrityError:
        return _set_ballot(*args, **kwargs)  # type: ignore[arg-type]


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


def check_ballot(
    engine: Engine, *, team_id: str, session_id: int, user_id: str, votes: dict[int, int], budget: int,
    per_note: int,
) -> None:
    """Raise BallotError if `votes` would break a rule; reads only (cheap enough before an ack)."""
    with Session(engine) as session:
        _check(session, team_id=team_id, session_id=session_id, user_id=user_id, votes=votes, budget=budget,
               per_note=per_note)


def _check(session: Session, *, team_id: str, session_id: int, user_id: str, votes: dict[int, int], budget: int,
           per_note: int) -> int:
    """Raise BallotError for a broken rule; else return the votes the user keeps on other notes."""
    valid = set(session.exec(select(Note.id).where(
        Note.team_id == team_id, Note.session_id == session_id, Note.hidden == False,  # noqa: E712
        Note.id.in_(list(votes)))).all())  # type: ignore[union-attr]
    if set(votes) - valid:
        raise BallotError("unknown_note")
    kept = session.exec(select(func.coalesce(func.sum(Vote.count), 0)).where(
        Vote.session_id == session_id, Vote.user_id == user_id,
        Vote.note_id.not_in(list(votes)))).one()  # type: ignore[attr-defined]
    check_counts(votes, kept=kept, budget=budget, per_note=per_note)
    return kept


def _set_ballot(
    engine: Engine, *, team_id: str, session_id: int, user_id: str, votes: dict[int, int],
    budget: int, per_note: int,
) -> int:
    """Replace the user's votes on the notes in `votes` (other notes keep theirs), atomically."""
    with Session(engine) as session:
        kept = _check(session, team_id=team_id, session_id=session_id, user_id=user_id, votes=votes,
                      budget=budget, per_note=per_note)
        session.exec(delete(Vote).where(  # type: ignore[call-overload]
            Vote.session_id == session_id, Vote.user_id == user_id,
            Vote.note_id.in_(list(votes))))  # type: ignore[attr-defined]
        for note_id, count in votes.items():
            if count:
                session.add(Vote(team_id=team_id, session_id=session_id, note_id=note_id,
                                 user_id=user_id, count=count))
        session.commit()
    return kept + sum(votes.values())
