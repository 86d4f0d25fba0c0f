"""A persona's core assumptions and what the evidence says about each (pure).

What a core assumption is, concretely: each *filled* core field of the persona
(`fields.CORE`: role, goals, behaviors, needs, frustrations; Gothelf's first three proto-persona
quadrants: who they are, what they do, what they need and what hurts). Context, beliefs and the
quote colour the sketch; possible solutions are our ideas, tested by experiments rather than by
evidence about the person. An empty field claims nothing, so it is no assumption (yet).

Each piece of evidence supports or challenges one assumption (or the persona as a whole, which
tests no single assumption). An assumption is
- supported: more supporting than challenging evidence;
- challenged: at least as much challenging as supporting evidence (and some);
- open: no evidence about it yet.
A persona may be called validated only when it has core assumptions and every one of them is
supported; until then the card lists the ones still open (or challenged).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum

from bot.personas import fields
from storage.models import Persona
from storage.states import EvidenceStance


class Standing(StrEnum):
    OPEN = "open"
    SUPPORTED = "supported"
    CHALLENGED = "challenged"


@dataclass(frozen=True)
class Assumption:
    key: str  # the persona field it is
    supports: int
    challenges: int

    @property
    def standing(self) -> Standing:
        if self.supports > self.challenges:
            return Standing.SUPPORTED
        if self.challenges:
            return Standing.CHALLENGED
        return Standing.OPEN


def core_assumptions(persona: Persona, stances: Iterable[tuple[str, EvidenceStance]]) -> list[Assumption]:
    """One per filled core field, in the declared order, with the evidence about it counted."""
    counts: dict[str, list[int]] = {}
    for key, stance in stances:
        pair = counts.setdefault(key, [0, 0])
        pair[0 if stance == EvidenceStance.SUPPORTS else 1] += 1
    return [Assumption(key, *counts.get(key, [0, 0])) for key in fields.CORE if getattr(persona, key, None)]


def unsettled(assumptions: Iterable[Assumption]) -> list[Assumption]:
    """The assumptions not yet supported: open or challenged."""
    return [a for a in assumptions if a.standing is not Standing.SUPPORTED]


def may_be_validated(assumptions: list[Assumption]) -> bool:
    return bool(assumptions) and not unsettled(assumptions)


def testable(persona: Persona) -> list[str]:
    """The field keys evidence can be said to test (the filled core fields)."""
    return [key for key in fields.CORE if getattr(persona, key, None)]
