"""What changed on a persona since its last review: the lines its review nudge shows.

An owner asked "is it still accurate?" needs the news to answer: evidence that came in (and
whether it supports or challenges which assumption), edits, changes to linked journeys, and
the core assumptions still open. Without them a review is a reflex click. Reads in the
caller's unit of work; the sentences are `personas/review` templates (user text escaped there).
"""

from __future__ import annotations

import json

from sqlmodel import Session

from bot.personas import assumptions
from prompts import Prompts
from storage import persona_evidence, review_queries
from storage import personas as store
from storage.models import Persona
from storage.states import EvidenceStance

TEMPLATE = "personas/review"
EVIDENCE_SHOWN = 3
NOT_EDITS = frozenset({"evidence", "last_reviewed_at", "next_review_at"})


def changes_since_review(prompts: Prompts, db: Session, persona: Persona, *, kind: str) -> tuple[str, ...]:
    def t(macro: str, **kw: object) -> str:
        return prompts.part(TEMPLATE, macro, **kw)

    def title(key: str) -> str:
        return prompts.part("personas/card", "title", key=key)

    since = persona.last_reviewed_at or persona.created_at
    team_id, persona_id = persona.team_id, persona.id
    new = persona_evidence.evidence_since(db, team_id=team_id, persona_id=persona_id, since=since)
    edits = [r for r in store.revisions_since(db, team_id=team_id, persona_id=persona_id, since=since)
             if set(r.changes) - NOT_EDITS]
    linked = review_queries.linked_changes_since(db, team_id=team_id, subject_type=kind, subject_id=persona_id,
                                                 since=since)
    found = assumptions.core_assumptions(persona, persona_evidence.list_stances(db, team_id=team_id,
                                                                                 persona_id=persona_id))
    lines = [t("heading", since=since, reviewed=persona.last_reviewed_at is not None)]
    lines.append(t("evidence", count=len(new),
                   supports=sum(1 for e in new if e.stance == EvidenceStance.SUPPORTS),
                   challenges=sum(1 for e in new if e.stance == EvidenceStance.CHALLENGES),
                   shown=[(e.stance.value, title(e.assumption) if e.assumption else "", e.text[:150])
                          for e in new[-EVIDENCE_SHOWN:]]))
    if edits:
        changed = sorted({title(key) for r in edits for key in r.changes if key not in NOT_EDITS})
        lines.append(t("edits", count=len(edits), fields=changed))
    if linked:
        titles = list(dict.fromkeys(_linked_title(r.detail) for r in linked))
        lines.append(t("linked", count=len(linked), titles=[x for x in titles if x]))
    unsettled = assumptions.unsettled(found)
    lines.append(t("assumptions", total=len(found), open=[title(a.key) for a in unsettled]))
    return tuple(lines)


def _linked_title(detail: str) -> str:
    try:
        value = json.loads(detail or "{}")
    except ValueError:
        return ""
    return str(value.get("linked_title", ""))[:100] if isinstance(value, dict) else ""

