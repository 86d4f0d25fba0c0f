"""The persona's fields, declared once: what each one is, how it is asked, typed, checked and shown.

The conversation's questions, the form's inputs, the card's sections, the export and the
revision diff all walk `FIELDS`; adding a field is one `Field` here, its column (model and
migration) and its sentences in the templates (`question_<key>` in `personas/flow.j2`, its
title in `personas/card.j2`).

Each parser takes the person's text and returns the value to store, or raises `Invalid` naming
the sentence (a macro of `personas/flow.j2`) that explains what to change. Text is stored as
typed; escaping for Slack happens when it is shown, so `<!channel>` is kept but never pings.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from bot.conversation_flow import Invalid
from storage.states import PersonaKind

NAME_MAX = 80
ROLE_MAX = 150
AREA_MAX = 80
TEXT_MAX = 2000
QUOTE_MAX = 500
ITEM_MAX = 300
ITEMS_MAX = 15
FORM_MAX = 3000  # what a form input takes; the parser says what is too long, inline
CADENCE_MIN, CADENCE_MAX = 7, 730
CONFIDENCE = ("low", "medium", "high")
KINDS = tuple(PersonaKind)


class FieldType(StrEnum):
    NAME = "name"  # one line, spaces collapsed
    TEXT = "text"
    LIST = "list"  # one item per line
    CHOICE = "choice"  # one of `choices` (a select in the form)
    USER = "user"  # a person (a user select in the form, `me` or a mention in the conversation)
    DAYS = "days"  # a review cadence


@dataclass(frozen=True)
class Field:
    key: str
    type: FieldType
    limit: int = 0
    required: bool = False
    multiline: bool = False
    asked: bool = True  # a question of the conversation (and an input of the new-persona form)
    section: bool = False  # a section of the card
    core: bool = False  # once filled, a core assumption that evidence must support (`bot.personas.assumptions`)
    choices: tuple[str, ...] = ()
    words: dict[str, str] = field(default_factory=dict)  # what people type for a choice
    default: Any = None  # kept when the question is skipped

    @property
    def form_max(self) -> int:
        return self.limit if self.type in (FieldType.NAME, FieldType.TEXT) and self.limit < TEXT_MAX else FORM_MAX

    @property
    def on_skip(self) -> Any:
        if self.type is FieldType.LIST:
            return []
        return "" if self.default is None else self.default


_CONFIDENCE_WORDS = {"low": "low", "l": "low", "1": "low", "medium": "medium", "med": "medium", "m": "medium",
                     "2": "medium", "mid": "medium", "high": "high", "h": "high", "3": "high"}

FIELDS: tuple[Field, ...] = (
    Field("name", FieldType.NAME, limit=NAME_MAX, required=True),
    Field("role", FieldType.TEXT, limit=ROLE_MAX, required=True, core=True),
    Field("area", FieldType.TEXT, limit=AREA_MAX),
    Field("context", FieldType.TEXT, limit=TEXT_MAX, multiline=True, section=True),
    Field("goals", FieldType.LIST, multiline=True, section=True, core=True),
    Field("behaviors", FieldType.LIST, multiline=True, section=True, core=True),
    Field("beliefs", FieldType.LIST, multiline=True, section=True),
    Field("needs", FieldType.LIST, multiline=True, section=True, core=True),
    Field("frustrations", FieldType.LIST, multiline=True, section=True, core=True),
    Field("opportunities", FieldType.LIST, multiline=True, section=True),
    Field("quote", FieldType.TEXT, limit=QUOTE_MAX, multiline=True, section=True),
    Field("unsure", FieldType.TEXT, limit=TEXT_MAX, multiline=True, section=True),
    Field("confidence", FieldType.CHOICE, choices=CONFIDENCE, words=_CONFIDENCE_WORDS, default="low"),
    Field("kind", FieldType.CHOICE, choices=KINDS, asked=False, default=PersonaKind.PROTO.value),
    Field("owner_id", FieldType.USER, required=True),
    Field("cadence_days", FieldType.DAYS, required=True),
)
BY_KEY = {f.key: f for f in FIELDS}
ASKED = tuple(f for f in FIELDS if f.asked)
SECTIONS = tuple(f.key for f in FIELDS if f.section)
LIST_FIELDS = tuple(f.key for f in FIELDS if f.type is FieldType.LIST)
CORE = tuple(f.key for f in FIELDS if f.core)

_BULLET = re.compile(r"^\s*(?:[-*•·–]|\d{1,2}[.)])\s+")
_MENTION = re.compile(r"^<@([UW][A-Z0-9]{2,})(?:\|[^>]*)?>$")
_USER_ID = re.compile(r"^[UW][A-Z0-9]{2,}$")
_CADENCE_WORDS = {"monthly": 30, "quarterly": 90, "half-yearly": 182, "yearly": 365, "annually": 365}


def parse_text(text: str, *, limit: int, required: bool = False) -> str:
    value = text.strip()
    if required and not value:
        raise Invalid("error_required")
    if len(value) > limit:
        raise Invalid("error_too_long", limit=limit, length=len(value))
    return value


def parse_name(text: str) -> str:
    return parse_text(" ".join(text.split()), limit=NAME_MAX, required=True)


def parse_items(text: str) -> list[str]:
    """One item per line; bullets and numbering people paste are dropped, empty lines ignored."""
    items = [_BULLET.sub("", line).strip() for line in text.splitlines()]
    items = [item for item in items if item]
    if len(items) > ITEMS_MAX:
        raise Invalid("error_too_many_items", limit=ITEMS_MAX, count=len(items))
    longest = max((len(item) for item in items), default=0)
    if longest > ITEM_MAX:
        raise Invalid("error_item_too_long", limit=ITEM_MAX, length=longest)
    return items


def parse_choice(spec: Field, text: str) -> str:
    word = text.strip().lower().rstrip(".")
    value = spec.words.get(word) or (word if word in spec.choices else None)
    if value is None:
        raise Invalid(f"error_{spec.key}")
    return value


def parse_confidence(text: str) -> str:
    return parse_choice(BY_KEY["confidence"], text)


def parse_owner(text: str, *, me: str) -> str:
    value = text.strip()
    if value.lower() in ("me", "myself", "i"):
        return me
    match = _MENTION.match(value)
    if match:
        return match.group(1)
    if _USER_ID.match(value):
        return value
    raise Invalid("error_owner")


def parse_cadence(text: str) -> int:
    value = text.strip().lower()
    if value in _CADENCE_WORDS:
        return _CADENCE_WORDS[value]
    match = re.fullmatch(r"(\d{1,4})\s*(d|days?)?", value)
    days = int(match.group(1)) if match else None
    if days is None or not CADENCE_MIN <= days <= CADENCE_MAX:
        raise Invalid("error_cadence", low=CADENCE_MIN, high=CADENCE_MAX)
    return days


def parse_field(key: str, text: str, *, me: str) -> Any:
    """Any field by name, by its declared type (the conversation and the form both read through this)."""
    spec = BY_KEY[key]
    if spec.type is FieldType.NAME:
        return parse_name(text)
    if spec.type is FieldType.TEXT:
        return parse_text(text, limit=spec.limit, required=spec.required)
    if spec.type is FieldType.LIST:
        return parse_items(text)
    if spec.type is FieldType.CHOICE:
        return parse_choice(spec, text)
    if spec.type is FieldType.USER:
        return parse_owner(text, me=me)
    return parse_cadence(text)
