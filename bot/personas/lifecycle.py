"""Every change to a persona, and what must follow each one.

Storage records the change and its revision; this module adds the rest that no caller may
forget: announce it to governance (`deps.on_change`) and keep the cadence review scheduled.
Handlers, the conversation and the review subject all change personas only through here.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from bot.deps import Deps
from bot.review_subjects import SubjectChange, announce_change
from storage import persona_evidence, reviews
from storage import personas as store
from storage.db import unit_of_work
from storage.models import Evidence, Persona
from storage.personas import PersonaUpdate

KIND = "persona"


def may_manage(deps: Deps, persona: Persona, user_id: str) -> bool:
    """Only the owner or a configured admin edits, retires or reassigns; anyone views and suggests."""
    return user_id == persona.owner_id or user_id in deps.settings.admins


def create(deps: Deps, *, team_id: str, user_id: str, values: dict[str, Any], note: str = "",
           source_session_id: int | None = None) -> Persona:
    now = deps.clock.now()
    values = dict(values)
    values.setdefault("owner_id", user_id)
    values.setdefault("cadence_days", deps.settings.review_cadence_days)
    values["next_review_at"] = now + timedelta(days=values["cadence_days"])
    if source_session_id is not None:
        values["source_session_id"] = source_session_id
    persona = store.create_persona(deps.engine, team_id=team_id, values=values, created_by=user_id, now=now,
                                   note=note)
    _schedule(deps, persona)
    _announce(deps, persona, "created", user_id, now)
    return persona


def edit(deps: Deps, *, team_id: str, persona_id: int, expected_version: int, values: dict[str, Any],
         user_id: str, note: str = "") -> PersonaUpdate | None:
    """An edit from the modal; None when the persona changed since the editor opened it."""
    now = deps.clock.now()
    persona = store.get_persona(deps.engine, team_id=team_id, persona_id=persona_id)
    if persona is None:
        return None
    values = dict(values)
    cadence = values.get("cadence_days", persona.cadence_days)
    if cadence != persona.cadence_days:
        values["next_review_at"] = (persona.last_reviewed_at or persona.created_at) + timedelta(days=cadence)
    done = store.update_persona(deps.engine, team_id=team_id, persona_id=persona_id,
                                expected_version=expected_version, values=values, editor_id=user_id, now=now,
                                note=note)
    if done is None or not done.changes:
        return done
    if "cadence_days" in done.changes or "owner_id" in done.changes:
        _schedule(deps, done.persona)
    if "owner_id" in done.changes:
        _announce(deps, done.persona, "reassigned", user_id, now, detail=done.persona.owner_id)
    others = set(done.changes) - {"owner_id", "next_review_at"}
    if others:
        _announce(deps, done.persona, "edited", user_id, now, detail=", ".join(sorted(others)))
    return done


def change(deps: Deps, *, team_id: str, persona_id: int, values: dict[str, Any], user_id: str,
           what: str, note: str = "", now: datetime | None = None) -> PersonaUpdate | None:
    """A one-click change (retire, reassign, reviewed) applied to the current version."""
    now = now or deps.clock.now()
    done = store.update_persona_latest(deps.engine, team_id=team_id, persona_id=persona_id, values=values,
                                       editor_id=user_id, now=now, note=note)
    if done is not None and done.changes:
        if what in ("reassigned", "reviewed"):
            _schedule(deps, done.persona)
        if what != "reviewed":
            _announce(deps, done.persona, what, user_id, now, detail=note)
    return done


def reassign(deps: Deps, *, team_id: str, persona_id: int, new_owner_id: str, user_id: str,
             now: datetime | None = None) -> PersonaUpdate | None:
    return change(deps, team_id=team_id, persona_id=persona_id, values={"owner_id": new_owner_id},
                  user_id=user_id, what="reassigned", note=new_owner_id, now=now)


def retire(deps: Deps, *, team_id: str, persona_id: int, user_id: str,
           now: datetime | None = None) -> PersonaUpdate | None:
    return change(deps, team_id=team_id, persona_id=persona_id, values={"status": "retired"},
                  user_id=user_id, what="retired", now=now)


def mark_reviewed(deps: Deps, *, team_id: str, persona_id: int, user_id: str, now: datetime) -> datetime | None:
    persona = store.get_persona(deps.engine, team_id=team_id, persona_id=persona_id)
    if persona is None:
        return None
    due = now + timedelta(days=persona.cadence_days)
    change(deps, team_id=team_id, persona_id=persona_id, values={"last_reviewed_at": now, "next_review_at": due},
           user_id=user_id, what="reviewed", note="reviewed", now=now)
    return due


def suggest(deps: Deps, *, persona: Persona, user_id: str, text: str) -> None:
    """A suggestion changes nothing itself; governance tells the owner."""
    _announce(deps, persona, "suggested", user_id, deps.clock.now(), detail=text)


def add_evidence(deps: Deps, *, team_id: str, persona_id: int, user_id: str, text: str, permalink: str,
                 author_id: str, source_key: str) -> Evidence | None:
    """None when that source is already attached to the persona."""
    now = deps.clock.now()
    row = persona_evidence.add_evidence(deps.engine, team_id=team_id, persona_id=persona_id, text=text,
                                        permalink=permalink, author_id=author_id, added_by=user_id,
                                        source_key=source_key, now=now)
    persona = store.get_persona(deps.engine, team_id=team_id, persona_id=persona_id)
    if row is not None and persona is not None:
        _announce(deps, persona, "evidence_added", user_id, now, detail=text[:300])
    return row


def _schedule(deps: Deps, persona: Persona) -> None:
    if persona.status != "active" or persona.next_review_at is None:
        return
    with unit_of_work(deps.engine) as db:
        reviews.schedule_next_cadence(db, team_id=persona.team_id, subject_type=KIND, subject_id=persona.id,
                                      owner_id=persona.owner_id, due_at=persona.next_review_at, now=deps.clock.now())


def _announce(deps: Deps, persona: Persona, what: str, user_id: str, now: datetime, detail: str = "") -> None:
    with unit_of_work(deps.engine) as db:
        announce_change(db, deps.on_change, SubjectChange(team_id=persona.team_id, kind=KIND, subject_id=persona.id,
                                                          change=what, by_user_id=user_id, at=now, detail=detail))
