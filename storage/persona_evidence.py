"""Evidence attached to personas (quotes, research findings, links to Slack messages).

One piece of evidence per (persona, source): the same message added twice, or a modal submitted
twice, stays one row. Adding evidence is a change, so it also writes a persona revision.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import func, update
from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, select

from storage.models import Evidence, Persona, PersonaRevision


def add_evidence(
    engine: Engine,
    *,
    team_id: str,
    persona_id: int,
    text: str,
    permalink: str,
    author_id: str,
    added_by: str,
    source_key: str,
    now: datetime,
    attempts: int = 5,
) -> Evidence | None:
    """Attach evidence and record the revision; None when this source is already attached."""
    for _ in range(attempts):
        with Session(engine, expire_on_commit=False) as session:
            persona = session.get(Persona, persona_id)
            if persona is None or persona.team_id != team_id:
                return None
            count = _count(session, persona_id)
            version = persona.version
            row = Evidence(team_id=team_id, persona_id=persona_id, text=text, permalink=permalink,
                           author_id=author_id, added_by=added_by, source_key=source_key, created_at=now)
            session.add(row)
            try:
                session.flush()
            except IntegrityError:
                session.rollback()
                return None
            moved = session.execute(
                update(Persona).where(Persona.id == persona_id, Persona.version == version)
                .values(version=version + 1, updated_at=now)
            )
            if moved.rowcount != 1:
                session.rollback()
                continue
            session.add(PersonaRevision(
                team_id=team_id, persona_id=persona_id, version=version + 1, editor_id=added_by,
                note=text[:200], changes={"evidence": {"from": count, "to": count + 1}}, created_at=now,
            ))
            try:
                session.commit()
            except IntegrityError:
                session.rollback()
                continue
            return row
    return None


def list_evidence(engine: Engine, *, team_id: str, persona_id: int) -> list[Evidence]:
    """Oldest first: the order it was gathered in."""
    with Session(engine) as session:
        return list(session.exec(
            select(Evidence).where(Evidence.team_id == team_id, Evidence.persona_id == persona_id)
            .order_by(Evidence.created_at, Evidence.id)
        ).all())


def count_evidence(engine: Engine, *, team_id: str, persona_ids: list[int] | None = None) -> dict[int, int]:
    """Pieces of evidence per persona id, for a whole workspace (or only the given personas)."""
    query = select(Evidence.persona_id, func.count()).where(Evidence.team_id == team_id)
    if persona_ids is not None:
        query = query.where(Evidence.persona_id.in_(persona_ids))  # type: ignore[attr-defined]
    with Session(engine) as session:
        rows = session.exec(query.group_by(Evidence.persona_id)).all()
    return {persona_id: count for persona_id, count in rows}


def _count(session: Session, persona_id: int) -> int:
    return session.exec(select(func.count()).where(Evidence.persona_id == persona_id)).one()
