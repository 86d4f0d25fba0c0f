"""The fields of a persona's layer on one journey stage, declared once.

The fill modal, the card, the exports, the image and the conversational questions all walk
this tuple, so a field added here appears everywhere (its words live in
`prompts/journeys/fields.j2`, keyed by `key`). Pure data: storage knows nothing of Slack.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class FieldKind(StrEnum):
    ITEMS = "items"  # a list of short texts, one per line
    EMOTION = "emotion"  # -2..+2 with a word (stored in `emotion` and `emotion_word`)


@dataclass(frozen=True)
class LayerField:
    key: str
    kind: FieldKind


LAYER_FIELDS: tuple[LayerField, ...] = (
    LayerField("goals", FieldKind.ITEMS),
    LayerField("actions", FieldKind.ITEMS),
    LayerField("touchpoints", FieldKind.ITEMS),
    LayerField("channels", FieldKind.ITEMS),
    LayerField("questions", FieldKind.ITEMS),
    LayerField("thoughts", FieldKind.ITEMS),
    LayerField("emotion", FieldKind.EMOTION),
    LayerField("pains", FieldKind.ITEMS),
    LayerField("opportunities", FieldKind.ITEMS),
)
ITEM_KEYS: tuple[str, ...] = tuple(f.key for f in LAYER_FIELDS if f.kind == FieldKind.ITEMS)
EMOTION_MIN, EMOTION_MAX = -2, 2
