"""Pure builders: personas in, Block Kit out (the card and the list). No I/O.

The card must fit one message (50 blocks, about 12k characters) whatever people typed, so each
section is clipped to `SECTION_BUDGET` characters; the full text lives in the export.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from slack_sdk.models.blocks import ConfirmObject, PlainTextObject

from bot import blocks
from bot.personas import ids
from bot.personas.quality import QualityWarning
from prompts import Prompts
from storage.models import Persona

CARD = "personas/card"
LIST = "personas/list"
SECTION_BUDGET = 1000
LIST_LIMIT = 40
SECTIONS = ("context", "goals", "behaviors", "needs", "frustrations", "quote", "unsure")


def build_card(
    prompts: Prompts,
    *,
    persona: Persona,
    evidence_count: int,
    warnings: Sequence[QualityWarning],
    now: datetime,
    journeys: Sequence[str] = (),
    intro: str | None = None,
    shareable: bool = False,
) -> list[dict]:
    """The persona card; `shareable` adds a "Share in channel" button (on ephemeral previews)."""
    def t(macro: str, **kw: object) -> str:
        return prompts.part(CARD, macro, **kw)

    items: list[Any] = []
    if intro:
        items.append(blocks.section(intro))
    items += [
        blocks.header(t("heading", name=persona.name)),
        blocks.section(t("summary", persona=persona)),
        blocks.context(t("facts", persona=persona, evidence=evidence_count,
                         last_reviewed=persona.last_reviewed_at, next_review=persona.next_review_at)),
        blocks.divider(),
    ]
    for key in SECTIONS:
        value = getattr(persona, key)
        if value:
            text = t("section", key=key, value=value)
            items.append(blocks.section(blocks.clip(text, SECTION_BUDGET)))
    items.append(blocks.context(t("journeys", journeys=list(journeys))))
    for warning in list(warnings)[:5]:
        items.append(blocks.context(warning.text))
    if persona.status == "active":
        items.append(blocks.actions(*_buttons(prompts, persona, shareable), block_id=f"persona_card:{persona.id}"))
    else:
        items.append(blocks.context(t("retired")))
    return blocks.message_blocks(items)


def _buttons(prompts: Prompts, persona: Persona, shareable: bool) -> list[Any]:
    def t(macro: str, **kw: object) -> str:
        return prompts.part(CARD, macro, **kw)

    value = str(persona.id)
    retire = blocks.button(t("retire"), ids.RETIRE, value=value, style="danger")
    retire.confirm = ConfirmObject(title=PlainTextObject(text=t("retire_confirm_title")),
                                   text=t("retire_confirm_text", name=persona.name),
                                   confirm=t("retire"), deny=t("keep"), style="danger")
    buttons = [
        blocks.button(t("edit"), ids.EDIT, value=value, style="primary"),
        blocks.button(t("add_evidence"), ids.ADD_EVIDENCE, value=value),
        blocks.button(t("history"), ids.HISTORY, value=value),
        blocks.button(t("suggest"), ids.SUGGEST, value=value),
        retire,
    ]
    if shareable:
        buttons.insert(0, blocks.button(t("share"), ids.SHARE, value=value))
    return buttons


def card_text(prompts: Prompts, persona: Persona) -> str:
    """The notification fallback of a card message."""
    return prompts.part(CARD, "fallback", persona=persona)


def build_list(prompts: Prompts, *, personas: Sequence[Persona], warning_counts: dict[int, int],
               workspace_warnings: Sequence[QualityWarning]) -> list[dict]:
    def t(macro: str, **kw: object) -> str:
        return prompts.part(LIST, macro, **kw)

    items: list[Any] = [blocks.section(t("heading", count=len(personas)))]
    for persona in list(personas)[:LIST_LIMIT]:
        items.append(blocks.section(
            t("line", persona=persona, warnings=warning_counts.get(persona.id, 0)),
            accessory=blocks.button(t("show"), ids.SHOW, value=str(persona.id)),
        ))
    if len(personas) > LIST_LIMIT:
        items.append(blocks.context(t("more", count=len(personas) - LIST_LIMIT)))
    for warning in [w for w in workspace_warnings if w.kind == "too_many"]:
        items.append(blocks.context(warning.text))
    items.append(blocks.context(t("footer")))
    return blocks.message_blocks(items)


def list_text(prompts: Prompts, *, count: int) -> str:
    return prompts.part(LIST, "heading", count=count)
