"""Personas as a review subject: what governance sees of them (`deps.subjects["persona"]`).

Governance never imports the personas feature; it calls this through the ReviewSubject protocol,
inside its own unit of work (a click's `ctx.db`), so the persona's new version, its revision
and the review's transition commit together, at the ack. Every change goes through `lifecycle`,
so revisions, the next cadence review (scheduled once, after the commit) and announcements
happen as for any edit.
"""

from __future__ import annotations

from datetime import datetime

from slack_sdk import WebClient
from sqlmodel import Session

from bot import blocks
from bot.deps import Deps
from bot.personas import form, ids, lifecycle, refresh, review_changes
from bot.review_subjects import SubjectInfo, SubjectLink, after_commit
from storage import journey_layers, journey_links
from storage import personas as store
from storage.db import unit_of_work
from storage.models import Persona
from storage.states import PersonaKind, PersonaStatus


class PersonaSubject:
    def __init__(self, deps: Deps) -> None:
        self.deps = deps

    def describe(self, db: Session, *, team_id: str, subject_id: int) -> SubjectInfo | None:
        persona = _persona(db, team_id, subject_id)
        if persona is None:
            return None
        return SubjectInfo(kind=lifecycle.KIND, subject_id=subject_id, title=persona.name,
                           owner_id=persona.owner_id, active=persona.status == PersonaStatus.ACTIVE,
                           cadence_days=persona.cadence_days, next_review_at=persona.next_review_at,
                           hypothesis=persona.kind == PersonaKind.PROTO)

    def changes_since_review(self, db: Session, *, team_id: str, subject_id: int) -> tuple[str, ...]:
        """New evidence, edits, linked changes and the assumptions still open (`review_changes`)."""
        persona = _persona(db, team_id, subject_id)
        if persona is None:
            return ()
        return review_changes.changes_since_review(self.deps.prompts, db, persona, kind=lifecycle.KIND)

    def may_manage(self, db: Session, *, team_id: str, subject_id: int, user_id: str) -> bool:
        persona = _persona(db, team_id, subject_id)
        return persona is not None and lifecycle.may_manage(self.deps, persona, user_id)

    def mark_reviewed(self, db: Session, *, team_id: str, subject_id: int, user_id: str, now: datetime,
                      note: str = "") -> datetime:
        due = lifecycle.mark_reviewed(self.deps, self._work(db, team_id, subject_id), team_id=team_id,
                                      persona_id=subject_id, user_id=user_id, now=now, note=note)
        if due is None:
            raise LookupError(f"persona {subject_id} not found")
        return due

    def open_editor(self, client: WebClient, *, trigger_id: str, team_id: str, subject_id: int,
                    user_id: str) -> None:
        with unit_of_work(self.deps.engine) as db:
            view = editor_view(self.deps, db, team_id, subject_id, user_id)
        client.views_open(trigger_id=trigger_id, view=view)

    def reassign(self, db: Session, *, team_id: str, subject_id: int, new_owner_id: str, by_user_id: str,
                 now: datetime) -> None:
        lifecycle.reassign(self.deps, self._work(db, team_id, subject_id), team_id=team_id, persona_id=subject_id,
                           new_owner_id=new_owner_id, user_id=by_user_id, now=now)

    def retire(self, db: Session, *, team_id: str, subject_id: int, by_user_id: str, now: datetime) -> None:
        lifecycle.retire(self.deps, self._work(db, team_id, subject_id), team_id=team_id, persona_id=subject_id,
                         user_id=by_user_id, now=now)

    def linked(self, db: Session, *, team_id: str, subject_id: int) -> list[tuple[str, int]]:
        """The journeys the persona is layered on: they are reviewed together with it."""
        return [("journey", journey_id) for journey_id, _, _ in
                journey_layers.journeys_of_persona(db, team_id=team_id, persona_id=subject_id)]

    def links(self, db: Session, *, team_id: str, subject_id: int) -> list[SubjectLink]:
        """Its layers on journeys, each with the owner who keeps it true (reviewed on the journey)."""
        return [SubjectLink(x.layer_id, "journey", x.journey_id, x.owner_id, x.persona, x.journey,
                            (x.persona_owner_id, x.journey_owner_id))
                for x in journey_links.persona_links(db, team_id=team_id, persona_id=subject_id)]

    def _work(self, db: Session, team_id: str, persona_id: int) -> lifecycle.Work:
        """Governance's unit of work; posted cards follow once it commits."""
        after_commit(db, self.deps.later, refresh.follow, self.deps, team_id, persona_id)
        return lifecycle.in_session(self.deps, db, team_id)


def _persona(db: Session, team_id: str, persona_id: int) -> Persona | None:
    """From the unit of work when it holds the row already (describe, then act): kept in
    `db.info` because the identity map alone holds rows only weakly."""
    kept: dict[int, Persona] = db.info.setdefault("review_subject_personas", {})
    row = kept.get(persona_id) or db.get(Persona, persona_id)
    if row is not None:
        kept[persona_id] = row
    return row if row is not None and row.team_id == team_id else None


def editor_view(deps: Deps, db: Session, team_id: str, persona_id: int, user_id: str,
                where: dict[str, str] | None = None) -> dict:
    """The edit form for the owner or an admin; for anyone else a modal saying who may edit."""
    persona = store.get_persona(db, team_id=team_id, persona_id=persona_id)

    def t(macro: str, **kw: object) -> str:
        return deps.prompts.part(form.TEMPLATE, macro, **kw)

    if persona is None or persona.status != PersonaStatus.ACTIVE:
        return blocks.modal(callback_id=ids.INFO_MODAL, title=t("not_allowed_title"),
                            blocks=[blocks.section(t("gone"))], close=t("close"))
    if not lifecycle.may_manage(deps, persona, user_id):
        return blocks.modal(callback_id=ids.INFO_MODAL, title=t("not_allowed_title"),
                            blocks=[blocks.section(t("not_allowed", name=persona.name, owner=persona.owner_id))],
                            close=t("close"))
    return form.build_form(deps.prompts, persona=persona, owner_id=persona.owner_id,
                           cadence_days=persona.cadence_days, where=where)
