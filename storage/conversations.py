"""In-progress conversations (one multi-step capture per user and place): plain functions on the
caller's unit of work (never committed here).

`updated_at` doubles as the row's version: every write moves it strictly forward and only
succeeds when the caller saw the current one (compare-and-set), so two messages racing, or a
second replica, can never apply the same answer twice or mix two conversations.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import delete, update
from sqlmodel import Session, col, select

from storage.db import insert_new
from storage.models import Conversation

TICK = timedelta(microseconds=1)


def get_conversation(
    db: Session, *, team_id: str, user_id: str, channel_id: str, thread_ts: str = ""
) -> Conversation | None:
    """The conversation as stored now (re-read even if this unit of work holds an older copy)."""
    return db.exec(
        select(Conversation).where(
            Conversation.team_id == team_id,
            Conversation.user_id == user_id,
            Conversation.channel_id == channel_id,
            Conversation.thread_ts == thread_ts,
        ).execution_options(populate_existing=True)
    ).first()


def list_conversations(db: Session, *, team_id: str, user_id: str, channel_id: str) -> list[Conversation]:
    """The person's conversations going on in that channel (in any thread)."""
    return list(db.exec(select(Conversation).where(
        Conversation.team_id == team_id, Conversation.user_id == user_id, Conversation.channel_id == channel_id,
    ).execution_options(populate_existing=True)).all())


def has_conversation(db: Session, *, team_id: str, user_id: str, channel_id: str) -> bool:
    """Whether the person has a conversation going on in that channel (in any thread)."""
    return db.exec(select(Conversation.id).where(
        Conversation.team_id == team_id, Conversation.user_id == user_id, Conversation.channel_id == channel_id,
    )).first() is not None


def create_conversation(
    db: Session, *, team_id: str, user_id: str, channel_id: str, thread_ts: str, flow: str, step: str,
    answers: dict, now: datetime, expires_at: datetime,
) -> Conversation | None:
    """A new conversation; None when that place already holds one (the unique key decides)."""
    new = insert_new(db, Conversation, [{
        "team_id": team_id, "user_id": user_id, "channel_id": channel_id, "thread_ts": thread_ts, "flow": flow,
        "step": step, "answers": answers, "updated_at": now, "expires_at": expires_at}],
        returning=(col(Conversation.id),))
    return db.get(Conversation, new[0][0]) if new else None


def next_version(seen: datetime, now: datetime) -> datetime:
    """The next `updated_at`: now, but always after the one seen (fast replies, frozen test clocks)."""
    return max(now, seen + TICK)


def advance_conversation(
    db: Session, *, conversation_id: int, seen_updated_at: datetime, step: str, answers: dict,
    updated_at: datetime, expires_at: datetime,
) -> bool:
    """Move to `step` with `answers`, only if nobody moved it since `seen_updated_at`."""
    result = db.execute(
        update(Conversation)
        .where(col(Conversation.id) == conversation_id, Conversation.updated_at == seen_updated_at)
        .values(step=step, answers=answers, updated_at=updated_at, expires_at=expires_at)
    )
    return result.rowcount == 1  # type: ignore[attr-defined]


def finish_conversation(db: Session, *, conversation_id: int, seen_updated_at: datetime) -> bool:
    """Remove a finished, cancelled or expired conversation; True only for the one caller that did."""
    result = db.execute(delete(Conversation).where(
        col(Conversation.id) == conversation_id, Conversation.updated_at == seen_updated_at))
    return result.rowcount == 1  # type: ignore[attr-defined]


def list_expired_conversations(db: Session, *, now: datetime, limit: int = 100) -> list[Conversation]:
    """Conversations idle past their expiry, in every workspace (the sweep finishes each one)."""
    return list(db.exec(
        select(Conversation).where(Conversation.expires_at <= now).order_by(col(Conversation.expires_at))
        .limit(limit)
    ).all())
