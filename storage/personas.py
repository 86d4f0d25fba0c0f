"""Personas and their revisions: plain functions on the caller's unit of work (never committed here).

Every change goes through `update_persona`, which compares-and-sets on `version` and writes the
matching `PersonaRevision` in the same transaction: two editors (or a double click) can never
both win, and the history always has exactly one row per version.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import func, update
from sqlalchemy.orm.attributes import set_committed_value
from sqlmodel import Session, col, select

from storage.db import row_id
from storage.models import Persona, PersonaRevision
from storage.states import PersonaStatus

# What a revision records: every column but the bookkeeping, so a new persona field (a column
# and its migration) is diffed and versioned without being listed here.
BOOKKEEPING = frozenset({"id", "team_id", "created_by", "created_at", "updated_at", "version", "source_session_id"})
EDITABLE = tuple(key for key in Persona.model_fields if key not in BOOKKEEPING)


@dataclass(frozen=True)
class PersonaUpdate:
    """The persona after an update, and what changed: `{field: {"from": old, "to": new}}`."""

    persona: Persona
    changes: dict[str, dict[str, Any]]


def list_personas(
    db: Session, *, team_id: str, owner_id: str | None = None, include_retired: bool = False,
    limit: int | None = None,
) -> list[Persona]:
    """A workspace's personas by name (the first `limit`); only one owner's when `owner_id` is given."""
    query = select(Persona).where(Persona.team_id == team_id)
    if owner_id is not None:
        query = query.where(Persona.owner_id == owner_id)
    if not include_retired:
        query = query.where(Persona.status == PersonaStatus.ACTIVE)
    return list(db.exec(query.order_by(Persona.name, Persona.id).limit(limit)).all())


def newest_personas(db: Session, *, team_id: str, limit: int) -> list[Persona]:
    """The most recently created active personas (quality checks compare a bounded number)."""
    query = (select(Persona).where(Persona.team_id == team_id, Persona.status == PersonaStatus.ACTIVE)
             .order_by(col(Persona.created_at).desc(), col(Persona.id).desc()).limit(limit))
    return list(db.exec(query).all())


def count_active(db: Session, *, team_id: str) -> int:
    query = select(func.count()).select_from(Persona).where(Persona.team_id == team_id,
                                                             Persona.status == PersonaStatus.ACTIVE)
    return int(db.exec(query).one())


def count_active_by_area(db: Session, *, team_id: str) -> dict[str, tuple[str, int]]:
    """Active personas per product or area: {area as compared (trimmed, lower case): (its most
    common spelling, count)}; "" is the personas that name no area."""
    spelled = func.trim(Persona.area)
    rows = db.exec(select(spelled, func.count())
                   .where(Persona.team_id == team_id, Persona.status == PersonaStatus.ACTIVE)
                   .group_by(spelled).order_by(func.count().desc(), spelled)).all()
    found: dict[str, tuple[str, int]] = {}
    for shown, count in rows:
        key = (shown or "").lower()
        first, total = found.get(key, (shown or "", 0))
        found[key] = (first, total + count)
    return found


def get_persona(db: Session, *, team_id: str, persona_id: int) -> Persona | None:
    """The persona as stored now (re-read even if this unit of work holds an older copy)."""
    return db.exec(select(Persona).where(Persona.id == persona_id, Persona.team_id == team_id)
                   .execution_options(populate_existing=True)).first()


def find_personas(db: Session, *, team_id: str, name: str) -> list[Persona]:
    """Active personas named `name` (any case); failing that, those whose name contains it."""
    wanted = name.strip().lower()
    if not wanted:
        return []
    active = select(Persona).where(Persona.team_id == team_id, Persona.status == PersonaStatus.ACTIVE)
    exact = db.exec(active.where(func.lower(Persona.name) == wanted)).all()
    if exact:
        return list(exact)
    rows = db.exec(active.order_by(Persona.name, Persona.id)).all()
    return [row for row in rows if wanted in row.name.lower()]


def find_any(db: Session, *, wanted: str, team_id: str | None = None) -> list[Persona]:
    """By id, else by exact name (any case, retired too), in one workspace or all (the CLI)."""
    query = select(Persona)
    if team_id is not None:
        query = query.where(Persona.team_id == team_id)
    wanted_id = row_id(wanted)
    if wanted_id is not None:
        row = db.exec(query.where(Persona.id == wanted_id)).first()
        if row is not None:
            return [row]
    return list(db.exec(query.where(func.lower(Persona.name) == wanted.strip().lower()).order_by(Persona.id)).all())


def name_taken(db: Session, *, team_id: str, name: str, except_id: int | None = None) -> bool:
    """Another active persona already has this name (names are how people find personas)."""
    query = select(Persona.id).where(Persona.team_id == team_id, Persona.status == PersonaStatus.ACTIVE,
                                     func.lower(Persona.name) == name.strip().lower())
    if except_id is not None:
        query = query.where(Persona.id != except_id)
    return db.exec(query).first() is not None


def create_persona(
    db: Session, *, team_id: str, values: dict[str, Any], created_by: str, now: datetime, note: str = ""
) -> Persona:
    """A new persona at version 1, with its first revision listing every field it was given."""
    fields = {key: value for key, value in values.items() if key in EDITABLE or key == "source_session_id"}
    fields.setdefault("owner_id", created_by)
    row = Persona(team_id=team_id, created_by=created_by, created_at=now, updated_at=now, version=1, **fields)
    db.add(row)
    db.flush()
    blank = Persona(team_id=team_id, name="", owner_id="", created_by=created_by, created_at=now, updated_at=now)
    changes = diff_persona(blank, {k: getattr(row, k) for k in EDITABLE})
    db.add(PersonaRevision(team_id=team_id, persona_id=row.id, version=1, editor_id=created_by, note=note,
                           changes=changes, created_at=now))
    db.flush()
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
    db: Session, *, team_id: str, persona_id: int, expected_version: int, values: dict[str, Any],
    editor_id: str, now: datetime, note: str = "", current: Persona | None = None,
) -> PersonaUpdate | None:
    """Apply `values` if the persona is still at `expected_version`; None when it moved on (or is gone).

    Nothing to change: the persona comes back as it is, with no revision. `current`: the row
    just read in this unit of work (saves reading it again); the version check still decides.
    """
    persona = current if current is not None else get_persona(db, team_id=team_id, persona_id=persona_id)
    if persona is None or persona.version != expected_version:
        return None
    changes = diff_persona(persona, values)
    if not changes:
        return PersonaUpdate(persona, {})
    version = expected_version + 1
    result = db.execute(
        update(Persona)
        .where(col(Persona.id) == persona_id, Persona.team_id == team_id, Persona.version == expected_version)
        .values(**{k: values[k] for k in changes}, version=version, updated_at=now)
    )
    if result.rowcount != 1:  # type: ignore[attr-defined]
        return None
    db.add(PersonaRevision(team_id=team_id, persona_id=persona_id, version=version, editor_id=editor_id,
                           note=note, changes=changes, created_at=now))
    for key, value in {**{k: values[k] for k in changes}, "version": version, "updated_at": now}.items():
        set_committed_value(persona, key, value)  # the row as stored now, without reading it back
    return PersonaUpdate(persona, changes)


def update_persona_latest(
    db: Session, *, team_id: str, persona_id: int, values: dict[str, Any], editor_id: str,
    now: datetime, note: str = "", attempts: int = 5,
) -> PersonaUpdate | None:
    """`update_persona` on whatever version is current, for changes that need no user's review
    (retire, reassign, review done): retried when another change lands in between."""
    for _ in range(attempts):
        persona = get_persona(db, team_id=team_id, persona_id=persona_id)
        if persona is None:
            return None
        done = update_persona(db, team_id=team_id, persona_id=persona_id, expected_version=persona.version,
                              values=values, editor_id=editor_id, now=now, note=note, current=persona)
        if done is not None:
            return done
    return None


def list_revisions(db: Session, *, team_id: str, persona_id: int, limit: int = 50) -> list[PersonaRevision]:
    """Newest first."""
    return list(db.exec(
        select(PersonaRevision)
        .where(PersonaRevision.team_id == team_id, PersonaRevision.persona_id == persona_id)
        .order_by(col(PersonaRevision.version).desc())
        .limit(limit)
    ).all())


def revisions_since(db: Session, *, team_id: str, persona_id: int, since: datetime) -> list[PersonaRevision]:
    """The revisions written after `since` (the last review), oldest first."""
    return list(db.exec(
        select(PersonaRevision)
        .where(PersonaRevision.team_id == team_id, PersonaRevision.persona_id == persona_id,
               col(PersonaRevision.created_at) > since)
        .order_by(col(PersonaRevision.version))
    ).all())


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
