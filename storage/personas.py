"""Personas and their revisions: plain functions, one unit of work each.

Every change goes through `update_persona`, which compares-and-sets on `version` and writes the
matching `PersonaRevision` in the same transaction: two editors (or a double click) can never
both win, and the history always has exactly one row per version.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import func, update
from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, select

from storage.models import Persona, PersonaRevision

EDITABLE = ("name", "role", "context", "goals", "behaviors", "needs", "frustrations", "quote", "unsure",
            "kind", "confidence", "owner_id", "cadence_days", "status", "next_review_at", "last_reviewed_at")


@dataclass(frozen=True)
class PersonaUpdate:
    """The persona after an update, and what changed: `{field: {"from": old, "to": new}}`."""

    persona: Persona
    changes: dict[str, dict[str, Any]]


def list_personas(
    engine: Engine, *, team_id: str, owner_id: str | None = None, include_retired: bool = False,
    limit: int | None = None,
) -> list[Persona]:
    """A workspace's personas by name (the first `limit`); only one owner's when `owner_id` is given."""
    query = select(Persona).where(Persona.team_id == team_id)
    if owner_id is not None:
        query = query.where(Persona.owner_id == owner_id)
    if not include_retired:
        query = query.where(Persona.status == "active")
    with Session(engine) as session:
        return list(session.exec(query.order_by(Persona.name, Persona.id).limit(limit)).all())


def newest_personas(engine: Engine, *, team_id: str, limit: int) -> list[Persona]:
    """The most recently created active personas (quality checks compare a bounded number)."""
    query = (select(Persona).where(Persona.team_id == team_id, Persona.status == "active")
             .order_by(Persona.created_at.desc(), Persona.id.desc()).limit(limit))  # type: ignore[attr-defined]
    with Session(engine) as session:
        return list(session.exec(query).all())


def count_active(engine: Engine, *, team_id: str) -> int:
    query = select(func.count()).select_from(Persona).where(Persona.team_id == team_id, Persona.status == "active")
    with Session(engine) as session:
        return int(session.exec(query).one())


def get_persona(engine: Engine, *, team_id: str, persona_id: int) -> Persona | None:
    with Session(engine) as session:
        row = session.get(Persona, persona_id)
        return row if row is not None and row.team_id == team_id else None


def find_personas(engine: Engine, *, team_id: str, name: str) -> list[Persona]:
    """Active personas named `name` (any case); failing that, those whose name contains it."""
    wanted = name.strip().lower()
    if not wanted:
        return []
    active = select(Persona).where(Persona.team_id == team_id, Persona.status == "active")
    with Session(engine) as session:
        exact = session.exec(active.where(func.lower(Persona.name) == wanted)).all()
        if exact:
            return list(exact)
        rows = session.exec(active.order_by(Persona.name, Persona.id)).all()
    return [row for row in rows if wanted in row.name.lower()]


def find_any(engine: Engine, *, wanted: str, team_id: str | None = None) -> list[Persona]:
    """By id, else by exact name (any case, retired too), in one workspace or all (the CLI)."""
    query = select(Persona)
    if team_id is not None:
        query = query.where(Persona.team_id == team_id)
    with Session(engine) as session:
        if wanted.isdigit():
            row = session.exec(query.where(Persona.id == int(wanted))).first()
            if row is not None:
                return [row]
        return list(session.exec(query.where(func.lower(Persona.name) == wanted.strip().lower())
                                 .order_by(Persona.id)).all())


def name_taken(engine: Engine, *, team_id: str, name: str, except_id: int | None = None) -> bool:
    """Another active persona already has this name (names are how people find personas)."""
    query = select(Persona.id).where(Persona.team_id == team_id, Persona.status == "active",
                                     func.lower(Persona.name) == name.strip().lower())
    if except_id is not None:
        query = query.where(Persona.id != except_id)
    with Session(engine) as session:
        return session.exec(query).first() is not None


def create_persona(
    engine: Engine, *, team_id: str, values: dict[str, Any], created_by: str, now: datetime, note: str = ""
) -> Persona:
    """A new persona at version 1, with its first revision listing every field it was given."""
    fields = {key: value for key, value in values.items() if key in EDITABLE or key == "source_session_id"}
    fields.setdefault("owner_id", created_by)
    row = Persona(team_id=team_id, created_by=created_by, created_at=now, updated_at=now, version=1,
                  **fields)
    with Session(engine, expire_on_commit=False) as session:
        session.add(row)
        session.flush()
        blank = Persona(team_id=team_id, name="", owner_id="", created_by=created_by, created_at=now,
                        updated_at=now)
        changes = diff_persona(blank, {k: getattr(row, k) for k in EDITABLE})
        session.add(PersonaRevision(team_id=team_id, persona_id=row.id, version=1, editor_id=created_by,
                                    note=note, changes=changes, created_at=now))
        session.commit()
    return row


def diff_persona(persona: Persona, values: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """Field-by-field changes `values` would make; JSON-ready (datetimes as ISO strings)."""
    changes: dict[str, dict[str, Any]] = {}
    for key in EDITABLE:
        if key not in values:
            continue
        old, new = getattr(persona, key), values[key]
        if _comparable(old) != _comparable(new):
            changes[key] = {"from": _json(old), "to": _json(new)}
    return changes


def update_persona(
    engine: Engine,
    *,
    team_id: str,
    persona_id: int,
    expected_version: int,
    values: dict[str, Any],
    editor_id: str,
    now: datetime,
    note: str = "",
) -> PersonaUpdate | None:
    """Apply `values` if the persona is still at `expected_version`; None when it moved on (or is gone).

    Nothing to change: the persona comes back as it is, with no revision.
    """
    persona = get_persona(engine, team_id=team_id, persona_id=persona_id)
    if persona is None or persona.version != expected_version:
        return None
    changes = diff_persona(persona, values)
    if not changes:
        return PersonaUpdate(persona, {})
    version = expected_version + 1
    with Session(engine) as session:
        result = session.execute(
            update(Persona)
            .where(Persona.id == persona_id, Persona.team_id == team_id, Persona.version == expected_version)
            .values(**{k: values[k] for k in changes}, version=version, updated_at=now)
        )
        if result.rowcount != 1:
            session.rollback()
            return None
        session.add(PersonaRevision(team_id=team_id, persona_id=persona_id, version=version,
                                    editor_id=editor_id, note=note, changes=changes, created_at=now))
        try:
            session.commit()
        except IntegrityError:
            session.rollback()
            return None
    updated = get_persona(engine, team_id=team_id, persona_id=persona_id)
    assert updated is not None
    return PersonaUpdate(updated, changes)


def update_persona_latest(
    engine: Engine, *, team_id: str, persona_id: int, values: dict[str, Any], editor_id: str,
    now: datetime, note: str = "", attempts: int = 5,
) -> PersonaUpdate | None:
    """`update_persona` on whatever version is current, for changes that need no user's review
    (retire, reassign, review done, evidence): retried when another change lands in between."""
    for _ in range(attempts):
        persona = get_persona(engine, team_id=team_id, persona_id=persona_id)
        if persona is None:
            return None
        done = update_persona(engine, team_id=team_id, persona_id=persona_id, expected_version=persona.version,
                              values=values, editor_id=editor_id, now=now, note=note)
        if done is not None:
            return done
    return None


def list_revisions(engine: Engine, *, team_id: str, persona_id: int, limit: int = 50) -> list[PersonaRevision]:
    """Newest first."""
    with Session(engine) as session:
        return list(
            session.exec(
                select(PersonaRevision)
                .where(PersonaRevision.team_id == team_id, PersonaRevision.persona_id == persona_id)
                .order_by(PersonaRevision.version.desc())  # type: ignore[attr-defined]
                .limit(limit)
            ).all()
        )


def _comparable(value: Any) -> Any:
    if isinstance(value, list):
        return [str(item) for item in value]
    if value is None:
        return None
    return _json(value)


def _json(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, list):
        return list(value)
    return value
