"""The journeys feature's modals, as pure builders: the create form, the stage editor (and its
"this stage holds content" confirmation), the layer picker, the one-stage fill form, and the
persona card's "Link to a journey" picker. State travels in `private_metadata` (JSON)."""

from __future__ import annotations

import json
from typing import Any

from slack_sdk.models.blocks import (
    CheckboxesElement,
    InputBlock,
    Option,
    StaticSelectElement,
    UserSelectElement,
)
from slack_sdk.models.blocks.basic_components import PlainTextObject

from bot import blocks
from bot.journeys import fields, ids
from prompts import Prompts
from storage.journey_fields import LAYER_FIELDS
from storage.journey_layers import JourneyMap
from storage.journey_models import Journey, PersonaStage, Stage
from storage.journeys import TEMPLATES
from storage.states import JourneyState

MODALS = "journeys/modals"
CADENCES = (30, 90, 182, 365)
NEW_SEGMENT = "segment"
IN_DM = "dm"  # the picker's "how": this stage in the modal, or the conversation from this stage on
IN_MODAL = "modal"
SCOPE_TEXTS = ((ids.SCOPE_START_BLOCK, "scope_start"), (ids.SCOPE_END_BLOCK, "scope_end"),
               (ids.SCOPE_WHY_BLOCK, "scope_why"))


def _t(prompts: Prompts, macro: str, **kw: object) -> str:
    return prompts.part(MODALS, macro, **kw)


def select(block_id: str, label: str, options: list[tuple[str, str]], *, initial: str | None = None,
            optional: bool = False) -> InputBlock:
    opts = [Option(value=value, text=PlainTextObject(text=blocks.clip(text, 75))) for value, text in options[:100]]
    chosen = next((o for o in opts if o.value == initial), None)
    return InputBlock(block_id=block_id, label=PlainTextObject(text=label), optional=optional,
                      element=StaticSelectElement(action_id="value", options=opts, initial_option=chosen))


def build_create(prompts: Prompts, *, owner_id: str, where: str = "") -> dict:
    templates = [(key, _t(prompts, "template_option", key=key, stages=list(stages)))
                 for key, stages in TEMPLATES.items()] + [("typed", _t(prompts, "template_typed"))]
    owner = InputBlock(block_id=ids.OWNER_BLOCK, label=PlainTextObject(text=_t(prompts, "owner")),
                       element=UserSelectElement(action_id="value", initial_user=owner_id or None))
    return blocks.modal(callback_id=ids.CREATE_MODAL, title=_t(prompts, "create_title"),
                        submit=_t(prompts, "create_submit"), close=_t(prompts, "cancel"), private_metadata=where,
                        blocks=[
        blocks.text_input(block_id=ids.NAME_BLOCK, label=_t(prompts, "name"), max_length=fields.NAME_MAX,
                          placeholder=_t(prompts, "name_placeholder")),
        blocks.text_input(block_id=ids.GOAL_BLOCK, label=_t(prompts, "goal"), multiline=True,
                          max_length=fields.GOAL_MAX, placeholder=_t(prompts, "goal_placeholder")),
        owner,
        select(ids.CADENCE_BLOCK, _t(prompts, "cadence"),
                [(str(d), _t(prompts, "cadence_option", days=d)) for d in CADENCES], initial="90"),
        select(ids.TEMPLATE_BLOCK, _t(prompts, "template"), templates, initial="lifecycle"),
        blocks.text_input(block_id=ids.TYPED_BLOCK, label=_t(prompts, "typed"), multiline=True, optional=True,
                          max_length=1500, hint=_t(prompts, "typed_hint")),
        *scope_blocks(prompts),
    ])


