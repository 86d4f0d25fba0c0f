"""How far research backs a journey and each of its layers, from the evidence about each.

Like a persona, a map is a hypothesis until evidence supports it; evidence that challenges it
keeps it challenged until later evidence supports it again (someone checked and it holds). The
card and the owner's review nudge say the same because both read it from here.
Pure: evidence rows in, oldest first.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum

from storage.journey_layers import JourneyMap, Layer
from storage.journey_models import JourneyEvidence
from storage.states import EvidenceStance


class Standing(StrEnum):
    HYPOTHESIS = "hypothesis"  # no evidence yet
    BACKED = "backed"  # supported, and no challenge is left unanswered
    CHALLENGED = "challenged"  # the latest challenge has no supporting evidence after it


@dataclass(frozen=True)
class Confidence:
    supports: int = 0
    challenges: int = 0
    challenge: JourneyEvidence | None = None  # the latest challenge, while no later support answers it

    @property
    def standing(self) -> Standing:
        if self.challenge is not None:
            return Standing.CHALLENGED
        return Standing.BACKED if self.supports else Standing.HYPOTHESIS


def weigh(evidence: Iterable[JourneyEvidence]) -> Confidence:
    """The evidence about one journey or layer, oldest first (as `load_map` reads it)."""
    supports, challenges, challenge = 0, 0, None
    for item in evidence:
        if item.stance == EvidenceStance.CHALLENGES:
            challenges, challenge = challenges + 1, item
        else:
            supports, challenge = supports + 1, None
    return Confidence(supports, challenges, challenge)


def of_journey(journey_map: JourneyMap) -> Confidence:
    """The evidence about the journey as a whole (not about one layer)."""
    return weigh(e for e in journey_map.evidence if e.layer_id is None)


def of_layers(journey_map: JourneyMap) -> list[tuple[Layer, Confidence]]:
    return [(layer, weigh(e for e in journey_map.evidence if e.layer_id == layer.id))
            for layer in journey_map.layers]
