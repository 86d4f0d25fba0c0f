"""Filling one stage of a layer in a modal: pick who (a layered persona, another persona, or a
new segment) and which stage, then the stage's fields; and the persona card's "Link to a journey".

The picker's submission answers with the fill form (`response_action: update`), so it takes
one click; the fill form saves every declared field before the ack.
"""

from __future__ import annotations

import json

from slack_bolt import Ack

from bot.conversation_flow import Invalid
from bot.deps import Deps
from bot.journeys import changes, fields, filling, ids, lookup, modals
from bot.modal_values import ModalValues
from bot.numbers import row_id
from bot.personas import refresh as persona_cards
from bot.request_context import RequestContext
from bot.review_subjects import LINK_REASSIGNED
from bot.unit_of_work import UnitOfWork
from storage import journey_layers as layers
from storage import journeys as store
from storage.journey_fields import LAYER_FIELDS
from storage.models import Persona
from storage.states import JourneyStatus


def handle_fill(ack: Ack, ctx: RequestContext) -> None:
    journey = lookup.by_value(ctx)
    prompts = ctx.deps.prompts
    if journey is None:
        view = modals.build_gone(prompts)
    else:
        view = modals.build_pick(prompts, journey_map=layers.load_map(ctx.db, journey=journey),
                                 personas=layers.active_personas(ctx.db, team_id=ctx.team_id))
    ack()
    ctx.later(lookup.open_modal, ctx, view)


def handle_pick(ack: Ack, ctx: RequestContext) -> None:
    prompts, form = ctx.deps.prompts, ModalValues(ctx.view)
    journey = lookup.by_value(ctx, ctx.private_metadata)
    if journey is None:
        ack(response_action="update", view=modals.build_gone(prompts))
        return
    chosen, segment = form.selected(ids.LAYER_BLOCK) or "", " ".join(form.text(ids.SEGMENT_BLOCK).split())
    stage_id = int(form.selected(ids.STAGE_BLOCK) or 0)
    stage = next((s for s in store.list_stages(ctx.db, team_id=ctx.team_id, journey_id=journey.id)
                  if s.id == stage_id), None)
    if chosen == modals.NEW_SEGMENT and not segment:
        ack(response_action="errors", errors={ids.SEGMENT_BLOCK: prompts.part(modals.MODALS, "error_segment")})
        return
    if stage is None:
        ack(response_action="errors", errors={ids.STAGE_BLOCK: prompts.part(modals.MODALS, "stage_gone")})
        return
    kind, _, raw = chosen.partition(":")
    if kind == "layer" and (number := row_id(raw)):
        layer = layers.get_layer(ctx.db, team_id=ctx.team_id, layer_id=number)
        name = layer_name(ctx, layer.persona_id, layer.segment) if layer else ""
    else:
        persona = ctx.db.get(Persona, number) if kind == "persona" and (number := row_id(raw)) else None
        persona_id = persona.id if persona is not None and persona.team_id == ctx.team_id else None
        layer, new = layers.add_layer(ctx.db, journey=journey, persona_id=persona_id,
                                      segment="" if persona_id else segment, by=ctx.user_id, now=ctx.now())
        name = persona.name if persona_id and persona else segment
        if new:
            changes.changed(ctx, journey, detail="layer")
    if layer is None or layer.journey_id != journey.id:
        ack(response_action="update", view=modals.build_gone(prompts))
        return
    if form.selected(ids.HOW_BLOCK) == modals.IN_DM:
        filling.begin(ctx, journey=journey, layer_id=layer.id, layer_name=name, from_stage_id=stage.id)
        ack(response_action="update", view=modals.build_info(prompts, prompts.part(
            modals.MODALS, "dm_started", layer=name, journey=journey.name)))
        return
    cell = layers.get_cell(ctx.db, layer_id=layer.id, stage_id=stage.id)
    ack(response_action="update", view=modals.build_fill(prompts, journey=journey, layer_id=layer.id,
                                                         layer_name=name, stage=stage, cell=cell))


def layer_name(ctx: RequestContext, persona_id: int | None, segment: str) -> str:
    persona = ctx.db.get(Persona, persona_id) if persona_id else None
    return persona.name if persona is not None else segment


