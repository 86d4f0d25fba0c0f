"""Journeys and their stages: plain functions on the caller's unit of work (they never commit).

Every change bumps the journey's `revision` (what the image and the live cards key on) and
writes a `JourneyRevision`, so the journey keeps its history: a removed stage's layers and
linked notes are copied into the revision that removed it before the rows go.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import delete, func, update
from sqlmodel import Session, select

from storage.db import row_id
from storage.journey_fields import ITEM_KEYS
from storage.journey_models import Journey, JourneyLayer, JourneyNoteLink, JourneyRevision, PersonaStage, Stage
from storage.models import Note
from storage.states import JourneyChange, JourneyStatus

TEMPLATES: dict[str, tuple[str, ...]] = {
    "lifecycle": ("Awareness", "Consideration", "Purchase", "Onboarding", "Adoption", "Expansion",
                  "Advocacy/Churn"),
    "short": ("Discover", "Try", "Buy", "Use", "Get help"),
}


@dataclass(frozen=True)
class JourneySummary:
    """One line of `/journey list`: counted in the query, not by loading every journey."""

    id: int
    name: str
    owner_id: str
    stages: int
    layers: int
    personas: int


@dataclass(frozen=True)
class PlannedStage:
    """One stage of an edited journey, in its new order: an existing stage (`stage_id`) or a new one."""

    name: str
    stage_id: int | None = None


DETAILS = ("name", "goal", "state", "scope_start", "scope_end", "scope_why", "backstage")


def create_journey(db: Session, *, team_id: str, name: str, goal: str, owner_id: str, cadence_days: int,
                   stages: list[str], created_by: str, now: datetime, scope: dict[str, Any] | None = None) -> Journey:
    """`scope`: the journey's state and scope columns (`DETAILS` but name and goal), as the form read them."""
    journey = Journey(team_id=team_id, name=name, goal=goal, owner_id=owner_id, cadence_days=cadence_days,
                      next_review_at=now + timedelta(days=cadence_days), created_by=created_by,
                      created_at=now, updated_at=now, **{k: v for k, v in (scope or {}).items() if k in DETAILS})
    db.add(journey)
    db.flush()
    db.add_all(Stage(team_id=team_id, journey_id=journey.id, position=index, name=stage)
               for index, stage in enumerate(stages))
    record(db, journey=journey, change=JourneyChange.CREATED, editor_id=created_by, now=now,
           detail={"stages": stages})
    return journey


def update_details(db: Session, *, journey: Journey, values: dict[str, Any], editor_id: str,
                   now: datetime) -> list[str]:
    """Name, goal, state and scope (only `DETAILS` keys); returns what changed, recorded in the history."""
    changed = {k: v for k, v in values.items() if k in DETAILS and getattr(journey, k) != v}
    if not changed:
        return []
    db.execute(update(Journey).where(Journey.id == journey.id).values(**changed))
    record(db, journey=journey, change=JourneyChange.EDITED, editor_id=editor_id, now=now,
           detail={"fields": sorted(changed)})
    db.refresh(journey)
    return sorted(changed)


def get_journey(db: Session, *, team_id: str, journey_id: int) -> Journey | None:
    journey = db.get(Journey, journey_id)
    return journey if journey is not None and journey.team_id == team_id else None


def find_journeys(db: Session, *, team_id: str, name: str) -> list[Journey]:
    """An exact name (any case) first; else every active journey whose name contains `name`; an id works too."""
    wanted = " ".join(name.split()).casefold()
    wanted_id = row_id(wanted)
    if wanted_id is not None:
        found = get_journey(db, team_id=team_id, journey_id=wanted_id)
        if found is not None and found.status == JourneyStatus.ACTIVE:
            return [found]
    rows = list(db.exec(select(Journey).where(Journey.team_id == team_id, Journey.status == JourneyStatus.ACTIVE,
                                              func.lower(Journey.name).contains(wanted)).order_by(Journey.name)))
    exact = [j for j in rows if j.name.casefold() == wanted]
    return exact or rows


def any_active(db: Session, *, team_id: str) -> bool:
    return db.exec(select(Journey.id).where(Journey.team_id == team_id, Journey.status == JourneyStatus.ACTIVE)
                   .limit(1)).first() is not None


