"""Where each persona's card was posted (channel, message ts), so a change can rewrite every copy.

Remembering is idempotent (one row per message, however often it is posted or pressed), and a
card whose message is gone is forgotten.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import delete
from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from storage.models import PersonaCard

INTRO_MAX = 500


def remember_card(engine: Engine, *, team_id: str, persona_id: int, channel_id: str, message_ts: str,
                  intro: str, now: datetime) -> bool:
    """True when this message was not known yet."""
    row = PersonaCard(team_id=team_id, persona_id=persona_id, channel_id=channel_id, message_ts=message_ts,
                      intro=intro[:INTRO_MAX], created_at=now)
    with Session(engine) as session:
        session.add(row)
        try:
            session.commit()
        except IntegrityError:
            session.rollback()
            return False
    return True


def list_cards(engine: Engine, *, team_id: str, persona_id: int, limit: int = 20) -> list[PersonaCard]:
    """The newest posted copies of a persona's card."""
    query = select(PersonaCard).where(PersonaCard.team_id == team_id, PersonaCard.persona_id == persona_id)
    with Session(engine) as session:
        return list(session.exec(query.order_by(col(PersonaCard.id).desc()).limit(limit)))


def forget_card(engine: Engine, *, card_id: int) -> None:
    with Session(engine) as session:
        session.execute(delete(PersonaCard).where(col(PersonaCard.id) == card_id))
        session.commit()
