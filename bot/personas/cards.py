"""Loading what a card or the list shows (persona, evidence count, warnings) and building it.

The one place that gathers the data for `views`, so `/persona show`, the Show button, the
conversation's last message and the refreshed card after an edit all look the same.
"""

from __future__ import annotations

from typing import Any

from bot.deps import Deps
from bot.personas import quality, views
from storage import persona_evidence
from storage import personas as store
from storage.models import Persona


def card(deps: Deps, persona: Persona, *, shareable: bool = False, intro: str | None = None) -> dict[str, Any]:
    """`text` + `blocks` of a persona's card, ready for chat.postMessage or a respond()."""
    now = deps.clock.now()
    counts = persona_evidence.count_evidence(deps.engine, team_id=persona.team_id)
    warnings = quality.warnings_for(quality.workspace_warnings(deps.engine, team_id=persona.team_id, now=now,
                                                               prompts=deps.prompts), persona.id)
    built = views.build_card(deps.prompts, persona=persona, evidence_count=counts.get(persona.id, 0),
                             warnings=warnings, now=now, intro=intro, shareable=shareable)
    return {"text": views.card_text(deps.prompts, persona), "blocks": built}


def listing(deps: Deps, team_id: str) -> dict[str, Any]:
    personas = store.list_personas(deps.engine, team_id=team_id)
    found = quality.workspace_warnings(deps.engine, team_id=team_id, now=deps.clock.now(), prompts=deps.prompts)
    counts: dict[int, int] = {}
    for warning in found:
        if warning.kind != "too_many":
            for persona_id in warning.persona_ids:
                counts[persona_id] = counts.get(persona_id, 0) + 1
    built = views.build_list(deps.prompts, personas=personas, warning_counts=counts, workspace_warnings=found)
    return {"text": views.list_text(deps.prompts, count=len(personas)), "blocks": built}


def find_one(deps: Deps, team_id: str, name_or_id: str) -> tuple[Persona | None, list[Persona]]:
    """(the persona, []) when the words name exactly one; (None, candidates) otherwise."""
    if name_or_id.isdigit():
        persona = store.get_persona(deps.engine, team_id=team_id, persona_id=int(name_or_id))
        if persona is not None:
            return persona, []
    found = store.find_personas(deps.engine, team_id=team_id, name=name_or_id)
    return (found[0], []) if len(found) == 1 else (None, found)