def name_taken(db: Session, *, team_id: str, name: str, except_id: int | None = None) -> bool:
    query = select(Journey.id).where(Journey.team_id == team_id, Journey.status == JourneyStatus.ACTIVE,
                                     func.lower(Journey.name) == name.casefold())
    if except_id is not None:
        query = query.where(Journey.id != except_id)
    return db.exec(query).first() is not None


def list_summaries(db: Session, *, team_id: str, owner_id: str | None = None, offset: int = 0,
                   limit: int = 20) -> tuple[list[JourneySummary], int]:
    """Active journeys, owner's first then by name, with their stage and layer counts; and the total."""
    where = [Journey.team_id == team_id, Journey.status == JourneyStatus.ACTIVE]
    if owner_id is not None:
        where.append(Journey.owner_id == owner_id)
    total = db.exec(select(func.count()).select_from(Journey).where(*where)).one()
    stages = select(Stage.journey_id, func.count().label("n")).where(Stage.team_id == team_id) \
        .group_by(Stage.journey_id).subquery()
    layers = select(JourneyLayer.journey_id, func.count().label("n"),
                    func.count(JourneyLayer.persona_id).label("p")).where(JourneyLayer.team_id == team_id) \
        .group_by(JourneyLayer.journey_id).subquery()
    rows = db.execute(
        select(Journey.id, Journey.name, Journey.owner_id, func.coalesce(stages.c.n, 0),
               func.coalesce(layers.c.n, 0), func.coalesce(layers.c.p, 0))
        .outerjoin(stages, stages.c.journey_id == Journey.id).outerjoin(layers, layers.c.journey_id == Journey.id)
        .where(*where).order_by(func.lower(Journey.name), Journey.id).offset(offset).limit(limit))
    return [JourneySummary(*row) for row in rows], int(total)


def list_stages(db: Session, *, team_id: str, journey_id: int) -> list[Stage]:
    return list(db.exec(select(Stage).where(Stage.team_id == team_id, Stage.journey_id == journey_id)
                        .order_by(Stage.position)))


def record(db: Session, *, journey: Journey, change: JourneyChange, editor_id: str, now: datetime,
           detail: dict[str, Any] | None = None) -> None:
    """A line of history, and a new revision (so cards and the image know they are stale)."""
    db.add(JourneyRevision(team_id=journey.team_id, journey_id=journey.id, change=change, editor_id=editor_id,
                           detail=detail or {}, created_at=now))
    if change != JourneyChange.CREATED:
        db.execute(update(Journey).where(Journey.id == journey.id)
                   .values(revision=Journey.revision + 1, updated_at=now))


def history(db: Session, *, team_id: str, journey_id: int) -> list[JourneyRevision]:
    return list(db.exec(select(JourneyRevision).where(JourneyRevision.team_id == team_id,
                                                      JourneyRevision.journey_id == journey_id)
                        .order_by(JourneyRevision.id)))


def stages_with_content(db: Session, *, team_id: str, stage_ids: list[int]) -> dict[int, tuple[int, int]]:
    """stage id -> (layers that wrote something there, notes linked there), for stages holding content."""
    if not stage_ids:
        return {}
    filled: dict[int, int] = {}
    for cell in db.exec(select(PersonaStage).where(PersonaStage.team_id == team_id,
                                                   PersonaStage.stage_id.in_(stage_ids))):
        if cell.emotion is not None or cell.emotion_word or any(getattr(cell, k) for k in ITEM_KEYS):
            filled[cell.stage_id] = filled.get(cell.stage_id, 0) + 1
    notes = dict(db.execute(select(JourneyNoteLink.stage_id, func.count()).where(
        JourneyNoteLink.team_id == team_id, JourneyNoteLink.stage_id.in_(stage_ids))
        .group_by(JourneyNoteLink.stage_id)).all())
    return {s: (filled.get(s, 0), int(notes.get(s, 0))) for s in stage_ids if filled.get(s) or notes.get(s)}


