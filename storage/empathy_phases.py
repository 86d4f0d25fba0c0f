"""Phase transitions of empathy sessions, each one a compare-and-set UPDATE.

Every transition names the state it starts from (`phase_index`, `status`, the old deadline), so
of two racing callers (a double click, two replicas, a tick after a restart) exactly one wins;
the loser gets False and does nothing visible. Each takes the session as the caller read it.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import update
from sqlmodel import Session, select

from storage.models import EmpathySession
from storage.states import LIVE_STATUSES, SessionStatus


def _claim(db: Session, row: EmpathySession, conditions: list[Any], values: dict[str, Any]) -> bool:
    result = db.execute(
        update(EmpathySession)
        .where(EmpathySession.id == row.id, EmpathySession.team_id == row.team_id, *conditions)
        .values(**values)
    )
    if result.rowcount != 1:
        return False
    for key, value in values.items():  # the caller's copy shows the new state
        setattr(row, key, value)
    return True


def _at(phase_index: int) -> list[Any]:
    return [EmpathySession.phase_index == phase_index,
            EmpathySession.status.in_(LIVE_STATUSES)]  # type: ignore[attr-defined]


def advance_phase(db: Session, row: EmpathySession, *, from_index: int, now: datetime, seconds: int) -> bool:
    """Move from phase `from_index` to the next one, which starts now with its full timebox."""
    return _claim(db, row, _at(from_index), {
        "phase_index": from_index + 1, "phase_started_at": now, "phase_ends_at": now + timedelta(seconds=seconds),
        "status": SessionStatus.RUNNING, "paused_seconds_left": None, "warned": False, "idle_nudged": False})


def finish_session(db: Session, row: EmpathySession, *, from_index: int, now: datetime,
                   status: SessionStatus) -> bool:
    """End the session (`finished`, or `cancelled` when ended before the wrap-up)."""
    return _claim(db, row, _at(from_index), {
        "status": status, "finished_at": now, "phase_ends_at": None, "paused_seconds_left": None})


def pause(db: Session, row: EmpathySession, *, now: datetime) -> bool:
    """Freeze the timer: the seconds left are kept and the deadline cleared."""
    if row.status != SessionStatus.RUNNING or row.phase_ends_at is None:
        return False
    left = max(0, int((row.phase_ends_at - now).total_seconds()))
    return _claim(db, row, [EmpathySession.phase_index == row.phase_index,
                            EmpathySession.status == SessionStatus.RUNNING,
                            EmpathySession.phase_ends_at == row.phase_ends_at],
                  {"status": SessionStatus.PAUSED, "paused_seconds_left": left, "phase_ends_at": None})


def resume(db: Session, row: EmpathySession, *, now: datetime) -> bool:
    if row.status != SessionStatus.PAUSED:
        return False
    return _claim(db, row, [EmpathySession.phase_index == row.phase_index,
                            EmpathySession.status == SessionStatus.PAUSED],
                  {"status": SessionStatus.RUNNING, "paused_seconds_left": None,
                   "phase_ends_at": now + timedelta(seconds=row.paused_seconds_left or 0)})


def extend(db: Session, row: EmpathySession, *, seconds: int) -> bool:
    """Add time to the current phase; keyed on the old deadline so a double click adds it once."""
    if row.status == SessionStatus.PAUSED:
        return _claim(db, row, [EmpathySession.phase_index == row.phase_index,
                                EmpathySession.status == SessionStatus.PAUSED,
                                EmpathySession.paused_seconds_left == row.paused_seconds_left],
                      {"paused_seconds_left": (row.paused_seconds_left or 0) + seconds, "warned": False})
    if row.status != SessionStatus.RUNNING or row.phase_ends_at is None:
        return False
    return _claim(db, row, [EmpathySession.phase_index == row.phase_index,
                            EmpathySession.status == SessionStatus.RUNNING,
                            EmpathySession.phase_ends_at == row.phase_ends_at],
                  {"phase_ends_at": row.phase_ends_at + timedelta(seconds=seconds), "warned": False})


def claim_warning(db: Session, row: EmpathySession) -> bool:
    """The 'one minute left' message of a phase, at most once."""
    return _claim(db, row, [EmpathySession.phase_index == row.phase_index,
                            EmpathySession.status == SessionStatus.RUNNING,
                            EmpathySession.warned == False],  # noqa: E712
                  {"warned": True})


def claim_idle_nudge(db: Session, row: EmpathySession) -> bool:
    """The 'nobody is writing' hint to the facilitator, at most once per quiet spell."""
    return _claim(db, row, [EmpathySession.phase_index == row.phase_index,
                            EmpathySession.status == SessionStatus.RUNNING,
                            EmpathySession.idle_nudged == False],  # noqa: E712
                  {"idle_nudged": True})


def list_live_sessions(db: Session) -> list[EmpathySession]:
    """Running and paused sessions of every workspace: what the timer tick looks at."""
    return list(db.exec(
        select(EmpathySession)
        .where(EmpathySession.status.in_(LIVE_STATUSES), EmpathySession.board_ts != None)  # type: ignore[attr-defined]  # noqa: E711
        .order_by(EmpathySession.id)
    ).all())



def cancel_workspace(db: Session, *, team_id: str, now: datetime) -> int:
    """End every running or paused session of a workspace at once (the app was uninstalled there):
    nothing is posted, the timer tick no longer sees them. Returns how many were ended."""
    result = db.execute(
        update(EmpathySession)
        .where(EmpathySession.team_id == team_id, EmpathySession.status.in_(LIVE_STATUSES))  # type: ignore[attr-defined]
        .values(status=SessionStatus.CANCELLED, finished_at=now, phase_ends_at=None, paused_seconds_left=None)
    )
    return int(result.rowcount or 0)
