"""Personas as a review subject: what governance sees of them (`deps.subjects["persona"]`).

Governance never imports the personas feature; it calls this through the ReviewSubject protocol,
from outside any persona request, so each call reads or writes in a unit of work of its own.
Every change goes through `lifecycle`, so revisions and announcements happen as for any edit.
"""

from __future__ import annotations

from datetime import datetime

from slack_sdk import WebClient
from sqlmodel import Session

from bot import blocks
from bot.deps import Deps
from bot.personas import form, ids, lifecycle, refresh
from bot.review_subjects import SubjectInfo
from storage import personas as store
from storage.db import unit_of_work
from storage.states import PersonaStatus


class PersonaSubject:
    def __init__(self, deps: Deps) -> None:
        self.deps = deps

    def describe(self, team_id: str, subject_id: int) -> SubjectInfo | None:
        with unit_of_work(self.deps.engine) as db:
            persona = store.get_persona(db, team_id=team_id, persona_id=subject_id)
        if persona is None:
            return None
        return SubjectInfo(kind=lifecycle.KIND, subject_id=subject_id, title=persona.name,
                           owner_id=persona.owner_id, active=persona.status == PersonaStatus.ACTIVE,
                           cadence_days=persona.cadence_days, next_review_at=persona.next_review_at)

    def may_manage(self, team_id: str, subject_id: int, user_id: str) -> bool:
        with unit_of_work(self.deps.engine) as db:
            persona = store.get_persona(db, team_id=team_id, persona_id=subject_id)
        return persona is not None and lifecycle.may_manage(self.deps, persona, user_id)

    def mark_reviewed(self, team_id: str, subject_id: int, user_id: str, now: datetime) -> datetime:
        due = lifecycle.mark_reviewed(self.deps, team_id=team_id, persona_id=subject_id, user_id=user_id, now=now)
        if due is None:
            raise LookupError(f"persona {subject_id} not found")
        refresh.follow(self.deps, team_id, subject_id)
        return due

    def open_editor(self, client: WebClient, trigger_id: str, team_id: str, subject_id: int,
                    user_id: str) -> None:
        with unit_of_work(self.deps.engine) as db:
            view = editor_view(self.deps, db, team_id, subject_id, user_id)
        client.views_open(trigger_id=trigger_id, view=view)

    def reassign(self, team_id: str, subject_id: int, new_owner_id: str, by_user_id: str,
                 now: datetime) -> None:
        lifecycle.reassign(self.deps, team_id=team_id, persona_id=subject_id, new_owner_id=new_owner_id,
                           user_id=by_user_id, now=now)
        refresh.follow(self.deps, team_id, subject_id)

    def retire(self, team_id: str, subject_id: int, by_user_id: str, now: datetime) -> None:
        lifecycle.retire(self.deps, team_id=team_id, persona_id=subject_id, user_id=by_user_id, now=now)
        refresh.follow(self.deps, team_id, subject_id)


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
