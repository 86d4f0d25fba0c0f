"""A journey's scope and state: where it starts and ends, why this journey, and whether it maps
today (current state) or the experience we intend (future state, with the internal processes and
tools behind it). Asked in the create form and in the card's "Edit details" form.

Practitioners scope a map before they fill it (a map of "everything" helps nobody) and never mix
what is with what should be on one map; the card shows both so nobody reads a plan as research.
"""

from __future__ import annotations

from typing import Any

from slack_bolt import Ack

from bot import blocks
from bot.journeys import changes, fields, ids, lookup, modals
from bot.modal_values import ModalValues
from bot.request_context import RequestContext
from prompts import Prompts
from storage import journeys as store
from storage.journey_models import Journey
from storage.states import JourneyState

TEXTS = modals.SCOPE_TEXTS


def _t(prompts: Prompts, macro: str, **kw: object) -> str:
    return prompts.part(modals.MODALS, macro, **kw)


def read(prompts: Prompts, view: dict[str, Any]) -> tuple[dict[str, Any], dict[str, str]]:
    """(the journey's scope columns, errors by block id) from a form holding `form_blocks`."""
    form = ModalValues(view)
    chosen = form.selected(ids.STATE_BLOCK)
    state = JourneyState(chosen) if chosen in {s.value for s in JourneyState} else JourneyState.CURRENT
    values: dict[str, Any] = {"state": state}
    errors: dict[str, str] = {}
    for block_id, key in TEXTS:
        values[key] = " ".join(form.text(block_id).split())
        if len(values[key]) > fields.SCOPE_MAX:
            errors[block_id] = _t(prompts, "error_too_long", limit=fields.SCOPE_MAX)
    values["backstage"] = form.text(ids.BACKSTAGE_BLOCK).strip()
    if len(values["backstage"]) > fields.BACKSTAGE_MAX:
        errors[ids.BACKSTAGE_BLOCK] = _t(prompts, "error_too_long", limit=fields.BACKSTAGE_MAX)
    elif values["backstage"] and state != JourneyState.FUTURE:
        errors[ids.BACKSTAGE_BLOCK] = _t(prompts, "error_backstage_current")
    return values, errors


def build_details(prompts: Prompts, journey: Journey) -> dict:
    return blocks.modal(callback_id=ids.DETAILS_MODAL, title=_t(prompts, "details_title"),
                        submit=_t(prompts, "save"), close=_t(prompts, "cancel"), private_metadata=str(journey.id),
                        blocks=[
        blocks.text_input(block_id=ids.NAME_BLOCK, label=_t(prompts, "name"), max_length=fields.NAME_MAX,
                          initial=journey.name),
        blocks.text_input(block_id=ids.GOAL_BLOCK, label=_t(prompts, "goal"), multiline=True, optional=True,
                          max_length=fields.GOAL_MAX, initial=journey.goal or None),
        *modals.scope_blocks(prompts, journey)])


def handle_edit(ack: Ack, ctx: RequestContext) -> None:
    """The card's "Edit details" button: name, goal, state and scope in one form."""
    journey = lookup.by_value(ctx)
    prompts = ctx.deps.prompts
    view = modals.build_gone(prompts) if journey is None else build_details(prompts, journey)
    ack()
    ctx.later(lookup.open_modal, ctx, view)


def handle_submission(ack: Ack, ctx: RequestContext) -> None:
    prompts, form = ctx.deps.prompts, ModalValues(ctx.view)
    journey = lookup.by_value(ctx, ctx.private_metadata)
    if journey is None:
        ack(response_action="update", view=modals.build_gone(prompts))
        return
    values, errors = read(prompts, ctx.view)
    values["name"], values["goal"] = " ".join(form.text(ids.NAME_BLOCK).split()), form.text(ids.GOAL_BLOCK)
    if not values["name"]:
        errors[ids.NAME_BLOCK] = _t(prompts, "error_required")
    elif len(values["name"]) > fields.NAME_MAX:
        errors[ids.NAME_BLOCK] = _t(prompts, "error_too_long", limit=fields.NAME_MAX)
    elif store.name_taken(ctx.db, team_id=ctx.team_id, name=values["name"], except_id=journey.id):
        errors[ids.NAME_BLOCK] = _t(prompts, "error_name_taken", name=values["name"])
    if len(values["goal"]) > fields.GOAL_MAX:
        errors[ids.GOAL_BLOCK] = _t(prompts, "error_too_long", limit=fields.GOAL_MAX)
    if errors:
        ack(response_action="errors", errors=errors)
        return
    if store.update_details(ctx.db, journey=journey, values=values, editor_id=ctx.user_id, now=ctx.now()):
        changes.changed(ctx, journey, detail="details")
    ack()
