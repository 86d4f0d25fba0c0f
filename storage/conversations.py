"""In-progress conversations (one multi-step capture per user and place): plain functions.

`updated_at` doubles as the row's version: every write moves it strictly forward and only
succeeds when the caller saw the current one (compare-and-set), so a redelivered or duplicated
message, or a second replica, can never apply the same answer twice or mix two conversations.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import delete, update
from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, select

from storage.models import Conversation

TICK = timedelta(microseconds=1)


def get_conversation(
    engine: Engine, *, team_id: str, user_id: str, channel_id: str, thread_ts: str = ""
) -> Conversation | None:
    with Session(engine) as session:
        return session.exec(
            select(Conversation).where(
                Conversation.team_id == team_id,
                Conversation.user_id == user_id,
                Conversation.channel_id == channel_id,
                Conversation.thread_ts == thread_ts,
            )
        ).first()


def has_conversation(engine: Engine, *, team_id: str, user_id: str, channel_id: str) -> bool:
    """Whether the person has a conversation going on in that channel (in any thread)."""
    with Session(engine) as session:
        return session.exec(
            select(Conversation.id).where(
                Conversation.team_id == team_id,
                Conversation.user_id == user_id,
                Conversation.channel_id == channel_id,
            )
        ).first() is not None


def create_conversation(
    engine: Engine,
    *,
    team_id: str,
    user_id: str,
    channel_id: str,
    thread_ts: str,
    flow: str,
    step: str,
    answers: dict,
    now: datetime,
    expires_at: datetime,
) -> Conversation | None:
    """A new conversation; None when that place already holds one (the unique key decides)."""
    row = Conversation(team_id=team_id, user_id=user_id, channel_id=channel_id, thread_ts=thread_ts,
                       flow=flow, step=step, answers=answers, updated_at=now, expires_at=expires_at)
    with Session(engine, expire_on_commit=False) as session:
        session.add(row)
        try:
            session.commit()
        except IntegrityError:
            session.rollback()
            return None
    return row


def next_version(seen: datetime, now: datetime) -> datetime:
    """The next `updated_at`: now, but always after the one seen (fast replies, frozen test clocks)."""
    return max(now, seen + TICK)


def advance_conversation(
    engine: Engine,
    *,
    conversation_id: int,
    seen_updated_at: datetime,
    step: str,
    answers: dict,
    updated_at: datetime,
    expires_at: datetime,
) -> bool:
    """Move to `step` with `answers`, only if nobody moved it since `seen_updated_at`."""
    with Session(engine) as session:
        result = session.execute(
            update(Conversation)
            .where(Conversation.id == conversation_id, Conversation.updated_at == seen_updated_at)
            .values(step=step, answers=answers, updated_at=updated_at, expires_at=expires_at)
        )
        session.commit()
        return result.rowcount == 1


def finish_conversation(engine: Engine, *, conversation_id: int, seen_updated_at: datetime) -> bool:
    """Remove a finished, cancelled or expired conversation; True only for the one caller that did."""
    with Session(engine) as session:
        result = session.execute(
            delete(Conversation).where(
                Conversation.id == conversation_id, Conversation.updated_at == seen_updated_at
            )
        )
        session.commit()
        return result.rowcount == 1


def list_expired_conversations(engine: Engine, *, now: datetime, limit: int = 100) -> list[Conversation]:
    """Conversations idle past their expiry, in every workspace (the sweep claims each one)."""
    with Session(engine) as session:
        return list(
            session.exec(
                select(Conversation)
                .where(Conversation.expires_at <= now)
                .order_by(Conversation.expires_at)
                .limit(limit)
            ).all()
        )
