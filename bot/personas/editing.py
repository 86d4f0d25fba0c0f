"""Edit and create by form: `/persona form`, and the modal's submission (the Edit button opens
the same form, see `card_actions`).

The submission is validated in full before anything is stored (inline errors, nothing lost),
permission is checked again on submit (the button may be old), and the edit is a
compare-and-set on the version the form was opened at, so a concurrent edit is never
overwritten. The persona is written in the request's unit of work, committed by the ack;
the saved card goes to the person's DM through the outbox.
"""

from __future__ import annotations

from typing import Any

from slack_bolt import Ack

from bot.commands import CommandCall
from bot.modal_open import open_modal
from bot.owners import refusal
from bot.personas import assumptions, fields, form, lifecycle, refresh
from bot.request_context import RequestContext
from storage import events, persona_evidence
from storage import personas as store
from storage.models import Persona
from storage.states import PersonaKind, PersonaStatus

FLOW = "personas/flow"
REPLIES = "personas/replies"


def handle_form_command(call: CommandCall) -> None:
    call.ack()
    ctx = call.ctx
    ctx.later(_open, ctx, form.build_form(ctx.deps.prompts, persona=None, owner_id=ctx.user_id,
                                          cadence_days=ctx.deps.settings.review_cadence_days))


def _open(ctx: RequestContext, view: dict) -> None:
    open_modal(ctx, view)


def handle_submission(ack: Ack, ctx: RequestContext) -> None:
    deps, team_id, user_id, view = ctx.deps, ctx.team_id, ctx.user_id, ctx.view
    meta = form.metadata(view)
    values, errors = form.read_form(deps.prompts, view, me=user_id)
    persona_id = meta.get("id")
    current = store.get_persona(ctx.db, team_id=team_id, persona_id=persona_id) if persona_id is not None else None
    owner = values.get("owner_id", user_id)
    if owner not in (user_id, current.owner_id if current is not None else None):
        reason = refusal(deps, team_id=team_id, user_id=owner)
        if reason is not None:
            errors["owner_id"] = deps.prompts.part("errors/owner", "refused_field", reason=reason)
    if "name" in values and store.name_taken(ctx.db, team_id=team_id, name=values["name"], except_id=persona_id):
        errors["name"] = deps.prompts.part(FLOW, "error_name_taken", name=values["name"])
    if persona_id is None:
        if errors:
            ack(response_action="errors", errors=errors)
            return
        if events.mark_processed(ctx.db, event_id=f"persona_form:{view.get('id')}", team_id=team_id, now=ctx.now()):
            persona = lifecycle.create(deps, lifecycle.in_request(ctx), team_id=team_id, user_id=user_id,
                                       values=values)  # a second submission of the same form creates nothing
            _send_card(ctx, persona.id, deps.prompts.part(FLOW, "saved", name=persona.name))
        ack()
        return
    persona = current
    if persona is None or persona.status != PersonaStatus.ACTIVE or not lifecycle.may_manage(deps, persona, user_id):
        owner = persona.owner_id if persona is not None else ""
        ack(response_action="errors", errors={"name": deps.prompts.part(FLOW, "error_not_allowed", owner=owner)})
        return
    if values.get("kind") == PersonaKind.VALIDATED and not _holds(ctx, persona, values, errors) \
            and persona.kind == PersonaKind.VALIDATED:  # the edit added an assumption nothing supports yet
        values["kind"] = PersonaKind.PROTO
        errors.pop("kind", None)
    if persona.version != meta.get("v"):
        errors["name"] = deps.prompts.part(FLOW, "error_stale")
    done = None if errors else lifecycle.edit(
        deps, lifecycle.in_request(ctx), team_id=team_id, persona_id=persona_id, expected_version=meta.get("v", 0),
        values=values, user_id=user_id, note=form.note(view))
    if done is None:  # invalid, or another edit landed between the check and the write
        ack(response_action="errors", errors=errors or {"name": deps.prompts.part(FLOW, "error_stale")})
        return
    if done.changes:
        refresh.after_change(ctx, persona_id, meta.get("o"))
    key = "saved" if done.changes else "unchanged"
    _send_card(ctx, persona_id, deps.prompts.part(REPLIES, key, name=done.persona.name, version=done.persona.version))
    ack()


def _holds(ctx: RequestContext, persona: Persona, values: dict[str, Any], errors: dict[str, str]) -> bool:
    """Validated only when every core assumption of the edited persona has supporting evidence;
    otherwise the error names the assumptions still open."""
    edited = persona.model_copy(update={k: v for k, v in values.items() if k in fields.CORE})
    found = assumptions.core_assumptions(edited, persona_evidence.list_stances(
        ctx.db, team_id=persona.team_id, persona_id=persona.id))
    if not assumptions.may_be_validated(found):
        titles = [ctx.deps.prompts.part("personas/card", "title", key=a.key) for a in assumptions.unsettled(found)]
        errors["kind"] = ctx.deps.prompts.part(FLOW, "error_validated_needs_evidence", open=titles)
        return False
    return True


def _send_card(ctx: RequestContext, persona_id: int, intro: str) -> None:
    """The saved card in the person's DM (the modal is gone; the DM is where they see it).

    Later changes rewrite it without the intro: "saved (version 2)" would be wrong by then."""
    ctx.enqueue(refresh.post_card(persona_id, channel=ctx.user_id, intro=intro, keep_intro=False,
                                  key=f"{refresh.CARD}:form:{ctx.view.get('id')}:{persona_id}"))
