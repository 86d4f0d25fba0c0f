"""Filling a layer conversationally, stage by stage, for the one conversation engine to run.

The engine's flow (in a DM) asks, for each stage in order, every declared layer field
(`storage.journey_fields.LAYER_FIELDS`); `steps(...)` gives those questions as `Step`s keyed
`"<stage id>:<field>"` (parsers shared with the modal, so `ok` keeping the current answer,
back and skip behave as for personas), and `save(...)` stores the answers in the caller's unit
of work when the flow finishes (or after each stage, for resuming after a restart).
"""

from __future__ import annotations

from typing import Any

from bot.conversation_flow import Asking, Step
from bot.journeys import changes, fields, lookup
from bot.request_context import RequestContext
from prompts import Prompts
from storage import journey_layers as layers
from storage.journey_fields import LAYER_FIELDS, FieldKind
from storage.journey_models import Stage


def step_key(stage_id: int, key: str) -> str:
    return f"{stage_id}:{key}"


def _parse(kind: FieldKind) -> Any:
    def parse(text: str, _asking: Asking) -> Any:
        return fields.parse_emotion(text) if kind == FieldKind.EMOTION else fields.parse_items(text)
    return parse


def steps(stages: list[Stage]) -> tuple[Step, ...]:
    """Every field of every stage, stages in order; none is required (skip leaves it empty)."""
    return tuple(Step(step_key(s.id, f.key), _parse(f.kind)) for s in stages for f in LAYER_FIELDS)


def question(prompts: Prompts, stage: Stage, key: str) -> str:
    """What the engine asks for one step (the stage named, then the field's question)."""
    return prompts.part("journeys/fields", "stage_question", stage=stage.name, question=fields.question(prompts, key))


def save(ctx: RequestContext, *, journey_id: int, layer_id: int, answers: dict[str, Any]) -> int:
    """Store the finished answers (`step key -> parsed value`) of one layer; returns stages changed."""
    journey = lookup.by_value(ctx, str(journey_id))
    if journey is None:
        return 0
    by_stage: dict[int, dict[str, Any]] = {}
    for key, value in answers.items():
        stage, _, name = key.partition(":")
        if not stage.isdigit():
            continue
        values = by_stage.setdefault(int(stage), {})
        if name == "emotion":
            values["emotion"], values["emotion_word"] = value
        else:
            values[name] = value
    changed = sum(bool(layers.save_cell(ctx.db, journey=journey, layer_id=layer_id, stage_id=stage_id,
                                        values=values, by=ctx.user_id, now=ctx.now()))
                  for stage_id, values in by_stage.items())
    if changed:
        changes.changed(ctx, journey, detail="layer")
    return changed
