"""Comparing personas on one map, and the method's warnings (never blocking).

Pure functions on a `JourneyMap`. Two layers on a stage are compared by their words (every item
field, as sets of lower-cased words: Jaccard similarity) and their emotion (distance on the
-2..+2 scale). A stage *diverges* when its layers' emotions or pains differ a lot, or when it is part of one
layer's journey and marked "not part of this journey" by another (the stages themselves differ:
the strongest sign that the method's "use separate maps" applies); a map *looks the same* when,
on the stages two or more layers filled, their layers are nearly identical. A stage nobody has
filled is a research gap; more than `READABLE_STAGES` stages is hard to read on one map.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from itertools import combinations

from storage.journey_fields import ITEM_KEYS
from storage.journey_layers import JourneyMap, is_empty
from storage.journey_models import PersonaStage

SAME_ABOVE = 0.75  # mean similarity of filled stages above which the map "looks the same"
DIVERGES_ABOVE = 0.6  # a stage whose divergence is above this diverges strongly
MAX_PERSONAS = 5
READABLE_STAGES = 8  # practitioners keep a map to about 5-8 stages
_WORD = re.compile(r"\w+", re.UNICODE)


@dataclass(frozen=True)
class StageDifference:
    stage_id: int
    name: str
    score: float  # 0 (alike) .. 1 (nothing in common, emotions at both ends)
    emotions: tuple[int, int] | None  # (lowest, highest) when two or more layers gave one


@dataclass(frozen=True)
class MethodWarning:
    key: str  # a macro of journeys/warnings.j2
    stages: tuple[str, ...] = ()
    count: int = 0


def _words(cell: PersonaStage, keys: tuple[str, ...] = ITEM_KEYS) -> frozenset[str]:
    """The cell's words (cached on the cell for the comparison's duration: a 12 x 5 map with full
    fields compares each cell with four others, and splitting its text is most of the cost)."""
    content = (keys, *(tuple(getattr(cell, k)) for k in keys))  # an edited cell is split again
    cache = cell.__dict__.setdefault("_compare_words", {})
    if content not in cache:
        cache.clear() if len(cache) > 4 else None
        cache[content] = frozenset(w.casefold() for k in keys for item in getattr(cell, k)
                                   for w in _WORD.findall(item))
    return cache[content]


def _jaccard(a: frozenset[str], b: frozenset[str]) -> float | None:
    return len(a & b) / len(a | b) if a or b else None


def _pair_similarity(a: PersonaStage, b: PersonaStage) -> float:
    parts = [s for s in (_jaccard(_words(a), _words(b)),) if s is not None]
    if a.emotion is not None and b.emotion is not None:
        parts.append(1 - abs(a.emotion - b.emotion) / 4)
    return sum(parts) / len(parts) if parts else 1.0


def _filled(journey_map: JourneyMap, stage_id: int) -> list[PersonaStage]:
    """The layers' cells on the stage that say something (a stage marked not part says nothing)."""
    cells = [journey_map.cell(layer.id, stage_id) for layer in journey_map.layers]
    return [c for c in cells if c is not None and not c.not_part and not is_empty(c)]


def _left_out(journey_map: JourneyMap, stage_id: int) -> int:
    """How many layers marked the stage "not part of this persona's journey"."""
    return sum(1 for x in journey_map.layers if (c := journey_map.cell(x.id, stage_id)) is not None and c.not_part)


def research_gaps(journey_map: JourneyMap) -> set[int]:
    """Stages (ids) no layer has filled, and not every layer left out: nothing is known there yet."""
    if not journey_map.layers:
        return set()
    return {s.id for s in journey_map.stages if not _filled(journey_map, s.id)
            and _left_out(journey_map, s.id) < len(journey_map.layers)}


def differences(journey_map: JourneyMap) -> list[StageDifference]:
    """Stages where two or more layers have content, the most different first."""
    found = []
    for stage in journey_map.stages:
        cells, left_out = _filled(journey_map, stage.id), _left_out(journey_map, stage.id)
        if cells and left_out:  # part of some layers' journeys only: as different as a stage can be
            found.append(StageDifference(stage.id, stage.name, 1.0, None))
            continue
        if len(cells) < 2:
            continue
        emotions = [c.emotion for c in cells if c.emotion is not None]
        spread = (max(emotions) - min(emotions)) / 4 if len(emotions) > 1 else None
        pains = [1 - s for a, b in combinations(cells, 2)
                 if (s := _jaccard(_words(a, ("pains",)), _words(b, ("pains",)))) is not None]
        parts = [p for p in (spread, sum(pains) / len(pains) if pains else None) if p is not None]
        if not parts:
            continue
        found.append(StageDifference(stage.id, stage.name, round(sum(parts) / len(parts), 3),
                                     (min(emotions), max(emotions)) if len(emotions) > 1 else None))
    return sorted(found, key=lambda d: (-d.score, [s.id for s in journey_map.stages].index(d.stage_id)))


def looks_the_same(journey_map: JourneyMap) -> bool:
    """Two or more layers, and where they overlap (at least two stages) they are nearly identical."""
    scores = []
    for stage in journey_map.stages:
        cells = _filled(journey_map, stage.id)
        pairs = [_pair_similarity(a, b) for a, b in combinations(cells, 2)]
        if pairs:
            scores.append(sum(pairs) / len(pairs))
    return len(scores) >= 2 and sum(scores) / len(scores) >= SAME_ABOVE


def warnings(journey_map: JourneyMap) -> list[MethodWarning]:
    """What the method would point out about this map, most important first."""
    found: list[MethodWarning] = []
    layers = journey_map.layers
    many = [MethodWarning("many_stages", count=len(journey_map.stages))] \
        if len(journey_map.stages) > READABLE_STAGES else []
    if not layers:
        return [MethodWarning("no_persona"), *many]
    if len(layers) > MAX_PERSONAS:
        found.append(MethodWarning("too_many_personas", count=len(layers)))
    if looks_the_same(journey_map):
        found.append(MethodWarning("looks_the_same"))
    diverging = [d.name for d in differences(journey_map) if d.score > DIVERGES_ABOVE]
    compared = len([s for s in journey_map.stages
                    if len(_filled(journey_map, s.id)) + _left_out(journey_map, s.id) >= 2])
    if diverging and len(diverging) >= max(2, (compared + 1) // 2):
        found.append(MethodWarning("separate_maps", stages=tuple(diverging)))
    found += many
    gaps = research_gaps(journey_map)
    empty = [s.name for s in journey_map.stages if s.id in gaps]
    if empty and len(empty) < len(journey_map.stages):
        found.append(MethodWarning("empty_stages", stages=tuple(empty)))
    elif empty:
        found.append(MethodWarning("all_empty"))
    return found
