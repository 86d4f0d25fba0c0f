"""From an empathy map to a proto-persona draft: where every section of the map goes.

One table, keyed by the session's section (quadrant) key, says which persona field a section's
top-voted notes fill. A section the empathy map gains later (sees, hears, or one not yet
thought of) maps by adding one row here, not code; a section with no row still goes somewhere
(`UNMAPPED`: what we are unsure of), so no note the team voted for is dropped on the way.

Why this mapping (Dave Gray's updated canvas onto Gothelf's Lean UX proto-persona):
- goal -> goals (with the session's stated goal first): what they need to get done;
- sees, hears -> context: the environment and the people around them;
- says -> quote (the top-voted one), does -> behaviors (behavioral facts predict behavior);
- thinks, feels -> beliefs and feelings (the inside of the head, kept apart from behavior);
- pains -> frustrations; gains -> needs (wants, needs, hopes; not goals as well, which would
  count the same notes twice and make two personas from one session look alike).
Possible solutions (the proto-persona's fourth quadrant) are the team's ideas, not notes about
the person: the draft leaves them for the team to add in the thread.
"""

from __future__ import annotations

from typing import Any

from bot.personas import fields
from bot.personas.fields import FieldType

SECTION_FIELDS: dict[str, str] = {
    "goal": "goals",
    "sees": "context",
    "hears": "context",
    "says": "quote",
    "does": "behaviors",
    "thinks": "beliefs",
    "feels": "beliefs",
    "pains": "frustrations",
    "gains": "needs",
}
UNMAPPED = "unsure"
TAKEN_FROM_TEXT = {"quote": 1}  # a quote is one voice: the top-voted note


def field_for(section: str) -> str:
    return SECTION_FIELDS.get(section, UNMAPPED)


def prefill_from_session(found: dict[str, list[str]], *, subject: str, goal: str,
                         section_names: dict[str, str] | None = None) -> dict[str, Any]:
    """The draft's first answers from a session's top-voted notes per section (most-voted first).

    `section_names` (section key -> its name as people read it) labels the lines that share a
    text field (context: "Sees: ..." and "Hears: ..."); without it the key is used.
    """
    names = section_names or {}
    lists: dict[str, list[str]] = {}
    texts: dict[str, list[str]] = {}
    if goal.strip():
        lists.setdefault("goals", []).append(goal.strip())
    for section, notes in found.items():
        notes = [n.strip() for n in notes if n and n.strip()]
        if not notes:
            continue
        key = field_for(section)
        spec = fields.BY_KEY[key]
        if spec.type is FieldType.LIST:
            lists.setdefault(key, []).extend(notes)
        elif key in TAKEN_FROM_TEXT:
            texts.setdefault(key, []).extend(notes[: TAKEN_FROM_TEXT[key]])
        else:
            texts.setdefault(key, []).append(f"{names.get(section, section)}: {'; '.join(notes)}")
    values: dict[str, Any] = {"role": subject.strip()[: fields.ROLE_MAX]}
    for key, items in lists.items():
        unique = list(dict.fromkeys(item[: fields.ITEM_MAX] for item in items))
        values[key] = unique[: fields.ITEMS_MAX]
    for key, parts in texts.items():
        values[key] = "\n".join(parts[: TAKEN_FROM_TEXT.get(key, len(parts))])[: fields.BY_KEY[key].limit]
    return {key: value for key, value in values.items() if value}
