"""Workspace health, shared by App Home and the weekly digest: what is stale, what has nobody
to look after it, and the personas feature's quality warnings."""

from __future__ import annotations

import importlib
import logging
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlmodel import Session

from bot.deps import Deps
from bot.governance.owners import OwnerDirectory
from bot.review_subjects import SubjectInfo
from storage import review_queries as queries
from storage.models import Review

log = logging.getLogger(__name__)


@dataclass
class Health:
    stale: list[tuple[Review, SubjectInfo]] = field(default_factory=list)
    stale_total: int = 0
    unowned: list[SubjectInfo] = field(default_factory=list)
    warnings: list[object] = field(default_factory=list)
    counts: dict[str, int] = field(default_factory=dict)
    """Active reviewable items by kind (persona: compare with the method's 3-5 core personas)."""

    @property
    def all_clear(self) -> bool:
        return not (self.stale_total or self.unowned or self.warnings)


OVERDUE_AFTER = timedelta(days=1)  # a review becomes "overdue" a day after it was due


def workspace_health(deps: Deps, db: Session, owners: OwnerDirectory, *, team_id: str, now: datetime,
                     limit: int = 15) -> Health:
    """Read in the caller's unit of work (after an ack or in a tick: `owners` may ask Slack)."""
    health = Health()
    rows, health.stale_total = queries.team_reviews_overdue(db, team_id=team_id, due_before=now - OVERDUE_AFTER,
                                                            limit=limit)
    for row in rows:
        info = describe_active(deps, db, row.subject_type, team_id, row.subject_id)
        if info is not None:
            health.stale.append((row, info))
    for kind, subject_id in queries.open_subjects(db, team_id=team_id):
        info = describe_active(deps, db, kind, team_id, subject_id)
        if info is None:
            continue
        health.counts[kind] = health.counts.get(kind, 0) + 1
        if owners.lookup(team_id, info.owner_id).gone:
            health.unowned.append(info)
    health.warnings = quality_warnings(deps, db, team_id=team_id, now=now)
    return health


def quality_warnings(deps: Deps, db: Session, *, team_id: str, now: datetime) -> list[object]:
    """The personas feature's warnings (too many personas, demographic-only, ...), if it has any,
    read in the caller's unit of work."""
    try:
        quality = importlib.import_module("bot.personas.quality")
    except ModuleNotFoundError:
        return []
    try:
        return list(quality.workspace_warnings(db, team_id=team_id, now=now, prompts=deps.prompts))
    except Exception:
        log.exception("quality warnings unavailable")
        return []


def describe(deps: Deps, db: Session, kind: str, team_id: str, subject_id: int) -> SubjectInfo | None:
    """The subject of a review, through its kind's `ReviewSubject`; None when it is gone."""
    subject = deps.subjects.get(kind)
    return subject.describe(db, team_id=team_id, subject_id=subject_id) if subject is not None else None


def describe_active(deps: Deps, db: Session, kind: str, team_id: str, subject_id: int) -> SubjectInfo | None:
    info = describe(deps, db, kind, team_id, subject_id)
    return info if info is not None and info.active else None