def apply_stage_plan(db: Session, *, journey: Journey, plan: list[PlannedStage], editor_id: str,
                     now: datetime) -> list[str]:
    """Make the journey's stages `plan` (renames, moves, additions; stages left out are removed,
    their content copied into history). Returns the names of what changed, for the reply."""
    stages = list_stages(db, team_id=journey.team_id, journey_id=journey.id)
    current = {s.id: s for s in stages}
    before = {s.id: (s.name, s.position) for s in stages}  # updates below refresh the loaded rows
    kept = {p.stage_id for p in plan if p.stage_id in current}
    changes: list[str] = []
    for stage in current.values():
        if stage.id not in kept:
            _remove_stage(db, journey=journey, stage=stage, editor_id=editor_id, now=now)
            changes.append(stage.name)
    db.flush()
    # Two passes: positions are unique per journey, so park the kept ones out of the way first.
    for stage_id in kept:
        db.execute(update(Stage).where(Stage.id == stage_id).values(position=-1 - stage_id))
    for position, planned in enumerate(plan):
        old = current.get(planned.stage_id) if planned.stage_id is not None else None
        if old is None:
            db.add(Stage(team_id=journey.team_id, journey_id=journey.id, position=position, name=planned.name))
            record(db, journey=journey, change=JourneyChange.STAGE_ADDED, editor_id=editor_id, now=now,
                   detail={"name": planned.name, "position": position})
            changes.append(planned.name)
            continue
        old_name, old_position = before[old.id]
        db.execute(update(Stage).where(Stage.id == old.id).values(position=position, name=planned.name))
        if old_name != planned.name:
            record(db, journey=journey, change=JourneyChange.STAGE_RENAMED, editor_id=editor_id, now=now,
                   detail={"stage_id": old.id, "from": old_name, "to": planned.name})
            changes.append(planned.name)
        if old_position != position:
            record(db, journey=journey, change=JourneyChange.STAGE_MOVED, editor_id=editor_id, now=now,
                   detail={"stage_id": old.id, "name": planned.name, "from": old_position, "to": position})
            changes.append(planned.name)
    db.flush()
    return changes


def _remove_stage(db: Session, *, journey: Journey, stage: Stage, editor_id: str, now: datetime) -> None:
    cells = list(db.exec(select(PersonaStage).where(PersonaStage.stage_id == stage.id)))
    links = list(db.exec(select(JourneyNoteLink).where(JourneyNoteLink.stage_id == stage.id)))
    layers = [{"layer_id": c.layer_id, "emotion": c.emotion, "emotion_word": c.emotion_word, "not_part": c.not_part,
               **{k: list(getattr(c, k)) for k in ITEM_KEYS}} for c in cells]
    notes = [{"note_id": n.note_id, "session_id": n.session_id, "persona_id": n.persona_id} for n in links]
    record(db, journey=journey, change=JourneyChange.STAGE_REMOVED, editor_id=editor_id, now=now,
           detail={"stage_id": stage.id, "name": stage.name, "position": stage.position, "layers": layers,
                   "notes": notes})
    db.execute(delete(PersonaStage).where(PersonaStage.stage_id == stage.id))
    db.execute(delete(JourneyNoteLink).where(JourneyNoteLink.stage_id == stage.id))
    db.execute(update(Note).where(Note.stage_id == stage.id).values(stage_id=None))
    db.execute(delete(Stage).where(Stage.id == stage.id))


def mark_image_drawn(db: Session, *, team_id: str, journey_id: int, revision: int) -> int:
    """Record that the image of `revision` is uploaded; returns the journey's revision now."""
    db.execute(update(Journey).where(Journey.team_id == team_id, Journey.id == journey_id,
                                     Journey.image_revision < revision).values(image_revision=revision))
    return int(db.exec(select(Journey.revision).where(Journey.id == journey_id)).one())


def set_review(db: Session, *, team_id: str, journey_id: int, **values: Any) -> None:
    """Governance's writes (reviewed, reassigned, retired): a plain update of those columns."""
    allowed = {"owner_id", "status", "last_reviewed_at", "next_review_at", "cadence_days"}
    assert set(values) <= allowed, set(values) - allowed
    db.execute(update(Journey).where(Journey.team_id == team_id, Journey.id == journey_id).values(**values))


def teams_with_journeys(db: Session) -> list[str]:
    """Workspaces holding an active journey (the CLI looks a name up in all of them)."""
    return list(db.exec(select(Journey.team_id).where(Journey.status == JourneyStatus.ACTIVE).distinct()))
