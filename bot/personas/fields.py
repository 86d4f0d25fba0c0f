"""What a valid persona field is: the one set of rules the conversation and the modal share.

Each parser takes the person's text and returns the value to store, or raises `Invalid` naming
the sentence (a macro of `personas/flow.j2`) that explains what to change. Text is stored as
typed; escaping for Slack happens when it is shown, so `<!channel>` is kept but never pings.
"""

from __future__ import annotations

import re
from typing import Any

from bot.conversation import Invalid

NAME_MAX = 80
ROLE_MAX = 150
TEXT_MAX = 2000
QUOTE_MAX = 500
ITEM_MAX = 300
ITEMS_MAX = 15
CADENCE_MIN, CADENCE_MAX = 7, 730
CONFIDENCE = ("low", "medium", "high")
KINDS = ("proto", "validated")
LIST_FIELDS = ("goals", "behaviors", "needs", "frustrations")
TEXT_FIELDS = ("name", "role", "context", "quote", "unsure")

_BULLET = re.compile(r"^\s*(?:[-*•·–]|\d{1,2}[.)])\s+")
_MENTION = re.compile(r"^<@([UW][A-Z0-9]{2,})(?:\|[^>]*)?>$")
_USER_ID = re.compile(r"^[UW][A-Z0-9]{2,}$")
_CONFIDENCE_WORDS = {"low": "low", "l": "low", "1": "low", "medium": "medium", "med": "medium", "m": "medium",
                     "2": "medium", "mid": "medium", "high": "high", "h": "high", "3": "high"}
_CADENCE_WORDS = {"monthly": 30, "quarterly": 90, "half-yearly": 182, "yearly": 365, "annually": 365}


def parse_text(text: str, *, limit: int, required: bool = False) -> str:
    value = text.strip()
    if required and not value:
        raise Invalid("error_required")
    if len(value) > limit:
        raise Invalid("error_too_long", limit=limit, length=len(value))
    return value


def parse_name(text: str) -> str:
    value = parse_text(" ".join(text.split()), limit=NAME_MAX, required=True)
    return value


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


def parse_confidence(text: str) -> str:
    value = _CONFIDENCE_WORDS.get(text.strip().lower().rstrip("."))
    if value is None:
        raise Invalid("error_confidence")
    return value


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
    """Any field by name (the modal reads every input through this)."""
    if key == "name":
        return parse_name(text)
    if key == "role":
        return parse_text(text, limit=ROLE_MAX, required=True)
    if key in ("context", "unsure"):
        return parse_text(text, limit=TEXT_MAX)
    if key == "quote":
        return parse_text(text, limit=QUOTE_MAX)
    if key in LIST_FIELDS:
        return parse_items(text)
    if key == "confidence":
        return parse_confidence(text)
    if key == "owner_id":
        return parse_owner(text, me=me)
    if key == "cadence_days":
        return parse_cadence(text)
    raise KeyError(key)
