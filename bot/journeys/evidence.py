"""Evidence for a journey or one of its layers: a map, like a persona, is a hypothesis until
research backs it (METHOD: mark hypotheses as hypotheses, record evidence). The card says how
much evidence the journey and each layer have, and which are still pure hypotheses."""

from __future__ import annotations

import re

from slack_bolt import Ack

from bot import blocks
from bot.journeys import changes, ids, lookup, modals
from bot.modal_values import ModalValues
from bot.request_context import RequestContext
from prompts import Prompts
from storage import journey_layers as layers

EVIDENCE = "journeys/evidence"
TEXT_MAX = 1000
LINK_MAX = 500
WHOLE = "journey"
_LINK = re.compile(r"https?://\S+")


def _t(prompts: Prompts, macro: str, **kw: object) -> str:
    return prompts.part(EVIDENCE, macro, **kw)


def handle_add(ack: Ack, ctx: RequestContext) -> None:
    journey, prompts = lookup.by_value(ctx), ctx.deps.prompts
    if journey is None:
        view = modals.build_info(prompts, prompts.part(modals.MODALS, "gone"))
    else:
        about = [(WHOLE, _t(prompts, "whole", name=journey.name))]
        about += [(str(x.id), x.name) for x in layers.load_map(ctx.db, journey=journey).layers]
        view = blocks.modal(callback_id=ids.EVIDENCE_MODAL, title=_t(prompts, "title"), submit=_t(prompts, "add"),
                            close=prompts.part(modals.MODALS, "cancel"), private_metadata=str(journey.id), blocks=[
            modals.select(ids.ABOUT_BLOCK, _t(prompts, "about"), about, initial=WHOLE),
            blocks.text_input(block_id=ids.EVIDENCE_BLOCK, label=_t(prompts, "text"), multiline=True,
                              max_length=TEXT_MAX, placeholder=_t(prompts, "text_placeholder")),
            blocks.text_input(block_id=ids.LINK_BLOCK, label=_t(prompts, "link"), optional=True,
                              max_length=LINK_MAX, hint=_t(prompts, "link_hint"))])
    ack()
    ctx.later(lookup.open_modal, ctx, view)


def handle_submission(ack: Ack, ctx: RequestContext) -> None:
    prompts, form = ctx.deps.prompts, ModalValues(ctx.view)
    journey = lookup.by_value(ctx, ctx.private_metadata)
    if journey is None:
        ack(response_action="update", view=modals.build_info(prompts, prompts.part(modals.MODALS, "gone")))
        return
    about = form.selected(ids.ABOUT_BLOCK) or WHOLE
    text, link = form.text(ids.EVIDENCE_BLOCK), form.text(ids.LINK_BLOCK)
    layer = layers.get_layer(ctx.db, team_id=ctx.team_id, layer_id=int(about)) if about.isdigit() else None
    errors: dict[str, str] = {}
    if not text:
        errors[ids.EVIDENCE_BLOCK] = prompts.part(modals.MODALS, "error_required")
    elif len(text) > TEXT_MAX:
        errors[ids.EVIDENCE_BLOCK] = prompts.part(modals.MODALS, "error_too_long", limit=TEXT_MAX)
    if link and (len(link) > LINK_MAX or not _LINK.fullmatch(link)):
        errors[ids.LINK_BLOCK] = _t(prompts, "error_link")
    if about != WHOLE and (layer is None or layer.journey_id != journey.id):
        errors[ids.ABOUT_BLOCK] = prompts.part(modals.MODALS, "gone")
    if errors:
        ack(response_action="errors", errors=errors)
        return
    layers.add_evidence(ctx.db, journey=journey, layer_id=layer.id if layer else None, text=text, permalink=link,
                        by=ctx.user_id, now=ctx.now())
    changes.changed(ctx, journey, detail="evidence")
    ack()
