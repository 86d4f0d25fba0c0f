"""Loading what a card or the list shows (persona, evidence count, warnings) and building it.

The one place that gathers the data for `views`, so `/persona show`, the Show button, the
conversation's last message and the refreshed card after an edit all look the same. Reads go
through the caller's session (a request's unit of work, or a sender's).
"""

from __future__ import annotations

from typing import Any

from sqlmodel import Session

from bot import numbers
from bot.deps import Deps
from bot.personas import assumptions, quality, views
from prompts import unescape_slack
from storage import journey_layers, persona_evidence
from storage import personas as store
from storage.models import Persona


def card(deps: Deps, db: Session, persona: Persona, *, shareable: bool = False,
         intro: str | None = None) -> dict[str, Any]:
    """`text` + `blocks` of a persona's card, ready for chat.postMessage or a respond()."""
    now = deps.clock.now()
    counts = persona_evidence.count_evidence(db, team_id=persona.team_id, persona_ids=[persona.id])
    warnings = quality.persona_warnings(db, persona=persona, now=now, prompts=deps.prompts)
    journeys = [name for _, name, _ in journey_layers.journeys_of_persona(db, team_id=persona.team_id,
                                                                          persona_id=persona.id)]
    found = assumptions.core_assumptions(persona, persona_evidence.list_stances(
        db, team_id=persona.team_id, persona_id=persona.id))
    built = views.build_card(deps.prompts, persona=persona, evidence_count=counts.get(persona.id, 0),
                             warnings=warnings, now=now, journeys=journeys, intro=intro, shareable=shareable,
                             assumptions=found)
    return {"text": views.card_text(deps.prompts, persona), "blocks": built}


def listing(deps: Deps, db: Session, team_id: str) -> dict[str, Any]:
    personas = store.list_personas(db, team_id=team_id, limit=views.LIST_LIMIT)
    total = store.count_active(db, team_id=team_id)
    newest = store.newest_personas(db, team_id=team_id, limit=quality.COMPARED_NEWEST)
    shown = {p.id: p for p in [*newest, *personas]}
    found = quality.check_personas(list(shown.values()), evidence=persona_evidence.count_evidence(
        db, team_id=team_id, persona_ids=list(shown)), now=deps.clock.now(), prompts=deps.prompts,
        by_area=store.count_active_by_area(db, team_id=team_id))
    listed = {p.id for p in personas}
    notes = [w for w in found if w.kind == "too_many" or set(w.persona_ids) & listed]
    built = views.build_list(deps.prompts, personas=personas, total=total, warnings=notes)
    return {"text": views.list_text(deps.prompts, count=total), "blocks": built}


def find_one(db: Session, team_id: str, name_or_id: str) -> tuple[Persona | None, list[Persona]]:
    """(the persona, []) when the words name exactly one; (None, candidates) otherwise.

    Slack sends `&`, `<`, `>` in a command's text as entities; names are stored as typed.
    """
    name_or_id = unescape_slack(name_or_id)
    wanted_id = numbers.row_id(name_or_id.strip())
    if wanted_id is not None:
        persona = store.get_persona(db, team_id=team_id, persona_id=wanted_id)
        if persona is not None:
            return persona, []
    found = store.find_personas(db, team_id=team_id, name=name_or_id)
    return (found[0], []) if len(found) == 1 else (None, found)
