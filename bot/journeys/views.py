"""The journey card: stages in order and, per stage, each layer's emotion and top pains side by
side. Pure: a `JourneyMap` in, Block Kit out.

Whatever the size, the card fits one message (50 blocks, 10 fields a section, 12,000
characters): stages are capped by the stage editor (15), a section shows at most 9 layers, and
when the whole card is too long it is drawn again with fewer and shorter pains until it fits;
the exports and the fill modal are the "see all" routes.
"""

from __future__ import annotations

from typing import Any

from slack_sdk.models.blocks import Option, StaticSelectElement
from slack_sdk.models.blocks.basic_components import PlainTextObject

from bot import blocks
from bot.journeys import compare, confidence, ids
from bot.journeys.fields import emotion_text
from prompts import Prompts
from storage.journey_layers import JourneyMap, Layer, LinkedNote

CARD = "journeys/card"
DETAIL = ((3, 120), (2, 80), (1, 60), (1, 30), (0, 0))  # (pains per layer, characters per pain)
LAYERS_PER_STAGE = 9  # a section takes 10 fields; one is the notes line
NOTES_SHOWN = 2  # linked empathy notes quoted under a stage (all of them in the exports)
CHALLENGE_CHARS = 80  # what challenges the journey or a layer, quoted on the card (all of it in the exports)


def build_card(prompts: Prompts, journey_map: JourneyMap, *, layer_filter: int | None = None) -> list[dict]:
    """The card's blocks, as detailed as one message allows."""
    found = compare.warnings(journey_map)  # once: the card is drawn again at lower detail until it fits
    for pains, chars in DETAIL:
        try:
            return blocks.message_blocks(_card(prompts, journey_map, layer_filter, pains, chars, found))
        except blocks.BlockLimitError:
            continue
    return blocks.message_blocks(_card(prompts, journey_map, layer_filter, 0, 0, found, compact=True))


def fallback_text(prompts: Prompts, journey_map: JourneyMap) -> str:
    return prompts.part(CARD, "fallback", name=journey_map.journey.name)


def _card(prompts: Prompts, full: JourneyMap, layer_filter: int | None, pains: int, chars: int,
          found: list[compare.MethodWarning], compact: bool = False) -> list[Any]:
    def t(macro: str, **kw: object) -> str:
        return prompts.part(CARD, macro, **kw)

    shown = full.only(layer_filter)
    journey = full.journey
    out: list[Any] = [
        blocks.header(t("title", name=journey.name)),
        blocks.context(t("about", goal=journey.goal, owner=journey.owner_id, stages=len(full.stages),
                         layers=[(x.name, x.is_segment, x.owner_id) for x in full.layers],
                         filtered=shown.layers[0].name if shown is not full else "")),
        blocks.context(blocks.clip(t("scope", state=journey.state.value, start=journey.scope_start,
                                     end=journey.scope_end, why=journey.scope_why,
                                     backstage=[x for x in journey.backstage.splitlines() if x.strip()]), 3000)),
    ]
    if found:
        out.append(blocks.section(warnings_text(prompts, found)))
    quoted = min(chars, CHALLENGE_CHARS) or CHALLENGE_CHARS // 2
    weighed = [("", confidence.of_journey(full))] + [(blocks.clip(x.name, 60), found)
                                                     for x, found in confidence.of_layers(full)]
    out.append(blocks.context(blocks.clip(t("evidence", items=[evidence_item(name, found, quoted)
                                                               for name, found in weighed]), 3000)))
    if full.chosen:
        out.append(blocks.context(blocks.clip(t("chosen", chosen=[(blocks.clip(text, chars or 60), owner)
                                                                  for text, owner in full.chosen[:10]]), 3000)))
    gaps = compare.research_gaps(full)
    for index, stage in enumerate(full.stages, start=1):
        linked = full.notes.get(stage.id, [])
        heading = t("stage_heading", number=index, name=stage.name, notes=len(linked), gap=stage.id in gaps,
                    linked=[] if compact else _linked_notes(full, linked[:NOTES_SHOWN], chars or 60))
        cells = [_layer_field(prompts, shown, layer, stage.id, pains, chars)
                 for layer in shown.layers[:LAYERS_PER_STAGE]]
        if compact or not cells:
            out.append(blocks.section(heading + ("" if cells else "\n" + t("no_layers"))))
        else:
            section = blocks.fields(cells)
            section.text = blocks.section(heading).text
            out.append(section)
    out.append(blocks.actions(_filter(prompts, full, layer_filter), *_buttons(prompts, journey.id),
                              block_id=f"journey:{journey.id}"))
    return out


