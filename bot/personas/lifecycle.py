"""Every change to a persona, and what must follow each one.

Storage records the change and its revision in the caller's unit of work; this module adds what
no caller may forget: keep the cadence review scheduled and announce the change to governance
(`deps.on_change`). Those follow the commit, never precede it (governance reads and writes
its own rows), so each change queues one "persona.changed" outbox message in the same
transaction: committed with the change, carried out after it, not lost in a crash between.

Handlers pass their request's `Work` (`in_request(ctx)`); called without one (tests, the CLI,
governance through `PersonaSubject`) a function runs in a unit of work of its own and carries
out what follows right after that commit, in the caller's thread.
"""

from __future__ import annotations

import functools
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, TypeVar

from slack_sdk import WebClient
from sqlmodel import Session

from bot import outbox
from bot.deps import Deps
from bot.personas import assumptions
from bot.request_context import RequestContext
from bot.review_subjects import SubjectChange, after_commit, announce_change
from bot.unit_of_work import UnitOfWork
from storage import outbox as outbox_store
from storage import persona_evidence, reviews
from storage import personas as store
from storage.db import unit_of_work
from storage.models import Evidence, Persona
from storage.outbox import Outgoing
from storage.personas import PersonaUpdate
from storage.states import EvidenceStance, PersonaKind, PersonaStatus

KIND = "persona"
CHANGED = "persona.changed"
T = TypeVar("T")


@dataclass(frozen=True)
class Work:
    """Where a change is written (`db`) and how what follows it is queued (`follow`)."""

    db: Session
    follow: Callable[[dict[str, Any]], None]


def in_unit(uow: UnitOfWork, team_id: str) -> Work:
    """A unit of work (a request's, a sender's); what follows goes out through the outbox after it."""
    def follow(payload: dict[str, Any]) -> None:
        uow.enqueue(team_id, [Outgoing(CHANGED, key=f"{CHANGED}:{uuid.uuid4().hex}", payload=payload,
                                       lane=f"persona:{payload['persona_id']}")])
    return Work(uow.db, follow)


def in_session(deps: Deps, db: Session, team_id: str) -> Work:
    """A unit of work known only by its session (governance's, through `PersonaSubject`): the
    follow-up is an outbox row in it, sent once it commits."""
    def follow(payload: dict[str, Any]) -> None:
        rows = outbox_store.enqueue(db, team_id=team_id, now=deps.clock.now(), messages=[
            Outgoing(CHANGED, key=f"{CHANGED}:{uuid.uuid4().hex}", payload=payload,
                     lane=f"persona:{payload['persona_id']}")])
        after_commit(db, deps.later, outbox.send_soon, deps, [(row_id, lane, team_id) for row_id, lane in rows])
    return Work(db, follow)


def in_request(ctx: RequestContext) -> Work:
    """The request's unit of work: the change commits with the ack, what follows after it."""
    return in_unit(ctx.uow, ctx.team_id)


@contextmanager
def standalone(deps: Deps) -> Iterator[Work]:
    """A unit of work of its own; what follows is carried out once it is committed."""
    pending: list[dict[str, Any]] = []
    with unit_of_work(deps.engine) as db:
        yield Work(db, pending.append)
    for payload in pending:
        follow_up(deps, payload)


def _own_work(fn: Callable[..., T]) -> Callable[..., T]:
    @functools.wraps(fn)
    def run(deps: Deps, work: Work | None = None, /, **kwargs: Any) -> T:
        if work is not None:
            return fn(deps, work, **kwargs)
        with standalone(deps) as own:
            return fn(deps, own, **kwargs)
    return run


def may_manage(deps: Deps, persona: Persona, user_id: str) -> bool:
    """Only the owner or a configured admin edits, retires or reassigns; anyone views and suggests."""
    return user_id == persona.owner_id or user_id in deps.settings.admins


@_own_work
def create(deps: Deps, work: Work, *, team_id: str, user_id: str, values: dict[str, Any], note: str = "",
           source_session_id: int | None = None) -> Persona:
    now = deps.clock.now()
    values = dict(values)
    values.setdefault("owner_id", user_id)
    values.setdefault("cadence_days", deps.settings.review_cadence_days)
    values["next_review_at"] = now + timedelta(days=values["cadence_days"])
    if source_session_id is not None:
        values["source_session_id"] = source_session_id
    persona = store.create_persona(work.db, team_id=team_id, values=values, created_by=user_id, now=now, note=note)
    _then(work, persona, now, schedule=True, what="created", by=user_id)
    return persona


@_own_work
def edit(deps: Deps, work: Work, *, team_id: str, persona_id: int, expected_version: int, values: dict[str, Any],
         user_id: str, note: str = "") -> PersonaUpdate | None:
    """An edit from the modal; None when the persona changed since the editor opened it."""
    now = deps.clock.now()
    persona = store.get_persona(work.db, team_id=team_id, persona_id=persona_id)
    if persona is None:
        return None
    values = dict(values)
    cadence = values.get("cadence_days", persona.cadence_days)
    if cadence != persona.cadence_days:
        values["next_review_at"] = (persona.last_reviewed_at or persona.created_at) + timedelta(days=cadence)
    done = store.update_persona(work.db, team_id=team_id, persona_id=persona_id, expected_version=expected_version,
                                values=values, editor_id=user_id, now=now, note=note)
    if done is None or not done.changes:
        return done
    schedule = "cadence_days" in done.changes or "owner_id" in done.changes
    if "owner_id" in done.changes:
        _then(work, done.persona, now, schedule=schedule, what="reassigned", by=user_id, detail=done.persona.owner_id)
        schedule = False
    others = set(done.changes) - {"owner_id", "next_review_at"}
    if others or schedule:
        _then(work, done.persona, now, schedule=schedule, what="edited" if others else "",
              by=user_id, detail=", ".join(sorted(others)))
    return done


