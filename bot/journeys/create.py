"""Creating a journey: `/journey new`, the global shortcut and the Home button open the form;
its submission saves the journey and its stages before the ack, then DMs a confirmation."""

from __future__ import annotations

from slack_bolt import Ack

from bot.commands import CommandCall
from bot.journeys import fields, ids, lookup, modals, scope, subject
from bot.modal_values import ModalValues
from bot.owners import refusal
from bot.private_reply import tell_user
from bot.request_context import RequestContext
from bot.review_subjects import SubjectChange, announce_change
from storage import journeys as store
from storage import reviews


def handle_new_command(call: CommandCall) -> None:
    call.ack()
    call.ctx.later(lookup.open_modal, call.ctx, modals.build_create(call.ctx.deps.prompts, owner_id=call.user_id,
                                                                    where=call.channel_id))


def handle_new(ack: Ack, ctx: RequestContext) -> None:
    """The global shortcut and the Home button."""
    ack()
    ctx.later(lookup.open_modal, ctx, modals.build_create(ctx.deps.prompts, owner_id=ctx.user_id))


def typed_stages(text: str) -> list[str]:
    """One stage per line; bullets and numbering people paste are dropped, empty lines ignored."""
    return [name for line in text.splitlines() if (name := " ".join(fields.BULLET.sub("", line).split()))]


def stage_errors(names: list[str]) -> str | None:
    """The macro explaining what is wrong with these stage names, or None."""
    if not names:
        return "error_no_stages"
    if len(names) > fields.STAGES_MAX:
        return "error_too_many_stages"
    if any(len(n) > fields.STAGE_NAME_MAX for n in names):
        return "error_stage_too_long"
    return None


def handle_create_submission(ack: Ack, ctx: RequestContext) -> None:
    form = ModalValues(ctx.view)
    prompts = ctx.deps.prompts

    def t(macro: str, **kw: object) -> str:
        return prompts.part(modals.MODALS, macro, **kw)

    name, goal = " ".join(form.text(ids.NAME_BLOCK).split()), form.text(ids.GOAL_BLOCK)
    template = form.selected(ids.TEMPLATE_BLOCK) or "lifecycle"
    stages = typed_stages(form.text(ids.TYPED_BLOCK)) if template == "typed" else list(store.TEMPLATES[template])
    errors: dict[str, str] = {}
    if not name:
        errors[ids.NAME_BLOCK] = t("error_required")
    elif len(name) > fields.NAME_MAX:
        errors[ids.NAME_BLOCK] = t("error_too_long", limit=fields.NAME_MAX)
    elif store.name_taken(ctx.db, team_id=ctx.team_id, name=name):
        errors[ids.NAME_BLOCK] = t("error_name_taken", name=name)
    if len(goal) > fields.GOAL_MAX:
        errors[ids.GOAL_BLOCK] = t("error_too_long", limit=fields.GOAL_MAX)
    problem = stage_errors(stages)
    if problem:
        errors[ids.TYPED_BLOCK] = t(problem, limit=fields.STAGES_MAX if "many" in problem else fields.STAGE_NAME_MAX)
    details, problems = scope.read(prompts, ctx.view)
    errors.update(problems)
    owner = form.user(ids.OWNER_BLOCK) or ctx.user_id
    reason = refusal(ctx.deps, team_id=ctx.team_id, user_id=owner) if owner != ctx.user_id else None
    if reason is not None:
        errors[ids.OWNER_BLOCK] = prompts.part("errors/owner", "refused_field", reason=reason)
    cadence = int(form.selected(ids.CADENCE_BLOCK) or 90)
    if errors:
        ack(response_action="errors", errors=errors)
        return
    journey = store.create_journey(ctx.db, team_id=ctx.team_id, name=name, goal=goal, owner_id=owner,
                                   cadence_days=cadence if cadence in modals.CADENCES else 90, stages=stages,
                                   created_by=ctx.user_id, now=ctx.now(), scope=details)
    reviews.schedule_next_cadence(ctx.db, team_id=ctx.team_id, subject_type=subject.KIND, subject_id=journey.id,
                                  owner_id=owner, due_at=journey.next_review_at, now=ctx.now())
    announce_change(ctx.db, ctx.deps.on_change, SubjectChange(ctx.team_id, subject.KIND, journey.id, "created",
                                                              ctx.user_id, ctx.now()))
    text = prompts.part(lookup.REPLIES, "created", name=name, stages=stages)
    ack()
    ctx.later(tell_user, ctx.body, ctx.client, text, channel=ctx.private_metadata, user=ctx.user_id)
