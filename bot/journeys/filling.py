"""Filling a layer conversationally, stage by stage, in a DM, run by the one conversation engine.

The flow asks, for each stage from the one picked to the last, every declared layer field
(`storage.journey_fields.LAYER_FIELDS`) as a `Step` keyed `"<stage id>:<field>"`. Its steps
depend on the journey, so the flow is *bound* to the conversation's stored context (journey,
layer, the stages as they were when it started): a restart rebuilds the same steps from the
row. What the layer says now is prefilled, so `ok` keeps it; `skip` leaves a field empty;
`back` and `cancel` are the engine's. The last answer saves every stage in its unit of work.

```mermaid
stateDiagram-v2
    [*] --> s1_goals: card "Fill a stage" -> "In a DM, from this stage on"
    s1_goals --> s1_actions --> s1_touchpoints --> s1_channels --> s1_questions --> s1_thoughts
    s1_thoughts --> s1_emotion --> s1_pains --> s1_opportunities
    s1_opportunities --> s2_goals: next stage (same nine questions)
    s2_goals --> sN_opportunities: ...
    sN_opportunities --> saved: every stage saved (same transaction as the last answer)
    saved --> [*]: cards refreshed, image redrawn, linked owners nudged
    note right of s1_actions: back -> previous (across stages), skip -> empty,\\nok -> keep, cancel -> [*]
```
"""

from __future__ import annotations

from typing import Any, NamedTuple

from bot.conversation_flow import Asking, Finished, Flow, Say, Step
from bot.deps import Deps
from bot.journeys import changes, fields
from bot.request_context import RequestContext
from bot.unit_of_work import UnitOfWork
from prompts import Prompts
from storage import journey_layers as layers
from storage import journeys as store
from storage.journey_fields import LAYER_FIELDS, FieldKind
from storage.journey_models import Journey
from storage.states import JourneyStatus

NAME = "journey_layer"
TEMPLATE = "journeys/filling"


class Named(NamedTuple):
    id: int
    name: str


def step_key(stage_id: int, key: str) -> str:
    return f"{stage_id}:{key}"


def _parse(kind: FieldKind) -> Any:
    def parse(text: str, _asking: Asking | None) -> Any:
        return fields.parse_emotion(text) if kind == FieldKind.EMOTION else fields.parse_items(text)
    return parse


def steps(stages: list[Any]) -> tuple[Step, ...]:
    """Every field of every stage, stages in order; none is required (skip leaves it empty)."""
    return tuple(Step(step_key(s.id, f.key), _parse(f.kind), on_skip=None if f.kind == FieldKind.EMOTION else [])
                 for s in stages for f in LAYER_FIELDS)


def question(prompts: Prompts, stage: Any, key: str) -> str:
    """What the engine asks for one step (the stage named, then the field's question)."""
    return prompts.part("journeys/fields", "stage_question", stage=stage.name, question=fields.question(prompts, key))


def show(key: str, value: Any) -> str:
    """A stored answer, read back as "Currently"."""
    if key.endswith(":emotion"):
        return f"{int(value[0]):+d} {value[1]}".strip() if value and value[0] is not None else ""
    return "\n".join(f"• {item}" for item in value or [])


def prefill(db: Any, *, layer_id: int, stages: list[Any]) -> dict[str, Any]:
    """What the layer says now on these stages, as answers (so `ok` keeps it)."""
    values: dict[str, Any] = {}
    for stage in stages:
        cell = layers.get_cell(db, layer_id=layer_id, stage_id=stage.id)
        if cell is None:
            continue
        for field in LAYER_FIELDS:
            if field.kind == FieldKind.EMOTION:
                if cell.emotion is not None:
                    values[step_key(stage.id, field.key)] = [cell.emotion, cell.emotion_word]
            elif getattr(cell, field.key):
                values[step_key(stage.id, field.key)] = list(getattr(cell, field.key))
    return values


def begin(ctx: RequestContext, *, journey: Journey, layer_id: int, layer_name: str, from_stage_id: int) -> None:
    """Queue the conversation (the DM opens after the commit); stages from the picked one on."""
    all_stages = store.list_stages(ctx.db, team_id=ctx.team_id, journey_id=journey.id)
    start = next((i for i, s in enumerate(all_stages) if s.id == from_stage_id), 0)
    stages = [Named(int(s.id), s.name) for s in all_stages[start:]]
    context = {"journey_id": journey.id, "layer_id": layer_id, "journey": journey.name, "layer": layer_name,
               "stages": [list(s) for s in stages], "questions": len(stages) * len(LAYER_FIELDS)}
    ctx.deps.conversations.begin(ctx, flow=NAME, prefill=prefill(ctx.db, layer_id=layer_id, stages=stages),
                                 context=context)


def save(deps: Deps, uow: UnitOfWork, *, team_id: str, user_id: str, journey_id: int, layer_id: int,
         answers: dict[str, Any]) -> int | None:
    """Store the answers (`step key -> parsed value`) of one layer; the stages changed, or None
    when the journey or the layer is gone. Stages removed meanwhile are left out."""
    journey = store.get_journey(uow.db, team_id=team_id, journey_id=journey_id)
    layer = layers.get_layer(uow.db, team_id=team_id, layer_id=layer_id)
    if journey is None or journey.status != JourneyStatus.ACTIVE or layer is None or layer.journey_id != journey_id:
        return None
    current = {s.id for s in store.list_stages(uow.db, team_id=team_id, journey_id=journey_id)}
    by_stage: dict[int, dict[str, Any]] = {}
    for key, value in answers.items():
        stage, _, name = key.partition(":")
        if not stage.isdigit() or int(stage) not in current:
            continue
        values = by_stage.setdefault(int(stage), {})
        if name == "emotion":
            values["emotion"], values["emotion_word"] = value if value else (None, "")
        else:
            values[name] = list(value or [])
    now = deps.clock.now()
    changed = sum(bool(layers.save_cell(uow.db, journey=journey, layer_id=layer_id, stage_id=stage_id,
                                        values=values, by=user_id, now=now))
                  for stage_id, values in by_stage.items())
    if changed:
        changes.follow(deps, uow, journey, by=user_id, detail="layer")
    return changed


def finish(deps: Deps, done: Finished, uow: UnitOfWork) -> Say:
    c = done.context
    count = save(deps, uow, team_id=done.team_id, user_id=done.user_id, journey_id=int(c["journey_id"]),
                 layer_id=int(c["layer_id"]), answers=done.values)
    if count is None:
        return Say(deps.prompts.part(TEMPLATE, "gone", journey=c["journey"]))
    return Say(deps.prompts.part(TEMPLATE, "saved", journey=c["journey"], layer=c["layer"], count=count))


def bind(deps: Deps, context: dict[str, Any]) -> Flow:
    """The flow for one conversation: its steps from the stages stored in its context."""
    stages = [Named(int(i), str(n)) for i, n in context.get("stages", [])]
    names = {str(s.id): s for s in stages}

    def ask(key: str) -> str:
        stage, _, field = key.partition(":")
        return question(deps.prompts, names[stage], field)

    return Flow(name=NAME, template=TEMPLATE, steps=steps(stages), show=show,
                finish=lambda done, uow: finish(deps, done, uow), ask=ask)


def build_flow(deps: Deps) -> Flow:
    return Flow(name=NAME, template=TEMPLATE, steps=(), show=show, finish=lambda done, uow: finish(deps, done, uow),
                bind=lambda context: bind(deps, context))