def handle_fill_submission(ack: Ack, ctx: RequestContext) -> None:
    prompts, form = ctx.deps.prompts, ModalValues(ctx.view)
    try:
        state = json.loads(ctx.private_metadata)
        journey_id, layer_id, stage_id = int(state["j"]), int(state["l"]), int(state["s"])
    except (ValueError, KeyError, TypeError):
        ack()
        return
    texts = {f.key: form.text(f"{ids.FIELD_PREFIX}{f.key}") for f in LAYER_FIELDS}
    errors: dict[str, str] = {}
    for field in LAYER_FIELDS:
        try:
            fields.parse_answers({field.key: texts[field.key]})
        except Invalid as problem:
            errors[f"{ids.FIELD_PREFIX}{field.key}"] = prompts.part(fields.TEMPLATE, problem.macro, **problem.context)
    if errors:
        ack(response_action="errors", errors=errors)
        return
    journey = lookup.by_value(ctx, str(journey_id))
    layer = layers.get_layer(ctx.db, team_id=ctx.team_id, layer_id=layer_id)
    stages = {s.id for s in store.list_stages(ctx.db, team_id=ctx.team_id, journey_id=journey_id)}
    if journey is None or layer is None or layer.journey_id != journey_id or stage_id not in stages:
        ack(response_action="errors", errors={f"{ids.FIELD_PREFIX}{LAYER_FIELDS[0].key}": prompts.part(
            modals.MODALS, "stage_gone")})
        return
    values = fields.parse_answers(texts) | {"not_part": ids.NOT_PART in form.checked(ids.NOT_PART_BLOCK)}
    if layers.save_cell(ctx.db, journey=journey, layer_id=layer_id, stage_id=stage_id, values=values,
                        by=ctx.user_id, now=ctx.now()):
        changes.changed(ctx, journey, detail="layer")
    ack()


# -- the persona card's "Link to a journey" (the personas feature puts the button) ---------------
def handle_link_persona(ack: Ack, ctx: RequestContext) -> None:
    """Button value: the persona id. Opens a journey picker."""
    summaries, _ = store.list_summaries(ctx.db, team_id=ctx.team_id, limit=100)
    view = modals.build_link_persona(ctx.deps.prompts, persona_id=row_id(ctx.value) or 0,
                                     journeys=[(s.id, s.name) for s in summaries], owner_id=ctx.user_id)
    ack()
    ctx.later(lookup.open_modal, ctx, view)


def link_persona(ctx: RequestContext, *, journey_id: int, persona_id: int, owner_id: str = "") -> bool:
    """Layer a persona on a journey from a click; True when new."""
    return link_in_unit(ctx.deps, ctx.uow, team_id=ctx.team_id, journey_id=journey_id, persona_id=persona_id,
                        by=ctx.user_id, owner_id=owner_id)


def link_in_unit(deps: Deps, uow: UnitOfWork, *, team_id: str, journey_id: int, persona_id: int, by: str,
                 owner_id: str = "") -> bool:
    """The seam the persona conversation calls too (in its last answer's unit of work). The link's
    owner is `owner_id` or whoever linked it; linking again with another owner hands it over."""
    journey = store.get_journey(uow.db, team_id=team_id, journey_id=journey_id)
    persona = uow.db.get(Persona, persona_id)
    if journey is None or journey.status != JourneyStatus.ACTIVE or persona is None or persona.team_id != team_id:
        return False
    layer, new = layers.add_layer(uow.db, journey=journey, persona_id=persona_id, by=by, now=deps.clock.now(),
                                  owner_id=owner_id)
    if not new and layers.set_link_owner(uow.db, journey=journey, layer=layer, owner_id=owner_id, by=by,
                                         now=deps.clock.now()):  # a handover: the link's open reviews follow it
        changes.follow(deps, uow, journey, by=by, change=LINK_REASSIGNED, detail="layer")
    if new:
        changes.follow(deps, uow, journey, by=by, detail="layer")
        uow.after_commit(persona_cards.follow, deps, team_id, persona_id)  # their "Journeys:" line
    return new


def handle_link_persona_submission(ack: Ack, ctx: RequestContext) -> None:
    form = ModalValues(ctx.view)
    chosen, owner = form.selected(ids.JOURNEY_BLOCK) or "", form.user(ids.LINK_OWNER_BLOCK) or ctx.user_id
    persona_id = ctx.private_metadata
    journey = lookup.by_value(ctx, chosen)
    persona = ctx.db.get(Persona, number) if (number := row_id(persona_id)) else None
    if journey is None or persona is None or persona.team_id != ctx.team_id:
        ack(response_action="update", view=modals.build_gone(ctx.deps.prompts))
        return
    new = link_persona(ctx, journey_id=journey.id, persona_id=persona.id, owner_id=owner)
    ack()
    lookup.tell(ctx, ctx.deps.prompts.part(lookup.REPLIES, "persona_linked", persona=persona.name,
                                           journey=journey.name, new=new, owner=owner))