@_own_work
def change(deps: Deps, work: Work, *, team_id: str, persona_id: int, values: dict[str, Any], user_id: str,
           what: str, note: str = "", now: datetime | None = None) -> PersonaUpdate | None:
    """A one-click change (retire, reassign, reviewed) applied to the current version."""
    now = now or deps.clock.now()
    done = store.update_persona_latest(work.db, team_id=team_id, persona_id=persona_id, values=values,
                                       editor_id=user_id, now=now, note=note)
    if done is not None and done.changes:
        _then(work, done.persona, now, schedule=what in ("reassigned", "reviewed"),
              what="" if what == "reviewed" else what, by=user_id, detail=note)
    return done


def reassign(deps: Deps, work: Work | None = None, /, *, team_id: str, persona_id: int, new_owner_id: str,
             user_id: str, now: datetime | None = None) -> PersonaUpdate | None:
    return change(deps, work, team_id=team_id, persona_id=persona_id, values={"owner_id": new_owner_id},
                  user_id=user_id, what="reassigned", note=new_owner_id, now=now)


def retire(deps: Deps, work: Work | None = None, /, *, team_id: str, persona_id: int, user_id: str,
           now: datetime | None = None) -> PersonaUpdate | None:
    return change(deps, work, team_id=team_id, persona_id=persona_id, values={"status": PersonaStatus.RETIRED},
                  user_id=user_id, what="retired", now=now)


@_own_work
def mark_reviewed(deps: Deps, work: Work, *, team_id: str, persona_id: int, user_id: str,
                  now: datetime, note: str = "") -> datetime | None:
    """Reviewed now; `note` (what the reviewer learned) is the revision's note."""
    persona = store.get_persona(work.db, team_id=team_id, persona_id=persona_id)
    if persona is None:
        return None
    due = now + timedelta(days=persona.cadence_days)
    change(deps, work, team_id=team_id, persona_id=persona_id, user_id=user_id, what="reviewed",
           note=note or "reviewed",
           values={"last_reviewed_at": now, "next_review_at": due}, now=now)
    return due


@_own_work
def suggest(deps: Deps, work: Work, *, persona: Persona, user_id: str, text: str) -> None:
    """A suggestion changes nothing itself; governance tells the owner."""
    _then(work, persona, deps.clock.now(), schedule=False, what="suggested", by=user_id, detail=text)


@_own_work
def add_evidence(deps: Deps, work: Work, *, team_id: str, persona_id: int, user_id: str, text: str,
                 permalink: str, author_id: str, source_key: str, stance: EvidenceStance = EvidenceStance.SUPPORTS,
                 assumption: str = "") -> Evidence | None:
    """None when that source is already attached to the persona. A validated persona whose core
    assumptions are no longer all supported (challenging evidence) is a hypothesis again."""
    now = deps.clock.now()
    row = persona_evidence.add_evidence(work.db, team_id=team_id, persona_id=persona_id, text=text,
                                        permalink=permalink, author_id=author_id, added_by=user_id,
                                        source_key=source_key, now=now, stance=stance, assumption=assumption)
    persona = store.get_persona(work.db, team_id=team_id, persona_id=persona_id)
    if row is not None and persona is not None:
        _then(work, persona, now, schedule=False, what="evidence_added", by=user_id, detail=text[:300])
        if persona.kind == PersonaKind.VALIDATED and not assumptions.may_be_validated(assumptions.core_assumptions(
                persona, persona_evidence.list_stances(work.db, team_id=team_id, persona_id=persona_id))):
            store.update_persona_latest(work.db, team_id=team_id, persona_id=persona_id, editor_id=user_id,
                                        values={"kind": PersonaKind.PROTO}, now=now, note=text[:200])
    return row


def _then(work: Work, persona: Persona, now: datetime, *, schedule: bool, what: str, by: str,
          detail: str = "") -> None:
    """Queue what follows a change: the cadence review (re)scheduled, governance told."""
    work.follow({"team_id": persona.team_id, "persona_id": persona.id, "schedule": schedule,
                 "change": {"what": what, "by": by, "at": now.isoformat(), "detail": detail} if what else None})


def follow_up(deps: Deps, payload: dict[str, Any]) -> None:
    """After the commit, in one unit of work: schedule the next cadence review (once per change),
    then tell governance, whose reactions commit with it."""
    team_id, persona_id = str(payload["team_id"]), int(payload["persona_id"])
    with unit_of_work(deps.engine) as db:
        persona = store.get_persona(db, team_id=team_id, persona_id=persona_id)
        if persona is None:
            return
        if payload.get("schedule") and persona.status == PersonaStatus.ACTIVE and persona.next_review_at is not None:
            reviews.schedule_next_cadence(db, team_id=persona.team_id, subject_type=KIND, subject_id=persona.id,
                                          owner_id=persona.owner_id, due_at=persona.next_review_at,
                                          now=deps.clock.now())
        change = payload.get("change")
        if change:
            announce_change(db, deps.on_change, SubjectChange(
                team_id=team_id, kind=KIND, subject_id=persona_id, change=str(change["what"]),
                by_user_id=str(change["by"]), at=datetime.fromisoformat(change["at"]),
                detail=str(change["detail"])))


def send_changed(deps: Deps, _client: WebClient, delivery: outbox.Delivery) -> tuple[str, str] | None:
    """The outbox sender of "persona.changed": nothing goes to Slack, governance is told."""
    follow_up(deps, delivery.payload)
    return None
