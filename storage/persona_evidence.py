"""Evidence attached to personas (quotes, research findings, links to Slack messages).

One piece of evidence per (persona, source): the same message added twice, or a modal submitted
twice, stays one row (an idempotent insert, so a duplicate never spoils the caller's
transaction). Adding evidence is a change, so it also writes a persona revision. The caller's
unit of work commits.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import func, update
from sqlmodel import Session, col, select

from storage.db import insert_new
from storage.models import Evidence, Persona, PersonaRevision
from storage.states import EvidenceStance


def add_evidence(
    db: Session, *, team_id: str, persona_id: int, text: str, permalink: str, author_id: str, added_by: str,
    source_key: str, now: datetime, stance: EvidenceStance = EvidenceStance.SUPPORTS, assumption: str = "",
    attempts: int = 5,
) -> Evidence | None:
    """Attach evidence and record the revision; None when this source is already attached (or the
    persona is gone). `stance` says whether it supports or challenges `assumption` (a persona
    field; "" for the persona as a whole)."""
    persona = db.exec(select(Persona).where(Persona.id == persona_id, Persona.team_id == team_id)).first()
    if persona is None:
        return None
    count = _count(db, persona_id)
    new = insert_new(db, Evidence, [{
        "team_id": team_id, "persona_id": persona_id, "text": text, "permalink": permalink, "author_id": author_id,
        "added_by": added_by, "source_key": source_key, "stance": stance, "assumption": assumption,
        "created_at": now}], returning=(col(Evidence.id),))
    if not new:
        return None
    for _ in range(attempts):
        version = db.exec(select(Persona.version).where(Persona.id == persona_id)
                          .execution_options(populate_existing=True)).one()
        moved = db.execute(update(Persona).where(col(Persona.id) == persona_id, Persona.version == version)
                           .values(version=version + 1, updated_at=now))
        if moved.rowcount == 1:  # type: ignore[attr-defined]
            db.add(PersonaRevision(
                team_id=team_id, persona_id=persona_id, version=version + 1, editor_id=added_by, note=text[:200],
                changes={"evidence": {"from": count, "to": count + 1}}, created_at=now))
            db.flush()
            return db.get(Evidence, new[0][0])
    raise RuntimeError(f"persona {persona_id} kept changing while evidence was added")


def list_evidence(db: Session, *, team_id: str, persona_id: int) -> list[Evidence]:
    """Oldest first: the order it was gathered in."""
    return list(db.exec(
        select(Evidence).where(Evidence.team_id == team_id, Evidence.persona_id == persona_id)
        .order_by(col(Evidence.created_at), col(Evidence.id))
    ).all())


def count_evidence(db: Session, *, team_id: str, persona_ids: list[int] | None = None) -> dict[int, int]:
    """Pieces of evidence per persona id, for a whole workspace (or only the given personas)."""
    query = select(Evidence.persona_id, func.count()).where(Evidence.team_id == team_id)
    if persona_ids is not None:
        query = query.where(col(Evidence.persona_id).in_(persona_ids))
    rows = db.exec(query.group_by(Evidence.persona_id)).all()
    return {persona_id: count for persona_id, count in rows}


def list_stances(db: Session, *, team_id: str, persona_id: int) -> list[tuple[str, EvidenceStance]]:
    """(assumption, stance) of every piece of evidence on a persona: what validation weighs."""
    rows = db.exec(select(Evidence.assumption, Evidence.stance)
                   .where(Evidence.team_id == team_id, Evidence.persona_id == persona_id)).all()
    return [(assumption, EvidenceStance(stance)) for assumption, stance in rows]


def evidence_since(db: Session, *, team_id: str, persona_id: int, since: datetime) -> list[Evidence]:
    """Evidence added after `since` (the last review), oldest first."""
    return list(db.exec(
        select(Evidence).where(Evidence.team_id == team_id, Evidence.persona_id == persona_id,
                               col(Evidence.created_at) > since)
        .order_by(col(Evidence.created_at), col(Evidence.id))
    ).all())


def _count(db: Session, persona_id: int) -> int:
    return db.exec(select(func.count()).where(Evidence.persona_id == persona_id)).one()
