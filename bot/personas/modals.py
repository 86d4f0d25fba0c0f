"""Pure builders of the persona modals besides the form: history, evidence, suggestion."""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

from slack_sdk.models.blocks import InputBlock, Option, PlainTextObject, StaticSelectElement

from bot import blocks
from bot.personas import assumptions, fields, ids
from prompts import Prompts, SlackMarkup, mention
from storage.models import Persona, PersonaRevision
from storage.states import EvidenceStance

TEMPLATE = "personas/modals"
HISTORY_LIMIT = 30
PICKER_LIMIT = 100


def build_history(prompts: Prompts, *, persona: Persona, revisions: Sequence[PersonaRevision]) -> dict:
    """Every revision, newest first, field by field (from -> to); clipped to fit one modal."""
    def t(macro: str, **kw: object) -> str:
        return prompts.part(TEMPLATE, macro, **kw)

    items: list[Any] = [blocks.section(t("history_intro", name=persona.name, version=persona.version))]
    for revision in list(revisions)[:HISTORY_LIMIT]:
        items.append(blocks.divider())
        changes = [(key, _shown(key, change.get("from")), _shown(key, change.get("to")))
                   for key, change in sorted(revision.changes.items())]
        items.append(blocks.section(t("revision", revision=revision, changes=changes)))
    if len(revisions) > HISTORY_LIMIT:
        items.append(blocks.context(t("older", count=len(revisions) - HISTORY_LIMIT)))
    return blocks.modal(callback_id=ids.HISTORY_MODAL, title=t("history_title"), blocks=items, close=t("close"))


def _shown(key: str, value: Any) -> str:
    """As people read it: owners as mentions, dates in the reader's own time zone (Slack's
    date token), lists joined (the template escapes plain text)."""
    if value in (None, "", []):
        return "–"
    if key == "owner_id":
        return mention(str(value))
    if isinstance(value, str) and key.endswith("_at"):
        try:
            moment = datetime.fromisoformat(value)
        except ValueError:
            return value
        moment = moment if moment.tzinfo else moment.replace(tzinfo=UTC)
        return SlackMarkup(f"<!date^{int(moment.timestamp())}^{{date_short}}|{moment:%Y-%m-%d}>")
    if isinstance(value, list):
        return "; ".join(str(item) for item in value)
    return str(value)


def build_evidence(prompts: Prompts, *, personas: Sequence[Persona], chosen: Persona | None, text: str,
                   source: dict[str, str], where: dict[str, str] | None = None) -> dict:
    """Attach a quote or finding: from a message (`source` names it) or typed on a card."""
    def t(macro: str, **kw: object) -> str:
        return prompts.part(TEMPLATE, macro, **kw)

    items: list[Any] = []
    if chosen is None:
        options = [Option(value=str(p.id), text=blocks.clip(p.name, 75)) for p in list(personas)[:PICKER_LIMIT]]
        items.append(InputBlock(block_id=ids.PERSONA_BLOCK, label=PlainTextObject(text=t("pick_persona")),
                                element=StaticSelectElement(action_id="value", options=options,
                                                            placeholder=PlainTextObject(text=t("pick_placeholder")))))
    else:
        items.append(blocks.section(t("evidence_for", name=chosen.name)))
    items.append(blocks.text_input(block_id=ids.EVIDENCE_TEXT_BLOCK, label=t("evidence_text"), multiline=True,
                                   initial=text or None, hint=t("evidence_hint")))
    items += _stance_inputs(prompts, chosen)
    if not source:
        items.append(blocks.text_input(block_id=ids.EVIDENCE_LINK_BLOCK, label=t("evidence_link"), optional=True,
                                       max_length=1000))
    meta: dict[str, Any] = {**source, "persona": chosen.id if chosen is not None else None}
    if where:  # the card the button was pressed on, refreshed once the evidence is attached
        meta["o"] = where
    return blocks.modal(callback_id=ids.EVIDENCE_MODAL, title=t("evidence_title"), blocks=items,
                        submit=t("attach"), close=t("cancel"), private_metadata=json.dumps(meta))


def _stance_inputs(prompts: Prompts, chosen: Persona | None) -> list[InputBlock]:
    """What the evidence shows (supports or challenges) and which assumption it tests: the filled
    core fields of the chosen persona (every core field when the persona is picked in the form)."""
    def t(macro: str, **kw: object) -> str:
        return prompts.part(TEMPLATE, macro, **kw)

    stances = [Option(value=s.value, text=t("stance", stance=s.value)) for s in EvidenceStance]
    keys = assumptions.testable(chosen) if chosen is not None else list(fields.CORE)
    tested = [Option(value=key, text=blocks.clip(prompts.part("personas/card", "title", key=key), 75)) for key in keys]
    tested.append(Option(value=ids.WHOLE_PERSONA, text=t("whole_persona")))
    return [
        InputBlock(block_id=ids.EVIDENCE_STANCE_BLOCK, label=PlainTextObject(text=t("stance_label")),
                   element=StaticSelectElement(action_id="value", options=stances, initial_option=stances[0])),
        InputBlock(block_id=ids.EVIDENCE_ASSUMPTION_BLOCK, label=PlainTextObject(text=t("assumption_label")),
                   hint=PlainTextObject(text=t("assumption_hint")),
                   element=StaticSelectElement(action_id="value", options=tested, initial_option=tested[0])),
    ]


def build_no_personas(prompts: Prompts) -> dict:
    return blocks.modal(callback_id=ids.INFO_MODAL, title=prompts.part(TEMPLATE, "evidence_title"),
                        blocks=[blocks.section(prompts.part(TEMPLATE, "no_personas"))],
                        close=prompts.part(TEMPLATE, "close"))


def build_suggest(prompts: Prompts, *, persona: Persona) -> dict:
    def t(macro: str, **kw: object) -> str:
        return prompts.part(TEMPLATE, macro, **kw)

    items = [blocks.section(t("suggest_intro", name=persona.name, owner=persona.owner_id)),
             blocks.text_input(block_id=ids.SUGGESTION_BLOCK, label=t("suggestion"), multiline=True,
                               max_length=2000)]
    return blocks.modal(callback_id=ids.SUGGEST_MODAL, title=t("suggest_title"), blocks=items, submit=t("send"),
                        close=t("cancel"), private_metadata=str(persona.id))
