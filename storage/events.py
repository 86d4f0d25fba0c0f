"""Event ids already processed (the Events API delivers at least once; Bolt does not dedupe).

The mark is written in the request's own unit of work, so it commits together with whatever the
event produced: a crash before the commit leaves neither, and Slack's redelivery does the work.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import delete
from sqlalchemy.engine import Engine
from sqlmodel import Session

from storage.db import insert_new, unit_of_work
from storage.models import ProcessedEvent


def mark_processed(db: Session, *, event_id: str, team_id: str, now: datetime) -> bool:
    """True the first time an event id is seen; False for a redelivery (in any process)."""
    return insert_new(db, ProcessedEvent, [{"event_id": event_id, "team_id": team_id, "received_at": now}]) == 1


def is_processed(db: Session, *, event_id: str) -> bool:
    return db.get(ProcessedEvent, event_id) is not None


def claim_event(engine: Engine, *, event_id: str, team_id: str, now: datetime) -> bool:
    """`mark_processed` in a unit of work of its own (a one-off action keyed like an event)."""
    with unit_of_work(engine) as db:
        return mark_processed(db, event_id=event_id, team_id=team_id, now=now)


def forget_events_before(db: Session, *, cutoff: datetime) -> int:
    """Drop old ids; Slack stops redelivering after minutes, so a day's memory is plenty."""
    return db.execute(delete(ProcessedEvent).where(ProcessedEvent.received_at < cutoff)).rowcount or 0
