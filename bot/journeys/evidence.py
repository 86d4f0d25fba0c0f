"""Evidence for a journey or one of its layers: a map, like a persona, is a hypothesis until
research backs it (METHOD: mark hypotheses as hypotheses, record evidence). Evidence says whether
it supports or challenges what it is about; the card shows, for the journey and each layer, which
are still pure hypotheses, which are backed and which are challenged (`confidence`). A challenge
is news the owner must hear: their review nudge quotes it."""

from __future__ import annotations

import re

from slack_bolt import Ack
from slack_sdk.models.blocks import InputBlock, Option, RadioButtonsElement
from slack_sdk.models.blocks.basic_components import PlainTextObject

from bot import blocks
from bot.journeys import changes, ids, lookup, modals
from bot.modal_values import ModalValues
from bot.request_context import RequestContext
from prompts import Prompts, unescape_slack
from storage import journey_layers as layers
from storage.states import EvidenceStance

EVIDENCE = "journeys/evidence"
TEXT_MAX = 1000
LINK_MAX = 500
WHOLE = "journey"
NOTE_TEXT = 300  # the evidence quoted in the owner's review nudge
_LINK = re.compile(r"https?://\S+")


def _t(prompts: Prompts, macro: str, **kw: object) -> str:
    return prompts.part(EVIDENCE, macro, **kw)


def handle_add(ack: Ack, ctx: RequestContext) -> None:
    journey, prompts = lookup.by_value(ctx), ctx.deps.prompts
    if journey is None:
        view = modals.build_gone(prompts)
    else:
        about = [(WHOLE, _t(prompts, "whole", name=journey.name))]
        about += [(str(x.id), x.name) for x in layers.load_map(ctx.db, journey=journey).layers]
        view = blocks.modal(callback_id=ids.EVIDENCE_MODAL, title=_t(prompts, "title"), submit=_t(prompts, "add"),
                            close=prompts.part(modals.MODALS, "cancel"), private_metadata=str(journey.id), blocks=[
            modals.select(ids.ABOUT_BLOCK, _t(prompts, "about"), about, initial=WHOLE),
            _stance_input(prompts),
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
        ack(response_action="update", view=modals.build_gone(prompts))
        return
    about = form.selected(ids.ABOUT_BLOCK) or WHOLE
    chosen = form.selected(ids.STANCE_BLOCK)
    stance = EvidenceStance(chosen) if chosen in tuple(EvidenceStance) else EvidenceStance.SUPPORTS
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
                        by=ctx.user_id, now=ctx.now(), stance=stance)
    about_name = layers.layer_name(ctx.db, layer=layer) if layer is not None else ""
    changes.changed(ctx, journey, change="evidence_added",
                    detail=_note(prompts, stance=stance, about=about_name, text=text))
    ack()


def _stance_input(prompts: Prompts) -> InputBlock:
    options = [Option(value=s.value, text=PlainTextObject(text=_t(prompts, "stance", stance=s.value)))
               for s in EvidenceStance]
    return InputBlock(block_id=ids.STANCE_BLOCK, label=PlainTextObject(text=_t(prompts, "stance_label")),
                      element=RadioButtonsElement(action_id="value", options=options, initial_option=options[0]))


def _note(prompts: Prompts, *, stance: EvidenceStance, about: str, text: str) -> str:
    """What the owner's review nudge quotes. The review keeps it as plain text and the nudge escapes
    it when shown, so the template's own escaping is undone here (it is not escaped twice)."""
    return unescape_slack(_t(prompts, "nudge_note", stance=stance.value, about=about,
                             text=blocks.clip(text, NOTE_TEXT)))
