"""Empathy sessions and their participants: plain functions on the caller's unit of work."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import delete, update
from sqlmodel import Session, func, select

from storage.db import insert_new
from storage.models import EmpathySession, Note, Participant, Persona, Vote
from storage.states import NoteVisibility, SessionStatus


def create_session(
    db: Session,
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
    agenda: list[dict] | None = None,
    live_notes: bool = False,
    open_grouping: bool = False,
    success: str = "",
) -> EmpathySession:
    """`agenda` is the plan the session runs (the bot's agenda rows); without one it runs today's."""
    row = EmpathySession(
        agenda=agenda or [], live_notes=live_notes, open_grouping=open_grouping, success=success,
        persona_id=persona_id, team_id=team_id, channel_id=channel_id, facilitator_id=facilitator_id,
        subject=subject, goal=goal, canvas=canvas, duration_minutes=duration_minutes, anonymous=anonymous,
        votes_per_person=votes_per_person, phase_started_at=now, phase_ends_at=phase_ends_at, created_at=now,
    )
    db.add(row)
    db.flush()  # the id, for the outbox message that posts its board
    return row


def get_session(db: Session, *, team_id: str, session_id: int) -> EmpathySession | None:
    row = db.get(EmpathySession, session_id)
    return row if row is not None and row.team_id == team_id else None


def get_session_by_thread(db: Session, *, team_id: str, channel_id: str, thread_ts: str) -> EmpathySession | None:
    """The session whose board message starts the thread `thread_ts` in `channel_id`."""
    return db.exec(select(EmpathySession).where(
        EmpathySession.team_id == team_id, EmpathySession.channel_id == channel_id,
        EmpathySession.board_ts == thread_ts)).first()


def find_session_for_export(db: Session, *, session_id: int, team_id: str | None = None) -> EmpathySession | None:
    """For the operator's CLI, which may not know the workspace: filters by team only when given."""
    row = db.get(EmpathySession, session_id)
    if row is None or (team_id is not None and row.team_id != team_id) or row.status == SessionStatus.STARTING:
        return None
    return row


def mark_board_posted(db: Session, *, team_id: str, session_id: int, board_ts: str, now: datetime,
                      phase_ends_at: datetime) -> bool:
    """The board is in the channel: the session runs from now (its first phase starts now)."""
    result = db.execute(update(EmpathySession).where(
        EmpathySession.id == session_id, EmpathySession.team_id == team_id,
        EmpathySession.status == SessionStatus.STARTING,
    ).values(board_ts=board_ts, status=SessionStatus.RUNNING, phase_started_at=now, phase_ends_at=phase_ends_at))
    return result.rowcount == 1


def delete_session(db: Session, *, team_id: str, session_id: int) -> None:
    """Remove a session that never got its board posted, so nothing half-created is left."""
    row = get_session(db, team_id=team_id, session_id=session_id)
    if row is not None and row.status == SessionStatus.STARTING:
        db.delete(row)


def delete_if_empty(db: Session, *, team_id: str, session_id: int) -> EmpathySession | None:
    """Remove an ended session nobody wrote a note in (with its participants); the removed row,
    or None when it has notes, is still running, or is gone."""
    row = get_session(db, team_id=team_id, session_id=session_id)
    if row is None or row.status.live or row.status == SessionStatus.STARTING or has_notes(db, session_id=session_id):
        return None
    db.execute(delete(Participant).where(Participant.session_id == session_id))  # type: ignore[arg-type]
    db.delete(row)
    return row


def persona_for_session(db: Session, *, team_id: str, session: EmpathySession) -> Persona | None:
    """The persona a session is about: the one it started from, else the newest made from it."""
    if session.persona_id is not None:
        found = db.get(Persona, session.persona_id)
        return found if found is not None and found.team_id == team_id else None
    return db.exec(select(Persona).where(Persona.team_id == team_id, Persona.source_session_id == session.id)
                   .order_by(Persona.created_at.desc(), Persona.id.desc())).first()  # type: ignore[attr-defined,union-attr]


def has_notes(db: Session, *, session_id: int) -> bool:
    return db.exec(select(Note.id).where(Note.session_id == session_id).limit(1)).first() is not None


def join(db: Session, *, team_id: str, session_id: int, user_id: str, now: datetime) -> bool:
    """Add a participant; False when they had already joined (one statement either way)."""
    return insert_new(db, Participant, [{"team_id": team_id, "session_id": session_id, "user_id": user_id,
                                         "joined_at": now}]) == 1


def list_participants(db: Session, *, team_id: str, session_id: int) -> list[str]:
    return list(db.exec(
        select(Participant.user_id)
        .where(Participant.team_id == team_id, Participant.session_id == session_id)
        .order_by(Participant.joined_at, Participant.id)
    ).all())


def list_recent_sessions(db: Session, *, team_id: str, limit: int = 10) -> list[EmpathySession]:
    return list(db.exec(
        select(EmpathySession)
        .where(EmpathySession.team_id == team_id, EmpathySession.status != SessionStatus.STARTING)
        .order_by(EmpathySession.created_at.desc())  # type: ignore[attr-defined]
        .limit(limit)
    ).all())


def top_notes_by_quadrant(db: Session, *, team_id: str, session_id: int, per_quadrant: int = 5) -> dict[str, list[str]]:
    """Visible notes per quadrant, most-voted first (ties: oldest first); a group of merged
    duplicates counts once, with its members' votes.

    What a session "found": the summary, the canvas image and the persona prefill all read it.
    """
    votes = func.coalesce(func.sum(Vote.count), 0)
    rows = db.exec(
        select(Note.id, Note.quadrant, Note.text, Note.merged_into_id, votes)
        .outerjoin(Vote, Vote.note_id == Note.id)
        .where(Note.team_id == team_id, Note.session_id == session_id, Note.visibility == NoteVisibility.VISIBLE)
        .group_by(Note.id, Note.quadrant, Note.text, Note.merged_into_id, Note.created_at)
        .order_by(Note.created_at, Note.id)
    ).all()
    totals = {note_id: count for note_id, _, _, into, count in rows if into is None}
    for _, _, _, into, count in rows:
        if into in totals:
            totals[into] += count
    found: dict[str, list[str]] = {}
    for _note_id, quadrant, text, _, _ in sorted((r for r in rows if r[0] in totals), key=lambda r: -totals[r[0]]):
        bucket = found.setdefault(quadrant, [])
        if len(bucket) < per_quadrant:
            bucket.append(text)
    return found
