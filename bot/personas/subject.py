"""Personas as a review subject: what governance sees of them (`deps.subjects["persona"]`).

Governance never imports the personas feature; it calls this through the ReviewSubject protocol.
Governance calls it inside its unit of work (a click's `ctx.db`), so the persona's new version,
its revision and the review's transition commit together at the ack. Until the personas
storage takes a session (the personas conversion), the few writes a review makes are spelled
here on `db`: a version compare-and-set and its revision, as `storage.personas` does.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from slack_sdk import WebClient
from sqlalchemy import update
from sqlmodel import Session

from bot import blocks
from bot.deps import Deps
from bot.personas import form, ids, lifecycle, refresh
from bot.review_subjects import SubjectChange, SubjectInfo, after_commit, announce_change
from storage import personas as store
from storage import reviews
from storage.models import Persona, PersonaRevision

ATTEMPTS = 5


class PersonaSubject:
    """Works in the caller's unit of work (`db`): a click's persona change commits with its review."""

    def __init__(self, deps: Deps) -> None:
        self.deps = deps

    def describe(self, db: Session, *, team_id: str, subject_id: int) -> SubjectInfo | None:
        persona = _persona(db, team_id, subject_id)
        if persona is None:
            return None
        return SubjectInfo(kind=lifecycle.KIND, subject_id=subject_id, title=persona.name,
                           owner_id=persona.owner_id, active=persona.status == "active",
                           cadence_days=persona.cadence_days, next_review_at=persona.next_review_at)

    def may_manage(self, db: Session, *, team_id: str, subject_id: int, user_id: str) -> bool:
        persona = _persona(db, team_id, subject_id)
        return persona is not None and lifecycle.may_manage(self.deps, persona, user_id)

    def mark_reviewed(self, db: Session, *, team_id: str, subject_id: int, user_id: str, now: datetime) -> datetime:
        persona = _persona(db, team_id, subject_id)
        if persona is None:
            raise LookupError(f"persona {subject_id} not found")
        due = now + timedelta(days=persona.cadence_days)
        self._change(db, persona, {"last_reviewed_at": now, "next_review_at": due}, user_id=user_id,
                     note="reviewed", now=now)
        reviews.schedule_next_cadence(db, team_id=team_id, subject_type=lifecycle.KIND, subject_id=subject_id,
                                      owner_id=persona.owner_id, due_at=due, now=now)
        return due

    def open_editor(self, client: WebClient, *, trigger_id: str, team_id: str, subject_id: int,
                    user_id: str) -> None:
        client.views_open(trigger_id=trigger_id, view=editor_view(self.deps, team_id, subject_id, user_id))

    def reassign(self, db: Session, *, team_id: str, subject_id: int, new_owner_id: str, by_user_id: str,
                 now: datetime) -> None:
        persona = _persona(db, team_id, subject_id)
        if persona is None or not self._change(db, persona, {"owner_id": new_owner_id}, user_id=by_user_id,
                                               note=new_owner_id, now=now):
            return
        if persona.status == "active" and persona.next_review_at is not None:
            reviews.schedule_next_cadence(db, team_id=team_id, subject_type=lifecycle.KIND, subject_id=subject_id,
                                          owner_id=new_owner_id, due_at=persona.next_review_at, now=now)
        self._announce(db, persona, "reassigned", by_user_id, now, detail=new_owner_id)

    def retire(self, db: Session, *, team_id: str, subject_id: int, by_user_id: str, now: datetime) -> None:
        persona = _persona(db, team_id, subject_id)
        if persona is not None and self._change(db, persona, {"status": "retired"}, user_id=by_user_id, note="",
                                                now=now):
            self._announce(db, persona, "retired", by_user_id, now)

    def _change(self, db: Session, persona: Persona, values: dict[str, Any], *, user_id: str, note: str,
                now: datetime) -> dict[str, Any]:
        """A new version with its revision, compare-and-set on the version (retried on a race);
        posted cards follow after the commit."""
        for _ in range(ATTEMPTS):
            changes = store.diff_persona(persona, values)
            if not changes:
                return changes
            version = persona.version + 1
            moved = db.execute(
                update(Persona)
                .where(Persona.id == persona.id, Persona.team_id == persona.team_id,
                       Persona.version == persona.version)
                .values(**{key: values[key] for key in changes}, version=version, updated_at=now))
            if moved.rowcount == 1:  # type: ignore[attr-defined]
                db.add(PersonaRevision(team_id=persona.team_id, persona_id=persona.id, version=version,
                                       editor_id=user_id, note=note, changes=changes, created_at=now))
                after_commit(db, self.deps.later, refresh.follow, self.deps, self.deps.client,
                             team_id=persona.team_id, persona_id=persona.id)
                return changes
            db.refresh(persona)
        raise RuntimeError(f"persona {persona.id} kept changing; not saved")

    def _announce(self, db: Session, persona: Persona, what: str, user_id: str, now: datetime,
                  detail: str = "") -> None:
        announce_change(db, self.deps.on_change, SubjectChange(
            team_id=persona.team_id, kind=lifecycle.KIND, subject_id=persona.id, change=what, by_user_id=user_id,
            at=now, detail=detail))


def _persona(db: Session, team_id: str, persona_id: int) -> Persona | None:
    """From the unit of work's identity map when it holds the row already (describe, then act):
    the row is kept in `db.info` because the identity map alone holds it only weakly."""
    kept: dict[int, Persona] = db.info.setdefault("review_subject_personas", {})
    row = kept.get(persona_id) or db.get(Persona, persona_id)
    if row is not None:
        kept[persona_id] = row
    return row if row is not None and row.team_id == team_id else None


def editor_view(deps: Deps, team_id: str, persona_id: int, user_id: str, where: dict[str, str] | None = None) -> dict:
    """The edit form for the owner or an admin; for anyone else a modal saying who may edit."""
    persona = store.get_persona(deps.engine, team_id=team_id, persona_id=persona_id)

    def t(macro: str, **kw: object) -> str:
        return deps.prompts.part(form.TEMPLATE, macro, **kw)

    if persona is None or persona.status != "active":
        return blocks.modal(callback_id=ids.INFO_MODAL, title=t("not_allowed_title"),
                            blocks=[blocks.section(t("gone"))], close=t("close"))
    if not lifecycle.may_manage(deps, persona, user_id):
        return blocks.modal(callback_id=ids.INFO_MODAL, title=t("not_allowed_title"),
                            blocks=[blocks.section(t("not_allowed", name=persona.name, owner=persona.owner_id))],
                            close=t("close"))
    return form.build_form(deps.prompts, persona=persona, owner_id=persona.owner_id,
                           cadence_days=persona.cadence_days, where=where)
