"""Quality checks from the method (METHOD.md): they warn, they never block.

- more than 5 active personas in one product or area dilute focus (start with 3-5 core personas;
  a persona names its area, and personas naming none count together);
- a persona with none of goals, behaviors or frustrations describes who someone is, not what
  they do; so does one whose behavioral fields state age, income, gender or location
  (`demographics`);
- two personas so alike they would not change a journey map (which fields overlap is reported);
- a proto-persona older than its review cadence that still has no evidence.

Governance shows `workspace_warnings` in App Home and the weekly digest; the card shows a
persona's own.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from itertools import combinations

from sqlmodel import Session

from bot.personas import demographics
from prompts import Prompts
from storage import persona_evidence
from storage import personas as store
from storage.models import Persona
from storage.states import PersonaKind, PersonaStatus

TEMPLATE = "personas/quality"
CORE_PERSONAS = 5
BEHAVIORAL = ("goals", "behaviors", "frustrations")
COMPARED = ("role", "goals", "behaviors", "needs", "frustrations")
FIELD_OVERLAP = 0.5
COMPARED_NEWEST = 30  # pairs grow quadratically: only the newest are compared, so 10,000 personas stay fast
CHECKED_NEWEST = 200  # per-persona checks in the workspace view: the newest ones
_WORD = re.compile(r"\w+", re.UNICODE)
_STOP = frozenset((
    "a", "an", "and", "are", "as", "at", "be", "by", "for", "from", "has", "have", "in", "is", "it",
    "of", "on", "or", "our", "so", "that", "the", "their", "them", "they", "this", "to", "too",
    "want", "wants", "was", "we", "when", "who", "with",
))


@dataclass(frozen=True)
class QualityWarning:
    kind: str
    persona_ids: tuple[int, ...]
    text: str
    area: str | None = None  # too_many: the area (as compared) that has too many


def area_key(area: str) -> str:
    return area.strip().lower()


def workspace_warnings(db: Session, *, team_id: str, now: datetime, prompts: Prompts | None = None,
                       limit: int = CHECKED_NEWEST) -> list[QualityWarning]:
    """The warnings for a workspace (Home, digest, `/persona list`), most important first.

    Bounded whatever the workspace holds: the count is one SQL query, the per-persona checks
    look at the `limit` newest personas and the similarity check at the `COMPARED_NEWEST` newest.
    Reads in the caller's unit of work (governance's Home and digest read theirs in one).
    """
    personas = store.newest_personas(db, team_id=team_id, limit=limit)
    return _check(db, team_id, personas, now, prompts or Prompts())


def persona_warnings(db: Session, *, persona: Persona, now: datetime, prompts: Prompts) -> list[QualityWarning]:
    """The warnings that concern one persona (its card): compared with the newest others."""
    if persona.status != PersonaStatus.ACTIVE:
        return []
    newest = store.newest_personas(db, team_id=persona.team_id, limit=COMPARED_NEWEST)
    group = [persona, *[p for p in newest if p.id != persona.id]][:COMPARED_NEWEST]
    found = _check(db, persona.team_id, group, now, prompts)
    return [w for w in found if (w.kind == "too_many" and w.area == area_key(persona.area))
            or persona.id in w.persona_ids]


def _check(db: Session, team_id: str, personas: list[Persona], now: datetime,
           prompts: Prompts) -> list[QualityWarning]:
    evidence = persona_evidence.count_evidence(db, team_id=team_id,
                                               persona_ids=[p.id for p in personas if p.id is not None])
    return check_personas(personas, evidence=evidence, now=now, prompts=prompts,
                          by_area=store.count_active_by_area(db, team_id=team_id))


def check_personas(personas: list[Persona], *, evidence: dict[int, int], now: datetime, prompts: Prompts,
                   by_area: dict[str, tuple[str, int]] | None = None) -> list[QualityWarning]:
    """The checks as a pure function of the personas (and their evidence counts).

    `too_many` names no persona (it concerns every persona of its area); the others name the
    personas concerned. `by_area` (from the database) counts every active persona, not only
    those given; without it the given ones are counted.
    """
    def warn(kind: str, ids: tuple[int, ...], **kw: object) -> QualityWarning:
        return QualityWarning(kind, ids, prompts.part(TEMPLATE, kind, **kw))

    titles = {key: prompts.part("personas/card", "title", key=key) for key in COMPARED}
    active = [p for p in personas if p.status == PersonaStatus.ACTIVE]
    if by_area is None:
        by_area = {}
        for p in active:
            shown, count = by_area.get(area_key(p.area), (p.area.strip(), 0))
            by_area[area_key(p.area)] = (shown, count + 1)
    found: list[QualityWarning] = []
    for key, (shown, count) in sorted(by_area.items(), key=lambda item: -item[1][1]):
        if count > CORE_PERSONAS:
            found.append(QualityWarning("too_many", (), prompts.part(
                TEMPLATE, "too_many", count=count, limit=CORE_PERSONAS, area=shown, areas=len(by_area)), area=key))
    newest = sorted(active, key=lambda p: (p.created_at, p.id or 0), reverse=True)[:COMPARED_NEWEST]
    for first, second in combinations(newest, 2):
        overlapping = overlapping_fields(first, second)
        if overlapping:
            found.append(warn("too_similar", (first.id, second.id), first=first.name, second=second.name,
                              fields=[titles[k] for k in overlapping]))
    for persona in active:
        missing = [key for key in BEHAVIORAL if not getattr(persona, key)]
        stated = demographics.demographic_items(persona)
        if len(missing) == len(BEHAVIORAL):
            found.append(warn("demographic_only", (persona.id,), name=persona.name))
        elif stated:
            kinds = list(dict.fromkeys(kind for item in stated for kind in item.kinds))
            found.append(warn("demographic_text", (persona.id,), name=persona.name, kinds=kinds,
                              items=[item.item for item in stated[: demographics.ITEMS_REPORTED]],
                              more=max(0, len(stated) - demographics.ITEMS_REPORTED)))
    for persona in active:
        due = _aware(persona.created_at) + timedelta(days=persona.cadence_days)
        if persona.kind == PersonaKind.PROTO and now >= due and not evidence.get(persona.id, 0):
            found.append(warn("stale_unvalidated", (persona.id,), name=persona.name,
                              days=(now - _aware(persona.created_at)).days))
    return found


def _aware(value: datetime) -> datetime:
    """SQLite hands datetimes back without their zone; every stored one is UTC."""
    return value if value.tzinfo is not None else value.replace(tzinfo=UTC)


def overlapping_fields(first: Persona, second: Persona) -> list[str]:
    """The compared fields that say nearly the same thing; empty unless the pair is too alike.

    Too alike: most of the fields both filled in overlap (at least two), so a journey map
    would look the same for both.
    """
    both = [key for key in COMPARED if getattr(first, key) and getattr(second, key)]
    same = [key for key in both if _similarity(getattr(first, key), getattr(second, key)) >= FIELD_OVERLAP]
    if len(same) >= 2 and len(same) * 2 > len(both):
        return same
    return []


def _similarity(a: object, b: object) -> float:
    words_a, words_b = _words(a), _words(b)
    if not words_a or not words_b:
        return 0.0
    return len(words_a & words_b) / len(words_a | words_b)


def _words(value: object) -> set[str]:
    text = " ".join(value) if isinstance(value, list) else str(value)
    return {w for w in _WORD.findall(text.lower()) if w not in _STOP}