def scope_blocks(prompts: Prompts, journey: Journey | None = None) -> list[InputBlock]:
    """The state, the three scope questions, and the backstage (future state only)."""
    state = journey.state if journey is not None else JourneyState.CURRENT
    out: list[InputBlock] = [select(ids.STATE_BLOCK, _t(prompts, "state"),
                                           [(s.value, _t(prompts, "state_option", state=s.value))
                                            for s in JourneyState], initial=state.value)]
    for block_id, key in SCOPE_TEXTS:
        out.append(blocks.text_input(block_id=block_id, label=_t(prompts, key), optional=True,
                                     max_length=fields.SCOPE_MAX, initial=getattr(journey, key, "") or None,
                                     placeholder=_t(prompts, f"{key}_placeholder")))
    out.append(blocks.text_input(block_id=ids.BACKSTAGE_BLOCK, label=_t(prompts, "backstage"), optional=True,
                                 multiline=True, max_length=fields.BACKSTAGE_MAX,
                                 initial=getattr(journey, "backstage", "") or None,
                                 hint=_t(prompts, "backstage_hint")))
    return out


def build_stages(prompts: Prompts, *, journey: Journey, stages: list[Stage]) -> dict:
    """One name and one position per stage (clear a name to remove it), and new stages to add."""
    rows: list[Any] = [blocks.context(_t(prompts, "stages_intro", name=journey.name))]
    for index, stage in enumerate(stages, start=1):
        rows.append(blocks.text_input(block_id=f"{ids.STAGE_NAME_PREFIX}{stage.id}", optional=True,
                                      label=_t(prompts, "stage_label", number=index), initial=stage.name,
                                      max_length=fields.STAGE_NAME_MAX))
        rows.append(select(f"{ids.STAGE_POS_PREFIX}{stage.id}", _t(prompts, "position_label", name=stage.name),
                            [(str(n), str(n)) for n in range(1, fields.STAGES_MAX + 1)], initial=str(index)))
    rows.append(blocks.text_input(block_id=ids.ADD_STAGES_BLOCK, label=_t(prompts, "add_stages"), multiline=True,
                                  optional=True, max_length=1000, hint=_t(prompts, "add_stages_hint")))
    return blocks.modal(callback_id=ids.STAGES_MODAL, title=_t(prompts, "stages_title"), blocks=rows,
                        submit=_t(prompts, "save"), close=_t(prompts, "cancel"), private_metadata=str(journey.id))


def build_confirm_removal(prompts: Prompts, *, journey_id: int, plan: list[tuple[str, int | None]],
                          holding: list[tuple[str, int, int]]) -> dict:
    """Pushed over the stage editor when a removed stage holds content; its submit applies the plan."""
    metadata = json.dumps({"j": journey_id, "plan": plan}, separators=(",", ":"))
    text = _t(prompts, "confirm_removal", stages=holding)
    return blocks.modal(callback_id=ids.STAGES_CONFIRM_MODAL, title=_t(prompts, "confirm_title"),
                        blocks=[blocks.section(text)], submit=_t(prompts, "confirm_remove"),
                        close=_t(prompts, "back"), private_metadata=metadata)


def build_pick(prompts: Prompts, *, journey_map: JourneyMap, personas: list[tuple[int, str]],
               layer_id: int | None = None) -> dict:
    """Which layer (a layered one, another persona, or a new segment) and which stage to fill;
    `layer_id` chosen first (a link review opens the layer it asks about)."""
    layered = {x.persona_id for x in journey_map.layers}
    options = [(f"layer:{x.id}", _t(prompts, "layer_option", name=x.name, segment=x.is_segment))
               for x in journey_map.layers]
    options += [(f"persona:{pid}", _t(prompts, "persona_option", name=name)) for pid, name in personas
                if pid not in layered]
    options.append((NEW_SEGMENT, _t(prompts, "segment_option")))
    stages = [(str(s.id), f"{i}. {s.name}") for i, s in enumerate(journey_map.stages, start=1)]
    return blocks.modal(callback_id=ids.PICK_MODAL, title=_t(prompts, "pick_title"),
                        submit=_t(prompts, "next"), close=_t(prompts, "cancel"),
                        private_metadata=str(journey_map.journey.id), blocks=[
        select(ids.LAYER_BLOCK, _t(prompts, "layer"), options,
               initial=next((v for v, _ in options if v == f"layer:{layer_id}"), options[0][0])),
        blocks.text_input(block_id=ids.SEGMENT_BLOCK, label=_t(prompts, "segment"), optional=True,
                          max_length=fields.NAME_MAX, hint=_t(prompts, "segment_hint")),
        select(ids.STAGE_BLOCK, _t(prompts, "stage"), stages, initial=stages[0][0] if stages else None),
        select(ids.HOW_BLOCK, _t(prompts, "how"), [(IN_MODAL, _t(prompts, "how_modal")),
                                                    (IN_DM, _t(prompts, "how_dm"))], initial=IN_MODAL, optional=True),
    ])


