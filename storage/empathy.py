"""Empathy sessions, participants and notes: plain functions, one unit of work each."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.engine import Engine
from sqlmodel import Session, func, select

from storage.models import EmpathySession, Note, Participant, Vote


def create_session(
    engine: Engine,
    *,
    team_id: str,
    channel_id: str,
    facilitator_id: str,
    subject: str,
    goal: str,
    canvas: str,
    duration_minutes: int,
    anonymous: bool,
    votes_per_person: int,
    now: datetime,
    phase_ends_at: datetime,
    persona_id: int | None = None,
) -> EmpathySession:
    row = EmpathySession(
        persona_id=persona_id,
        team_id=team_id,
        channel_id=channel_id,
        facilitator_id=facilitator_id,
        subject=subject,
        goal=goal,
        canvas=canvas,
        duration_minutes=duration_minutes,
        anonymous=anonymous,
        votes_per_person=votes_per_person,
        phase_started_at=now,
        phase_ends_at=phase_ends_at,
        created_at=now,
    )
    with Session(engine, expire_on_commit=False) as session:
        session.add(row)
        session.commit()
    return row


def get_session(engine: Engine, *, team_id: str, session_id: int) -> EmpathySession | None:
    with Session(engine) as session:
        row = session.get(EmpathySession, session_id)
        return row if row is not None and row.team_id == team_id else None


def get_session_by_thread(engine: Engine, *, team_id: str, channel_id: str,
                          thread_ts: str) -> EmpathySession | None:
    """The session whose board message starts the thread `thread_ts` in `channel_id`."""
    with Session(engine) as session:
        return session.exec(select(EmpathySession).where(
            EmpathySession.team_id == team_id, EmpathySession.channel_id == channel_id,
            EmpathySession.board_ts == thread_ts)).first()


def find_session_for_export(
    engine: Engine, *, session_id: int, team_id: str | None = None
) -> EmpathySession | None:
    """For the operator's CLI, which may not know the workspace: filters by team only when given."""
    with Session(engine) as session:
        row = session.get(EmpathySession, session_id)
    if row is None or (team_id is not None and row.team_id != team_id) or row.status == "starting":
        return None
    return row


def mark_board_posted(engine: Engine, *, team_id: str, session_id: int, board_ts: str) -> None:
    """The board is in the channel: the session is running from now on."""
    with Session(engine) as session:
        row = session.get(EmpathySession, session_id)
        if row is not None and row.team_id == team_id:
            row.board_ts = board_ts
            row.status = "running"
            session.add(row)
            session.commit()


def delete_session(engine: Engine, *, team_id: str, session_id: int) -> None:
    """Remove a session that never got its board posted, so nothing half-created is left."""
    with Session(engine) as session:
        row = session.get(EmpathySession, session_id)
        if row is not None and row.team_id == team_id:
            session.delete(row)
            session.commit()


def list_participants(engine: Engine, *, team_id: str, session_id: int) -> list[str]:
    with Session(engine) as session:
        return list(
            session.exec(
                select(Participant.user_id)
                .where(Participant.team_id == team_id, Participant.session_id == session_id)
                .order_by(Participant.joined_at)
            ).all()
        )


def list_recent_sessions(engine: Engine, *, team_id: str, limit: int = 10) -> list[EmpathySession]:
    with Session(engine) as session:
        return list(
            session.exec(
                select(EmpathySession)
                .where(EmpathySession.team_id == team_id, EmpathySession.status != "starting")
                .order_by(EmpathySession.created_at.desc())  # type: ignore[attr-defined]
                .limit(limit)
            ).all()
        )


def top_notes_by_quadrant(
    engine: Engine, *, team_id: str, session_id: int, per_quadrant: int = 5
) -> dict[str, list[str]]:
    """Visible notes per quadrant, most-voted first (ties: oldest first).

    What a session "found": the summary, the canvas image and the persona prefill all read it.
    """
    votes = func.coalesce(func.sum(Vote.count), 0)
    with Session(engine) as session:
        rows = session.exec(
            select(Note.quadrant, Note.text, votes)
            .outerjoin(Vote, Vote.note_id == Note.id)
            .where(Note.team_id == team_id, Note.session_id == session_id, Note.hidden == False)  # noqa: E712
            .group_by(Note.id, Note.quadrant, Note.text, Note.created_at)
            .order_by(votes.desc(), Note.created_at, Note.id)
        ).all()
    found: dict[str, list[str]] = {}
    for quadrant, text, _ in rows:
        bucket = found.setdefault(quadrant, [])
        if len(bucket) < per_quadrant:
            bucket.append(text)
    return found
