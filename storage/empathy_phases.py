"""Phase transitions of empathy sessions, each one a compare-and-set UPDATE.

Every transition names the state it starts from (`phase_index`, `status`, the old deadline), so
of two racing callers (a double click, two replicas, a tick after a restart) exactly one wins;
the loser gets False and does nothing visible.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import update
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from storage.models import EmpathySession

LIVE = ("running", "paused")


def _claim(engine: Engine, *, team_id: str, session_id: int, conditions: list, values: dict) -> bool:
    statement = (
        update(EmpathySession)
        .where(EmpathySession.id == session_id, EmpathySession.team_id == team_id, *conditions)
        .values(**values)
    )
    with Session(engine) as session:
        result = session.exec(statement)  # type: ignore[call-overload]
        session.commit()
        return result.rowcount == 1


def advance_phase(
    engine: Engine, *, team_id: str, session_id: int, from_index: int, now: datetime, seconds: int
) -> bool:
    """Move from phase `from_index` to the next one, which starts now with its full timebox."""
    return _claim(
        engine, team_id=team_id, session_id=session_id,
        conditions=[EmpathySession.phase_index == from_index, EmpathySession.status.in_(LIVE)],  # type: ignore[attr-defined]
        values={"phase_index": from_index + 1, "phase_started_at": now,
                "phase_ends_at": now + timedelta(seconds=seconds), "status": "running",
                "paused_seconds_left": None, "warned": False, "idle_nudged": False},
    )


def finish_session(
    engine: Engine, *, team_id: str, session_id: int, from_index: int, now: datetime, status: str
) -> bool:
    """End the session (`finished`, or `cancelled` when ended before the wrap-up)."""
    return _claim(
        engine, team_id=team_id, session_id=session_id,
        conditions=[EmpathySession.phase_index == from_index, EmpathySession.status.in_(LIVE)],  # type: ignore[attr-defined]
        values={"status": status, "finished_at": now, "phase_ends_at": None, "paused_seconds_left": None},
    )


def pause(engine: Engine, *, team_id: str, session_id: int, phase_index: int, now: datetime) -> bool:
    """Freeze the timer: the seconds left are kept and the deadline cleared."""
    row = _get(engine, team_id, session_id)
    if row is None or row.status != "running" or row.phase_index != phase_index or row.phase_ends_at is None:
        return False
    left = max(0, int((row.phase_ends_at - now).total_seconds()))
    return _claim(
        engine, team_id=team_id, session_id=session_id,
        conditions=[EmpathySession.phase_index == phase_index, EmpathySession.status == "running",
                    EmpathySession.phase_ends_at == row.phase_ends_at],
        values={"status": "paused", "paused_seconds_left": left, "phase_ends_at": None},
    )


def resume(engine: Engine, *, team_id: str, session_id: int, phase_index: int, now: datetime) -> bool:
    row = _get(engine, team_id, session_id)
    if row is None or row.status != "paused" or row.phase_index != phase_index:
        return False
    return _claim(
        engine, team_id=team_id, session_id=session_id,
        conditions=[EmpathySession.phase_index == phase_index, EmpathySession.status == "paused"],
        values={"status": "running", "paused_seconds_left": None,
                "phase_ends_at": now + timedelta(seconds=row.paused_seconds_left or 0)},
    )


def extend(engine: Engine, *, team_id: str, session_id: int, phase_index: int, seconds: int) -> bool:
    """Add time to the current phase; keyed on the old deadline so a double click adds it once."""
    row = _get(engine, team_id, session_id)
    if row is None or row.phase_index != phase_index or row.status not in LIVE:
        return False
    if row.status == "paused":
        return _claim(
            engine, team_id=team_id, session_id=session_id,
            conditions=[EmpathySession.phase_index == phase_index, EmpathySession.status == "paused",
                        EmpathySession.paused_seconds_left == row.paused_seconds_left],
            values={"paused_seconds_left": (row.paused_seconds_left or 0) + seconds, "warned": False},
        )
    assert row.phase_ends_at is not None
    return _claim(
        engine, team_id=team_id, session_id=session_id,
        conditions=[EmpathySession.phase_index == phase_index, EmpathySession.status == "running",
                    EmpathySession.phase_ends_at == row.phase_ends_at],
        values={"phase_ends_at": row.phase_ends_at + timedelta(seconds=seconds), "warned": False},
    )


def claim_warning(engine: Engine, *, team_id: str, session_id: int, phase_index: int) -> bool:
    """The 'one minute left' message of a phase, at most once."""
    return _claim(
        engine, team_id=team_id, session_id=session_id,
        conditions=[EmpathySession.phase_index == phase_index, EmpathySession.status == "running",
                    EmpathySession.warned == False],  # noqa: E712
        values={"warned": True},
    )


def claim_idle_nudge(engine: Engine, *, team_id: str, session_id: int, phase_index: int) -> bool:
    """The 'nobody is writing' hint to the facilitator, at most once per quiet spell."""
    return _claim(
        engine, team_id=team_id, session_id=session_id,
        conditions=[EmpathySession.phase_index == phase_index, EmpathySession.status == "running",
                    EmpathySession.idle_nudged == False],  # noqa: E712
        values={"idle_nudged": True},
    )


def list_live_sessions(engine: Engine) -> list[EmpathySession]:
    """Running and paused sessions of every workspace: what the timer tick looks at."""
    with Session(engine) as session:
        return list(session.exec(
            select(EmpathySession)
            .where(EmpathySession.status.in_(LIVE), EmpathySession.board_ts != None)  # type: ignore[attr-defined]  # noqa: E711
            .order_by(EmpathySession.id)
        ).all())


def _get(engine: Engine, team_id: str, session_id: int) -> EmpathySession | None:
    with Session(engine) as session:
        row = session.get(EmpathySession, session_id)
        return row if row is not None and row.team_id == team_id else None
