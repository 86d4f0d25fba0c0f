"""The proto-persona conversation, declared as data for `bot.conversation`.

One question at a time in the person's DM; answers prefilled from an empathy session show as
"Currently" and `ok` keeps them. `back`, `skip`, `cancel` and `help` work everywhere (the
engine's fallbacks); only the name and the role are required.

```mermaid
stateDiagram-v2
    [*] --> name: /persona new, shortcut, Home button, empathy session button
    name --> role --> context --> goals --> behaviors --> needs --> frustrations
    frustrations --> quote --> unsure --> confidence --> owner_id --> cadence_days
    cadence_days --> saved: create persona, schedule review, announce "created"
    saved --> [*]: card posted in the DM
    saved --> name: name taken meanwhile (asked again)
    note right of role: back -> previous, skip -> next (optional),\nok -> keep, help, cancel -> [*]
    note right of cadence_days: idle for CONVERSATION_IDLE_MINUTES -> expired -> [*]
```
"""

from __future__ import annotations

from typing import Any

from bot.conversation import Asking, Finished, Flow, Invalid, Say, Step
from bot.deps import Deps
from bot.personas import fields, lifecycle, refresh, views
from prompts import SlackMarkup, mention
from storage import personas as store

NAME = "persona"
TEMPLATE = "personas/flow"


def _name(text: str, asking: Asking) -> str:
    name = fields.parse_name(text)
    if store.name_taken(asking.deps.engine, team_id=asking.team_id, name=name):
        raise Invalid("error_name_taken", name=name)
    return name


def _field(key: str) -> Step:
    required = key == "role"
    on_skip: Any = [] if key in fields.LIST_FIELDS else ""
    return Step(key, lambda text, asking: fields.parse_field(key, text, me=asking.user_id), required=required,
                on_skip=on_skip)


def _show(key: str, value: Any, deps: Deps) -> str:
    if key == "owner_id":
        return mention(str(value))
    if isinstance(value, list):
        return "\n".join(f"• {item}" for item in value)
    if key == "cadence_days":
        return SlackMarkup(deps.prompts.part(TEMPLATE, "cadence", days=int(value)))
    return str(value)


def build_flow(deps: Deps) -> Flow:
    def finish(done: Finished) -> Say:
        values = dict(done.values)
        if store.name_taken(deps.engine, team_id=done.team_id, name=values.get("name", "")):
            raise Invalid("error_name_taken", step="name", name=values.get("name", ""))
        values.setdefault("confidence", "low")
        values["confidence"] = values.get("confidence") or "low"
        persona = lifecycle.create(deps, team_id=done.team_id, user_id=done.user_id, values=values,
                                   source_session_id=done.context.get("source_session_id"))
        text = deps.prompts.part(TEMPLATE, "saved", name=persona.name)
        card = views.build_card(deps.prompts, persona=persona, evidence_count=0, warnings=[],
                                now=deps.clock.now(), intro=text)
        return Say(text, card, posted=lambda channel, ts: refresh.remember(
            deps, team_id=persona.team_id, persona_id=persona.id, where={"c": channel, "ts": ts, "i": text}))

    steps = (
        Step("name", _name, required=True),
        *(_field(key) for key in ("role", "context", *fields.LIST_FIELDS, "quote", "unsure")),
        Step("confidence", lambda text, _: fields.parse_confidence(text), on_skip="low"),
        Step("owner_id", lambda text, asking: fields.parse_owner(text, me=asking.user_id), required=True),
        Step("cadence_days", lambda text, _: fields.parse_cadence(text), required=True),
    )
    return Flow(name=NAME, template=TEMPLATE, steps=steps, show=lambda key, value: _show(key, value, deps),
                finish=finish)


def prefill_from_session(found: dict[str, list[str]], *, subject: str, goal: str) -> dict[str, Any]:
    """An empathy session's top-voted notes as first answers: says -> quote, pains -> frustrations,
    gains -> goals and needs (with the session's goal first), does -> behaviors."""
    gains = found.get("gains", [])
    goals = [g for g in [goal.strip(), *found.get("goal", [])] if g] or list(gains)
    values: dict[str, Any] = {
        "role": subject.strip()[: fields.ROLE_MAX],
        "goals": goals[: fields.ITEMS_MAX],
        "needs": list(gains)[: fields.ITEMS_MAX],
        "behaviors": found.get("does", [])[: fields.ITEMS_MAX],
        "frustrations": found.get("pains", [])[: fields.ITEMS_MAX],
        "quote": (found.get("says") or [""])[0][: fields.QUOTE_MAX],
    }
    values = {key: [item[: fields.ITEM_MAX] for item in value] if isinstance(value, list) else value
              for key, value in values.items()}
    return {key: value for key, value in values.items() if value}
