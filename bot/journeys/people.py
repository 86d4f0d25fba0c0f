"""From a journey back to people: a role-based segment layer becomes a proto-persona, and an
empathy session is started for one layer at one stage.

A segment stands in for people nobody has researched yet (Lean UX: role-based segments before
personas); drafting a proto-persona from it keeps what the map already says (goals, actions,
pains) and marks it a hypothesis, and the layer then speaks for that persona. An empathy map of
one persona at one stage is how a team fills a research gap with what people say, think, do, feel.
"""

from __future__ import annotations

from slack_bolt import Ack

from bot import blocks
from bot.empathy import views as empathy_views
from bot.journeys import changes, ids, lookup, modals
from bot.modal_values import ModalValues
from bot.personas import lifecycle
from bot.request_context import RequestContext
from prompts import Prompts
from storage import journey_layers as layers
from storage import personas as personas_store
from storage.journey_layers import JourneyMap
from storage.models import EmpathySession

PEOPLE = "journeys/people"
ITEMS_KEPT = 10  # items per persona field drawn from the map (the persona form takes 15)


def _t(prompts: Prompts, macro: str, **kw: object) -> str:
    return prompts.part(PEOPLE, macro, **kw)


def handle_to_persona(ack: Ack, ctx: RequestContext) -> None:
    """The card's "Segment to proto-persona": which segment layer."""
    journey, prompts = lookup.by_value(ctx), ctx.deps.prompts
    segments = [x for x in layers.load_map(ctx.db, journey=journey).layers if x.is_segment] if journey else []
    if journey is None or not segments:
        view = modals.build_info(prompts, _t(prompts, "no_segments") if journey else prompts.part(modals.MODALS,
                                                                                                  "gone"))
    else:
        view = blocks.modal(
            callback_id=ids.TO_PERSONA_MODAL, title=_t(prompts, "to_persona_title"), submit=_t(prompts, "draft"),
            close=prompts.part(modals.MODALS, "cancel"), private_metadata=str(journey.id), blocks=[
                blocks.section(_t(prompts, "to_persona_intro")),
                modals.select(ids.LAYER_BLOCK, _t(prompts, "segment"), [(str(x.id), x.name) for x in segments],
                              initial=str(segments[0].id))])
    ack()
    ctx.later(lookup.open_modal, ctx, view)


def _collect(journey_map: JourneyMap, layer_id: int, key: str) -> list[str]:
    """One field of a layer over every stage, in stage order, each item once."""
    seen: dict[str, None] = {}
    for stage in journey_map.stages:
        cell = journey_map.cell(layer_id, stage.id)
        for item in (getattr(cell, key) if cell is not None and not cell.not_part else []):
            seen.setdefault(item, None)
    return list(seen)[:ITEMS_KEPT]


def handle_to_persona_submission(ack: Ack, ctx: RequestContext) -> None:
    prompts = ctx.deps.prompts
    journey = lookup.by_value(ctx, ctx.private_metadata)
    chosen = ModalValues(ctx.view).selected(ids.LAYER_BLOCK) or ""
    layer = layers.get_layer(ctx.db, team_id=ctx.team_id, layer_id=int(chosen)) if chosen.isdigit() else None
    if journey is None or layer is None or layer.journey_id != journey.id or layer.persona_id is not None:
        ack(response_action="update", view=modals.build_gone(prompts))
        return
    journey_map = layers.load_map(ctx.db, journey=journey)
    values = {"name": layer.segment[:80], "role": layer.segment[:150], "kind": "proto", "confidence": "low",
              "goals": _collect(journey_map, layer.id, "goals"),
              "behaviors": _collect(journey_map, layer.id, "actions"),
              "frustrations": _collect(journey_map, layer.id, "pains"),
              "unsure": _t(prompts, "unsure", segment=layer.segment, journey=journey.name)}
    persona = lifecycle.create(ctx.deps, lifecycle.in_request(ctx), team_id=ctx.team_id, user_id=ctx.user_id,
                               values=values, note=_t(prompts, "revision_note", journey=journey.name))
    layers.segment_became_persona(ctx.db, journey=journey, layer=layer, persona_id=int(persona.id), by=ctx.user_id,
                                  now=ctx.now())
    changes.changed(ctx, journey, detail="layer")
    ack(response_action="update", view=modals.build_info(prompts, _t(
        prompts, "drafted", persona=persona.name, journey=journey.name,
        counts=[len(values[k]) for k in ("goals", "behaviors", "frustrations")])))


def handle_empathy(ack: Ack, ctx: RequestContext) -> None:
    """The card's "Empathy session": for which layer, at which stage."""
    journey, prompts = lookup.by_value(ctx), ctx.deps.prompts
    journey_map = layers.load_map(ctx.db, journey=journey) if journey else None
    if journey_map is None or not journey_map.layers:
        view = modals.build_info(prompts, _t(prompts, "no_layers") if journey else prompts.part(modals.MODALS, "gone"))
    else:
        stages = [(str(s.id), f"{i}. {s.name}") for i, s in enumerate(journey_map.stages, start=1)]
        who = [(str(x.id), x.name) for x in journey_map.layers]
        view = blocks.modal(
            callback_id=ids.EMPATHY_PICK_MODAL, title=_t(prompts, "empathy_title"), submit=_t(prompts, "next"),
            close=prompts.part(modals.MODALS, "cancel"), private_metadata=f"{journey_map.journey.id}:{ctx.channel_id}",
            blocks=[blocks.section(_t(prompts, "empathy_intro")),
                    modals.select(ids.LAYER_BLOCK, _t(prompts, "who"), who, initial=who[0][0]),
                    modals.select(ids.STAGE_BLOCK, prompts.part(modals.MODALS, "stage"), stages,
                                  initial=stages[0][0] if stages else None)])
    ack()
    ctx.later(lookup.open_modal, ctx, view)


def handle_empathy_pick(ack: Ack, ctx: RequestContext) -> None:
    """Answers with the empathy start form, its subject and goal written for that person and stage."""
    prompts, form = ctx.deps.prompts, ModalValues(ctx.view)
    journey = lookup.by_value(ctx, ctx.private_metadata)
    channel = ctx.private_metadata.partition(":")[2]
    journey_map = layers.load_map(ctx.db, journey=journey) if journey else None
    layer = next((x for x in journey_map.layers if str(x.id) == form.selected(ids.LAYER_BLOCK)), None) \
        if journey_map else None
    stage = next((s for s in journey_map.stages if str(s.id) == form.selected(ids.STAGE_BLOCK)), None) \
        if journey_map else None
    if journey is None or layer is None or stage is None:
        ack(response_action="update", view=modals.build_gone(prompts))
        return
    cell = journey_map.cell(layer.id, stage.id)
    draft = EmpathySession(  # not stored: the start form's "fill from" seam, as Run it again uses it
        subject=_t(prompts, "subject", name=layer.name, stage=stage.name)[:150],
        goal=_t(prompts, "goal", name=layer.name, stage=stage.name, journey=journey.name,
                goals=list(cell.goals) if cell else [])[:500])
    view = empathy_views.build_start_modal(prompts, channel_id=channel,
                                           personas=personas_store.list_personas(ctx.db, team_id=ctx.team_id),
                                           again=draft)
    ack(response_action="update", view=view)

