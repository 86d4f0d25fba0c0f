"""The proto-persona conversation, declared as data for `bot.conversation`.

One question at a time in the person's DM, one per field the declaration asks
(`fields.ASKED`, in its order); answers prefilled from an empathy session show as "Currently"
and `ok` keeps them. `back`, `skip`, `cancel` and `help` work everywhere (the engine's
commands); required fields cannot be skipped.

```mermaid
stateDiagram-v2
    [*] --> name: /persona new, shortcut, Home button, empathy session button
    name --> role --> context --> goals --> behaviors --> needs --> frustrations
    frustrations --> quote --> unsure --> confidence --> owner_id --> cadence_days
    cadence_days --> journey: the workspace has journeys (optional)
    journey --> saved
    cadence_days --> saved: create persona (same transaction as the last answer), card queued
    saved --> [*]: card posted in the DM
    saved --> name: name taken meanwhile (asked again)
    note right of role: back -> previous, skip -> next (optional),\\nok -> keep, help, cancel -> [*]
    note right of cadence_days: idle for CONVERSATION_IDLE_MINUTES -> expired -> [*]
```
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from bot.conversation_flow import Asking, Finished, Flow, Invalid, Step
from bot.deps import Deps
from bot.journeys.layers import link_in_unit
from bot.owners import refusal
from bot.personas import fields, lifecycle, refresh
from bot.personas.fields import FieldType
from bot.unit_of_work import UnitOfWork
from prompts import SlackMarkup, mention
from storage import journeys
from storage import personas as store
from storage.outbox import Outgoing

NAME = "persona"
TEMPLATE = "personas/flow"
JOURNEY = "journey"  # the optional last question (not a persona field: the journey gets a layer)


def _parse(spec: fields.Field) -> Any:
    def parse(text: str, asking: Asking) -> Any:
        value = fields.parse_field(spec.key, text, me=asking.user_id)
        if spec.key == "name" and store.name_taken(asking.db, team_id=asking.team_id, name=value):
            raise Invalid("error_name_taken", name=value)
        if spec.type is FieldType.USER and value != asking.user_id:
            reason = refusal(asking.deps, team_id=asking.team_id, user_id=value)
            if reason is not None:
                raise Invalid("error_owner_refused", user=value, reason=reason)
        return value
    return parse


def _parse_journey(text: str, asking: Asking) -> list[Any]:
    """A journey's name (or id) to layer the new persona on: [id, name]; `none` or skip: no journey."""
    if text.casefold() in ("none", "no", "-"):
        return []
    found = journeys.find_journeys(asking.db, team_id=asking.team_id, name=text)
    if len(found) != 1:
        raise Invalid("error_journey", name=text, matches=[j.name for j in found[:10]])
    return [found[0].id, found[0].name]


def _show(key: str, value: Any, deps: Deps) -> str:
    if key == JOURNEY:
        return str(value[1]) if value else ""
    kind = fields.BY_KEY[key].type
    if kind is FieldType.USER:
        return mention(str(value))
    if isinstance(value, list):
        return "\n".join(f"• {item}" for item in value)
    if kind is FieldType.DAYS:
        return SlackMarkup(deps.prompts.part(TEMPLATE, "cadence", days=int(value)))
    return str(value)


def finish(deps: Deps, done: Finished, uow: UnitOfWork) -> Outgoing:
    """Create the persona in the last answer's unit of work; its card is the last message."""
    values = dict(done.values)
    linked = values.pop(JOURNEY, None) or []
    if store.name_taken(uow.db, team_id=done.team_id, name=values.get("name", "")):
        raise Invalid("error_name_taken", step="name", name=values.get("name", ""))
    values["confidence"] = values.get("confidence") or fields.BY_KEY["confidence"].default
    persona = lifecycle.create(deps, lifecycle.in_unit(uow, done.team_id), team_id=done.team_id,
                               user_id=done.user_id, values=values,
                               source_session_id=done.context.get("source_session_id"))
    if linked:
        link_in_unit(deps, uow, team_id=done.team_id, journey_id=int(linked[0]), persona_id=persona.id,
                     by=done.user_id)
    return refresh.post_card(persona.id, channel=done.channel_id, thread_ts=done.thread_ts,
                             intro=deps.prompts.part(TEMPLATE, "saved", name=persona.name),
                             key=f"{refresh.CARD}:created:{persona.id}", lane=done.lane)


def build_flow(deps: Deps) -> Flow:
    """The fields' questions; when the workspace has journeys (the start says so in the context),
    one more, optional: which journey to layer the new persona on."""
    steps = tuple(Step(spec.key, _parse(spec), required=spec.required, on_skip=spec.on_skip) for spec in fields.ASKED)
    flow = Flow(name=NAME, template=TEMPLATE, steps=steps, show=lambda key, value: _show(key, value, deps),
                finish=lambda done, uow: finish(deps, done, uow))
    with_journey = replace(flow, steps=(*steps, Step(JOURNEY, _parse_journey, on_skip=[])))
    return replace(flow, bind=lambda context: with_journey if context.get("offer_journey") else flow)

