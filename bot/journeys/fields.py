"""Reading and showing a layer's fields, from the one declaration in `storage.journey_fields`.

Text is stored as typed (escaped only when shown). Parsers raise `Invalid` naming the sentence
of `journeys/fields.j2` that says what to change; the modal and the conversation share them.
"""

from __future__ import annotations

import re
from typing import Any

from bot.conversation_flow import Invalid
from prompts import Prompts
from storage.journey_fields import EMOTION_MAX, EMOTION_MIN, LAYER_FIELDS, FieldKind
from storage.journey_models import PersonaStage

TEMPLATE = "journeys/fields"
ITEM_MAX = 300
ITEMS_MAX = 10
WORD_MAX = 40
NAME_MAX = 80
STAGE_NAME_MAX = 60
STAGES_MAX = 15
GOAL_MAX = 500
SCOPE_MAX = 300
BACKSTAGE_MAX = 1500
EMOTION_FACES = {-2: ":disappointed:", -1: ":confused:", 0: ":neutral_face:", 1: ":slightly_smiling_face:",
                 2: ":star-struck:"}
BULLET = re.compile(r"^\s*(?:[-*•·–]|\d{1,2}[.)])\s+")


def label(prompts: Prompts, key: str) -> str:
    return prompts.part(TEMPLATE, "label", key=key)


def question(prompts: Prompts, key: str) -> str:
    """The conversational question for a field (the conversation engine asks these in order)."""
    return prompts.part(TEMPLATE, "question", key=key)


def parse_items(text: str) -> list[str]:
    items = [BULLET.sub("", line).strip() for line in text.splitlines()]
    items = [item for item in items if item]
    if len(items) > ITEMS_MAX:
        raise Invalid("error_too_many_items", limit=ITEMS_MAX, count=len(items))
    if any(len(item) > ITEM_MAX for item in items):
        raise Invalid("error_item_too_long", limit=ITEM_MAX)
    return items


def parse_emotion(text: str) -> tuple[int | None, str]:
    """`-1 anxious`, `+2`, `2 confident`; empty: not filled. Returns (score, word)."""
    value = " ".join(text.split())
    if not value:
        return None, ""
    match = re.fullmatch(r"([+-]?\d)\s*(.*)", value)
    if match is None or not EMOTION_MIN <= int(match.group(1)) <= EMOTION_MAX:
        raise Invalid("error_emotion", low=EMOTION_MIN, high=EMOTION_MAX)
    word = match.group(2).strip(" ,-:")
    if len(word) > WORD_MAX:
        raise Invalid("error_item_too_long", limit=WORD_MAX)
    return int(match.group(1)), word


def parse_answers(texts: dict[str, str]) -> dict[str, Any]:
    """Field key -> typed text, to the values `save_cell` stores (every declared field given)."""
    values: dict[str, Any] = {}
    for field in LAYER_FIELDS:
        text = texts.get(field.key, "")
        if field.kind == FieldKind.EMOTION:
            values["emotion"], values["emotion_word"] = parse_emotion(text)
        else:
            values[field.key] = parse_items(text)
    return values


def as_text(cell: PersonaStage | None, key: str) -> str:
    """What a field's input shows before editing (the stored value, typed back)."""
    if cell is None:
        return ""
    if key == "emotion":
        if cell.emotion is None:
            return ""
        return f"{cell.emotion:+d} {cell.emotion_word}".strip()
    return "\n".join(getattr(cell, key))


def emotion_text(cell: PersonaStage | None) -> str:
    """`:confused: -1 anxious`; empty when not filled."""
    if cell is None or cell.emotion is None:
        return ""
    return f"{EMOTION_FACES[cell.emotion]} {cell.emotion:+d} {cell.emotion_word}".strip()
