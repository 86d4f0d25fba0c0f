"""Spotting demographic text in a persona's behavioral fields (pure).

The method's common mistake is a demographic-only persona: age, income, gender and location
describe who someone is, and rarely predict what they will do (Gothelf's proto-persona asks
for behavioral facts, "not demographics for their own sake"). A persona can have every field
filled and still be demographic-only when its behaviors read "35 years old, lives in Berlin".
So the check reads the text of the behavioral fields, item by item, for those four kinds.

English patterns, deliberately narrow: a warning nobody believes is worse than none. An item
matches a kind when a pattern of that kind occurs in it as words (never inside a longer word).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from storage.models import Persona

CHECKED = ("goals", "behaviors", "beliefs", "needs", "frustrations")
ITEMS_REPORTED = 3

_PATTERNS: dict[str, tuple[str, ...]] = {
    "age": (
        r"\d{1,2}\s*(?:-|to)?\s*\d{0,2}\s*(?:years?|yrs?)(?:\s+old)?",
        r"\d{1,2}\s*y/?o",
        r"aged?\s+\d{1,2}",
        r"(?:early|mid|late)?[\s-]*(?:twenties|thirties|forties|fifties|sixties|seventies)",
        r"in\s+(?:their|his|her)\s+\d0s",
        r"millennials?|gen\s*z|gen\s*x|boomers?|teenagers?",
    ),
    "income": (
        r"income|salary|salaries|earns?|earning|wealthy|affluent|low-income|high-income|middle[\s-]class",
        r"[$€£]\s?\d[\d,.]*\s?[kKmM]?",
        r"\d[\d,.]*\s?[kK]\s*(?:a|per|/)\s*(?:year|yr|month)",
    ),
    "gender": (
        r"male|female|man|woman|men|women|gender|non-binary|nonbinary",
    ),
    "location": (
        r"lives?\s+in|living\s+in|based\s+in|located\s+in|resident\s+of|moved\s+to",
        r"urban|suburban|rural|city[\s-]dweller",
    ),
}
_COMPILED = {kind: re.compile(r"(?<!\w)(?:" + "|".join(patterns) + r")(?!\w)", re.IGNORECASE)
             for kind, patterns in _PATTERNS.items()}


@dataclass(frozen=True)
class DemographicText:
    field: str
    item: str
    kinds: tuple[str, ...]


def kinds_in(text: str) -> tuple[str, ...]:
    """The demographic kinds (age, income, gender, location) the text speaks of."""
    return tuple(kind for kind, pattern in _COMPILED.items() if pattern.search(text))


def demographic_items(persona: Persona) -> list[DemographicText]:
    """Items of the behavioral fields that state demographics, in field order."""
    found = []
    for key in CHECKED:
        for item in getattr(persona, key) or []:
            kinds = kinds_in(str(item))
            if kinds:
                found.append(DemographicText(key, str(item), kinds))
    return found
