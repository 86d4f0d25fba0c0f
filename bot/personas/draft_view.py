"""Pure builder of the draft proto-persona a session's team sees in the session's thread.

A proto-persona is a team exercise: the draft made from the map is shown where the team worked,
so anyone can reply in the thread with a change before the owner, who answers the questions in
a DM, saves it. Domain values in, Block Kit out, no I/O.
"""

from __future__ import annotations

from typing import Any

from bot import blocks
from bot.personas import fields
from prompts import Prompts

TEMPLATE = "personas/draft"
CARD = "personas/card"
SECTION_BUDGET = 1000


def build_draft(prompts: Prompts, *, values: dict[str, Any], subject: str, owner_id: str) -> dict:
    """chat.postMessage arguments: the draft's fields (in their declared order) and how to weigh in."""
    def t(macro: str, **kw: object) -> str:
        return prompts.part(TEMPLATE, macro, **kw)

    items: list[Any] = [blocks.section(t("intro", subject=subject, owner=owner_id))]
    for spec in fields.FIELDS:
        value = values.get(spec.key)
        if spec.key in ("owner_id", "cadence_days", "confidence", "kind") or not value:
            continue
        items.append(blocks.section(blocks.clip(prompts.part(CARD, "section", key=spec.key, value=value),
                                                SECTION_BUDGET)))
    missing = [prompts.part(CARD, "title", key=key) for key in ("opportunities",) if not values.get(key)]
    items.append(blocks.context(t("how_to_help", owner=owner_id, missing=missing)))
    return {"text": t("fallback", subject=subject), "blocks": blocks.message_blocks(items)}