def evidence_item(name: str, found: confidence.Confidence, chars: int) -> tuple[str, str, int, int, str]:
    """One item of the card's evidence line: name, standing, supporting and challenging counts, and
    the open challenge clipped (user text, escaped by the template)."""
    challenge = blocks.clip(found.challenge.text, chars) if found.challenge is not None else ""
    return name, found.standing.value, found.supports, found.challenges, challenge


def _linked_notes(journey_map: JourneyMap, notes: list[LinkedNote], chars: int) -> list[tuple[str, str, str]]:
    """(persona name or "", the note clipped, the link back to its session's board) per note."""
    names = {x.persona_id: x.name for x in journey_map.layers if x.persona_id is not None}
    return [(names.get(n.persona_id, "") if n.persona_id else "", blocks.clip(n.text, chars),
             f"https://slack.com/archives/{n.channel_id}/p{n.board_ts.replace('.', '')}"
             if n.channel_id and n.board_ts else "") for n in notes]


def _layer_field(prompts: Prompts, journey_map: JourneyMap, layer: Layer, stage_id: int, pains: int,
                 chars: int) -> str:
    cell = journey_map.cell(layer.id, stage_id)
    listed = [blocks.clip(p, chars) for p in (cell.pains if cell else [])[:pains]] if pains else []
    more = len(cell.pains) - len(listed) if cell else 0
    return prompts.part(CARD, "layer", name=blocks.clip(layer.name, 60), segment=layer.is_segment,
                        emotion=emotion_text(cell), pains=listed, more=more, not_part=bool(cell and cell.not_part))


def warnings_text(prompts: Prompts, found: list[compare.MethodWarning]) -> str:
    return "\n".join(prompts.part("journeys/warnings", w.key, stages=list(w.stages)[:8], count=w.count)
                     for w in found)


def _filter(prompts: Prompts, journey_map: JourneyMap, layer_filter: int | None) -> StaticSelectElement:
    options = [Option(value="all", text=PlainTextObject(text=prompts.part(CARD, "filter_all")))]
    options += [Option(value=str(x.id), text=PlainTextObject(text=blocks.clip(
        prompts.part(CARD, "filter_one", name=x.name, segment=x.is_segment), 75))) for x in journey_map.layers[:99]]
    initial = next((o for o in options if o.value == str(layer_filter)), options[0])
    return StaticSelectElement(action_id=ids.FILTER, options=options, initial_option=initial,
                               placeholder=PlainTextObject(text=prompts.part(CARD, "filter_all")))


def _buttons(prompts: Prompts, journey_id: int) -> list[Any]:
    value = str(journey_id)
    return [blocks.button(prompts.part(CARD, "differ"), ids.DIFFER, value=value),
            blocks.button(prompts.part(CARD, "fill"), ids.FILL, value=value, style="primary"),
            blocks.button(prompts.part(CARD, "edit_stages"), ids.EDIT_STAGES, value=value),
            blocks.button(prompts.part(CARD, "edit_details"), ids.EDIT_DETAILS, value=value),
            blocks.button(prompts.part(CARD, "add_evidence"), ids.ADD_EVIDENCE, value=value),
            blocks.button(prompts.part(CARD, "vote"), ids.VOTE, value=value),
            blocks.button(prompts.part(CARD, "vote_results"), ids.VOTE_RESULTS, value=value),
            blocks.button(prompts.part(CARD, "empathy"), ids.EMPATHY_AT_STAGE, value=value),
            blocks.button(prompts.part(CARD, "to_persona"), ids.TO_PERSONA, value=value),
            *(blocks.button(prompts.part(CARD, "export", fmt=fmt), action_id, value=value)
              for action_id, fmt in ids.EXPORTS.items())]


def build_differences(prompts: Prompts, journey_map: JourneyMap) -> list[Any]:
    """The "Where they differ" blocks (for a modal): the most different stages first."""
    found = compare.differences(journey_map)
    if not found:
        return [blocks.section(prompts.part(CARD, "differ_none"))]
    out: list[Any] = [blocks.section(prompts.part(CARD, "differ_intro", count=len(found)))]
    for difference in found[:40]:
        cells = [_layer_field(prompts, journey_map, x, difference.stage_id, 2, 80) for x in journey_map.layers[:9]]
        section = blocks.fields(cells)
        section.text = blocks.section(prompts.part(CARD, "differ_stage", name=difference.name,
                                                   score=round(difference.score * 100),
                                                   emotions=difference.emotions)).text
        out.append(section)
    return out
