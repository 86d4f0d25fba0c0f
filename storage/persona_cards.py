"""Where each persona's card was posted (channel, message ts), so a change can rewrite every copy.

Remembering is idempotent (one row per message, however often it is posted or pressed), and a
card whose message is gone is forgotten. The caller's unit of work commits.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import delete
from sqlmodel import Session, col, select

from storage.db import insert_new
from storage.models import PersonaCard

INTRO_MAX = 500


def remember_card(db: Session, *, team_id: str, persona_id: int, channel_id: str, message_ts: str,
                  intro: str, now: datetime) -> bool:
    """True when this message was not known yet."""
    return insert_new(db, PersonaCard, [{
        "team_id": team_id, "persona_id": persona_id, "channel_id": channel_id, "message_ts": message_ts,
        "intro": intro[:INTRO_MAX], "created_at": now}]) == 1


def list_cards(db: Session, *, team_id: str, persona_id: int, limit: int = 20) -> list[PersonaCard]:
    """The newest posted copies of a persona's card."""
    query = select(PersonaCard).where(PersonaCard.team_id == team_id, PersonaCard.persona_id == persona_id)
    return list(db.exec(query.order_by(col(PersonaCard.id).desc()).limit(limit)))


def forget_card(db: Session, *, card_id: int) -> None:
    """A card whose message is gone (deleted, archived channel): never rewritten again."""
    db.execute(delete(PersonaCard).where(col(PersonaCard.id) == card_id))
