"""Editing a journey's stages: rename, reorder, add, remove. Removing a stage that holds content
asks first (a confirmation pushed over the form) and keeps that content in the history."""

from __future__ import annotations

import json

from slack_bolt import Ack

from bot.journeys import changes, fields, ids, lookup, modals
from bot.journeys.create import stage_errors, typed_stages
from bot.modal_values import ModalValues
from bot.request_context import RequestContext
from storage import journeys as store
from storage.journey_models import Journey


def handle_edit(ack: Ack, ctx: RequestContext) -> None:
    journey = lookup.by_value(ctx)
    prompts = ctx.deps.prompts
    view = modals.build_gone(prompts) if journey is None else \
        modals.build_stages(prompts, journey=journey, stages=store.list_stages(ctx.db, team_id=ctx.team_id,
                                                                               journey_id=journey.id))
    ack()
    ctx.later(lookup.open_modal, ctx, view)


def read_plan(view: dict, stage_ids: list[int]) -> list[tuple[str, int | None]]:
    """The form's stages in their new order: (name, stage id or None for a new one); cleared names drop out."""
    form = ModalValues(view)
    kept = []
    for index, stage_id in enumerate(stage_ids):
        name = " ".join(form.text(f"{ids.STAGE_NAME_PREFIX}{stage_id}").split())
        position = int(form.selected(f"{ids.STAGE_POS_PREFIX}{stage_id}") or index + 1)
        if name:
            kept.append((position, index, name, stage_id))
    plan: list[tuple[str, int | None]] = [(name, stage_id) for _, _, name, stage_id in sorted(kept)]
    return plan + [(name, None) for name in typed_stages(form.text(ids.ADD_STAGES_BLOCK))]


def handle_submission(ack: Ack, ctx: RequestContext) -> None:
    journey = lookup.by_value(ctx, ctx.private_metadata)
    if journey is None:
        ack(response_action="update", view=modals.build_gone(ctx.deps.prompts))
        return
    stages = store.list_stages(ctx.db, team_id=ctx.team_id, journey_id=journey.id)
    plan = read_plan(ctx.view, [s.id for s in stages])
    problem = stage_errors([name for name, _ in plan])
    if problem:
        limit = fields.STAGES_MAX if "many" in problem else fields.STAGE_NAME_MAX
        ack(response_action="errors", errors={ids.ADD_STAGES_BLOCK: ctx.deps.prompts.part(
            modals.MODALS, problem, limit=limit)})
        return
    removed = [s.id for s in stages if s.id not in {sid for _, sid in plan}]
    holding = store.stages_with_content(ctx.db, team_id=ctx.team_id, stage_ids=removed)
    if holding:
        names = {s.id: s.name for s in stages}
        ack(response_action="push", view=modals.build_confirm_removal(
            ctx.deps.prompts, journey_id=journey.id, plan=plan,
            holding=[(names[s], layers, notes) for s, (layers, notes) in holding.items()]))
        return
    _apply(ctx, journey, plan)
    ack()


def handle_confirm(ack: Ack, ctx: RequestContext) -> None:
    """The person confirmed removing stages with content: apply the plan, close both views."""
    try:
        state = json.loads(ctx.private_metadata)
        plan = [(str(name), int(sid) if sid is not None else None) for name, sid in state["plan"]]
        journey = lookup.by_value(ctx, str(state["j"]))
    except (ValueError, KeyError, TypeError):
        journey, plan = None, []
    if journey is not None:
        _apply(ctx, journey, plan)
    ack(response_action="clear")


def _apply(ctx: RequestContext, journey: Journey, plan: list[tuple[str, int | None]]) -> None:
    done = store.apply_stage_plan(ctx.db, journey=journey, editor_id=ctx.user_id, now=ctx.now(),
                                  plan=[store.PlannedStage(name, sid) for name, sid in plan])
    if done:
        changes.changed(ctx, journey, detail="stages")
