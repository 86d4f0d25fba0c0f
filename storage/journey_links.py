"""Where a journey reaches out: the cards posted in channels (rewritten on every change), empathy
notes linked to its stages, and the persona-journey links (a persona's layer) with their owners."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import update
from sqlmodel import Session, select

from storage.db import insert_new
from storage.journey_models import Journey, JourneyCard, JourneyLayer, JourneyNoteLink, Stage
from storage.journeys import record
from storage.models import EmpathySession, Note, Persona
from storage.states import JourneyChange, JourneyStatus, PersonaStatus

CARDS_KEPT = 20  # the newest cards of a journey are kept up to date; older ones stay as they were


def add_card(db: Session, *, team_id: str, journey_id: int, channel_id: str, message_ts: str,
             layer_filter: int | None, now: datetime) -> int:
    """Remember a posted card (idempotent: a retried post records it once); returns how many are new."""
    return insert_new(db, JourneyCard, [{"team_id": team_id, "journey_id": journey_id, "channel_id": channel_id,
                                         "message_ts": message_ts, "layer_filter": layer_filter,
                                         "created_at": now}])


def list_cards(db: Session, *, team_id: str, journey_id: int) -> list[JourneyCard]:
    return list(db.exec(select(JourneyCard).where(JourneyCard.team_id == team_id, JourneyCard.journey_id == journey_id)
                        .order_by(JourneyCard.id.desc()).limit(CARDS_KEPT)))


def set_card_filter(db: Session, *, team_id: str, channel_id: str, message_ts: str,
                    layer_filter: int | None) -> int | None:
    """A card's persona filter changed (for everyone who sees that card); returns its journey id."""
    card = db.exec(select(JourneyCard).where(JourneyCard.team_id == team_id, JourneyCard.channel_id == channel_id,
                                             JourneyCard.message_ts == message_ts)).first()
    if card is None:
        return None
    db.execute(update(JourneyCard).where(JourneyCard.id == card.id).values(layer_filter=layer_filter))
    return card.journey_id


def link_notes(db: Session, *, journey: Journey, session_id: int, links: dict[int, int], by: str,
               now: datetime) -> int:
    """Place notes (note id -> stage id) of one finished session on the journey's stages, under
    the session's persona (the one made from it); notes of other sessions or stages of other journeys are ignored."""
    session = db.get(EmpathySession, session_id)
    if session is None or session.team_id != journey.team_id or not links:
        return 0
    persona_id = session.persona_id or db.exec(
        select(Persona.id).where(Persona.team_id == journey.team_id, Persona.source_session_id == session_id,
                                 Persona.status == PersonaStatus.ACTIVE).order_by(Persona.id.desc())).first()
    stages = set(db.exec(select(Stage.id).where(Stage.journey_id == journey.id)))
    notes = set(db.exec(select(Note.id).where(Note.session_id == session_id, Note.id.in_(list(links)))))
    rows = [{"team_id": journey.team_id, "journey_id": journey.id, "stage_id": stage_id, "note_id": note_id,
             "session_id": session_id, "persona_id": persona_id, "linked_by": by, "created_at": now}
            for note_id, stage_id in links.items() if note_id in notes and stage_id in stages]
    added = insert_new(db, JourneyNoteLink, rows)
    if added:
        for row in rows:
            db.execute(update(Note).where(Note.id == row["note_id"]).values(stage_id=row["stage_id"]))
        record(db, journey=journey, change=JourneyChange.NOTES_LINKED, editor_id=by, now=now,
               detail={"session_id": session_id, "notes": added})
    return added


@dataclass(frozen=True)
class PersonaLink:
    """A persona layered on a journey, and who keeps that link true (`owner_id`)."""

    layer_id: int
    journey_id: int
    journey: str
    journey_owner_id: str
    persona_id: int
    persona: str
    persona_owner_id: str
    owner_id: str


def persona_links(db: Session, *, team_id: str, persona_id: int | None = None,
                  journey_id: int | None = None) -> list[PersonaLink]:
    """The links of one persona or of one journey (both active), in one indexed read, oldest first."""
    query = (select(JourneyLayer.id, Journey.id, Journey.name, Journey.owner_id, Persona.id, Persona.name,
                    Persona.owner_id, JourneyLayer.owner_id)
             .join(Journey, Journey.id == JourneyLayer.journey_id).join(Persona, Persona.id == JourneyLayer.persona_id)
             .where(JourneyLayer.team_id == team_id, Journey.status == JourneyStatus.ACTIVE,
                    Persona.status == PersonaStatus.ACTIVE))
    if persona_id is not None:
        query = query.where(JourneyLayer.persona_id == persona_id)
    if journey_id is not None:
        query = query.where(JourneyLayer.journey_id == journey_id)
    return [PersonaLink(int(layer), int(journey), str(name), str(j_owner), int(persona), str(p_name), str(p_owner),
                        str(owner or ""))
            for layer, journey, name, j_owner, persona, p_name, p_owner, owner
            in db.execute(query.order_by(JourneyLayer.id))]
