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
from bot.journeys import ids as journey_ids
from bot.personas import fields, ids
from bot.personas.assumptions import Assumption, Standing
from bot.personas.quality import QualityWarning
from prompts import Prompts
from storage.models import Persona
from storage.states import PersonaStatus

CARD = "personas/card"
LIST = "personas/list"
SECTION_BUDGET = 1000
MIN_SECTION_BUDGET = 100
LIST_LIMIT = 20  # what fits one message (50 blocks, ~12k characters) with room for warnings
WARNINGS_SHOWN = 8
SECTIONS = fields.SECTIONS


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
    assumptions: Sequence[Assumption] = (),
) -> list[dict]:
    """The persona card; `shareable` adds a "Share in channel" button (on ephemeral previews).
    Below the facts: the core assumptions evidence does not support yet (open or challenged)."""
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
    ]
    if assumptions:
        items.append(blocks.context(t("assumptions", total=len(assumptions), **_standing(prompts, assumptions))))
    items.append(blocks.divider())
    tail: list[Any] = [blocks.context(t("journeys", journeys=list(journeys)))]
    for warning in list(warnings)[:5]:
        tail.append(blocks.context(warning.text))
    if persona.status == PersonaStatus.ACTIVE:
        tail.append(blocks.actions(*_buttons(prompts, persona, shareable), block_id=f"persona_card:{persona.id}"))
    else:
        tail.append(blocks.context(t("retired")))
    sections = [t("section", key=key, value=getattr(persona, key)) for key in SECTIONS if getattr(persona, key)]
    budget = SECTION_BUDGET
    while True:  # long or non-Latin answers: shorten every section until the message fits
        try:
            return blocks.message_blocks([*items, *(blocks.section(blocks.clip(s, budget)) for s in sections),
                                          *tail])
        except blocks.BlockLimitError:
            if budget <= MIN_SECTION_BUDGET:
                raise
            budget //= 2


def _standing(prompts: Prompts, found: Sequence[Assumption]) -> dict[str, list[str]]:
    """Field titles of the open and of the challenged assumptions."""
    def titles(standing: Standing) -> list[str]:
        return [prompts.part(CARD, "title", key=a.key) for a in found if a.standing is standing]
    return {"open": titles(Standing.OPEN), "challenged": titles(Standing.CHALLENGED)}


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
        blocks.button(t("link_journey"), journey_ids.LINK_PERSONA, value=value),
        retire,
    ]
    if shareable:
        buttons.insert(0, blocks.button(t("share"), ids.SHARE, value=value))
    return buttons


def card_text(prompts: Prompts, persona: Persona) -> str:
    """The notification fallback of a card message."""
    return prompts.part(CARD, "fallback", persona=persona)


def build_list(prompts: Prompts, *, personas: Sequence[Persona], total: int,
               warnings: Sequence[QualityWarning]) -> list[dict]:
    """The first `LIST_LIMIT` personas by name, each with its warning count, then the warnings."""
    def t(macro: str, **kw: object) -> str:
        return prompts.part(LIST, macro, **kw)

    items: list[Any] = [blocks.section(t("heading", count=total))]
    for persona in list(personas)[:LIST_LIMIT]:
        count = sum(1 for w in warnings if persona.id in w.persona_ids)
        items.append(blocks.section(
            t("line", persona=persona, warnings=count),
            accessory=blocks.button(t("show"), ids.SHOW, value=str(persona.id)),
        ))
    if total > LIST_LIMIT:
        items.append(blocks.context(t("more", count=total - LIST_LIMIT)))
    if warnings:
        texts = [w.text for w in list(warnings)[:WARNINGS_SHOWN]]
        if len(warnings) > WARNINGS_SHOWN:
            texts.append(t("more_warnings", count=len(warnings) - WARNINGS_SHOWN))
        items.append(blocks.section(blocks.clip("\n".join(texts), 2500)))
    items.append(blocks.context(t("footer")))
    return blocks.message_blocks(items)


def list_text(prompts: Prompts, *, count: int) -> str:
    return prompts.part(LIST, "heading", count=count)
