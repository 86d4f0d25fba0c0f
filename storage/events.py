"""Event ids already processed (the Events API delivers at least once)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import delete
from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session

from storage.models import ProcessedEvent


def claim_event(engine: Engine, *, event_id: str, team_id: str, now: datetime) -> bool:
    """True the first time an event id is seen, False for every redelivery (in any process)."""
    with Session(engine) as session:
        session.add(ProcessedEvent(event_id=event_id, team_id=team_id, received_at=now))
        try:
            session.commit()
        except IntegrityError:
            session.rollback()
            return False
    return True


def forget_events_before(engine: Engine, *, cutoff: datetime) -> int:
    """Drop old ids; Slack stops redelivering after minutes, so a day's memory is plenty."""
    with Session(engine) as session:
        result = session.execute(delete(ProcessedEvent).where(ProcessedEvent.received_at < cutoff))
        session.commit()
        return result.rowcount or 0