def build_fill(prompts: Prompts, *, journey: Journey, layer_id: int, layer_name: str, stage: Stage,
               cell: PersonaStage | None) -> dict:
    """Every declared field of one layer on one stage, prefilled with what it says now."""
    rows: list[Any] = [blocks.context(_t(prompts, "fill_intro", journey=journey.name, stage=stage.name,
                                         layer=layer_name))]
    for field in LAYER_FIELDS:
        rows.append(blocks.text_input(
            block_id=f"{ids.FIELD_PREFIX}{field.key}", label=fields.label(prompts, field.key), optional=True,
            multiline=field.key != "emotion", initial=fields.as_text(cell, field.key) or None,
            max_length=3000 if field.key != "emotion" else 50,
            hint=prompts.part(fields.TEMPLATE, "hint", key=field.key)))
    left_out = Option(value=ids.NOT_PART, text=PlainTextObject(text=_t(prompts, "not_part", layer=layer_name)),
                      description=PlainTextObject(text=_t(prompts, "not_part_hint")))
    rows.append(InputBlock(block_id=ids.NOT_PART_BLOCK, label=PlainTextObject(text=_t(prompts, "not_part_label")),
                           optional=True, element=CheckboxesElement(
                               action_id="value", options=[left_out],
                               initial_options=[left_out] if cell is not None and cell.not_part else None)))
    metadata = json.dumps({"j": journey.id, "l": layer_id, "s": stage.id}, separators=(",", ":"))
    return blocks.modal(callback_id=ids.FILL_MODAL, title=_t(prompts, "fill_title"), blocks=rows,
                        submit=_t(prompts, "save"), close=_t(prompts, "cancel"), private_metadata=metadata)


def build_link_persona(prompts: Prompts, *, persona_id: int, journeys: list[tuple[int, str]],
                       owner_id: str = "") -> dict:
    """Which journey, and who keeps the link true (the method: the link needs its own owner)."""
    if not journeys:
        return build_info(prompts, _t(prompts, "no_journeys"))
    return blocks.modal(callback_id=ids.LINK_PERSONA_MODAL, title=_t(prompts, "link_title"),
                        submit=_t(prompts, "link_submit"), close=_t(prompts, "cancel"),
                        private_metadata=str(persona_id), blocks=[
        select(ids.JOURNEY_BLOCK, _t(prompts, "journey"), [(str(i), n) for i, n in journeys]),
        InputBlock(block_id=ids.LINK_OWNER_BLOCK, label=PlainTextObject(text=_t(prompts, "link_owner")), optional=True,
                   hint=PlainTextObject(text=_t(prompts, "link_owner_hint")),
                   element=UserSelectElement(action_id="value", initial_user=owner_id or None))])


def build_info(prompts: Prompts, text: str, *, title: str = "") -> dict:
    return blocks.modal(callback_id=ids.INFO_MODAL, title=title or _t(prompts, "info_title"),
                        blocks=[blocks.section(text)], close=_t(prompts, "close"))


def build_gone(prompts: Prompts) -> dict:
    """The journey a button or form names was deleted or retired meanwhile."""
    return build_info(prompts, _t(prompts, "gone"))
