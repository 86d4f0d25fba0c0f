"""The persona form (one modal with every field): used by `/persona form`, Edit and governance.

`build_form` is pure; `read_form` turns a submission into values or inline errors, through the
same parsers as the conversation (`fields`), so both ways of capturing accept the same answers.
"""

from __future__ import annotations

import json
from typing import Any

from slack_sdk.models.blocks import (
    InputBlock,
    Option,
    PlainTextObject,
    StaticSelectElement,
    UserSelectElement,
)

from bot import blocks
from bot.conversation import Invalid
from bot.modal_values import ModalValues
from bot.personas import fields, ids
from prompts import Prompts
from storage.models import Persona

TEMPLATE = "personas/form"
FLOW = "personas/flow"
MULTILINE = ("context", "goals", "behaviors", "needs", "frustrations", "quote", "unsure")
LIMITS = {"name": fields.NAME_MAX, "role": fields.ROLE_MAX, "quote": fields.QUOTE_MAX}


def build_form(prompts: Prompts, *, persona: Persona | None, owner_id: str, cadence_days: int,
               where: dict[str, str] | None = None) -> dict:
    """The modal; `persona` None is a new one. `private_metadata` pins the version being edited
    and, for Edit on a card, the card to refresh after the save (`bot.personas.refresh`)."""
    def t(macro: str, **kw: object) -> str:
        return prompts.part(TEMPLATE, macro, **kw)

    items: list[Any] = []
    for key in ("name", "role", *MULTILINE):
        value = getattr(persona, key) if persona is not None else None
        initial = "\n".join(value) if isinstance(value, list) else (value or None)
        items.append(blocks.text_input(
            block_id=key, label=t("label", key=key), multiline=key in MULTILINE, initial=initial,
            optional=key not in ("name", "role"), hint=t("hint", key=key) or None,
            max_length=LIMITS.get(key, 3000)))
    items.append(_select("confidence", t("label", key="confidence"), fields.CONFIDENCE,
                         persona.confidence if persona else "low", prompts))
    if persona is not None:
        items.append(_select("kind", t("label", key="kind"), fields.KINDS, persona.kind, prompts))
    items.append(InputBlock(block_id="owner_id", label=PlainTextObject(text=t("label", key="owner_id")),
                            element=UserSelectElement(action_id="value", initial_user=owner_id)))
    items.append(blocks.text_input(block_id="cadence_days", label=t("label", key="cadence_days"),
                                   initial=str(persona.cadence_days if persona else cadence_days),
                                   hint=t("hint", key="cadence_days"), max_length=20))
    if persona is not None:
        items.append(blocks.text_input(block_id="note", label=t("label", key="note"), optional=True,
                                       max_length=300))
    meta: dict[str, Any] = {"id": persona.id, "v": persona.version} if persona is not None else {}
    if persona is not None and where:
        meta["o"] = where
    return blocks.modal(callback_id=ids.FORM_MODAL, title=t("title", new=persona is None), blocks=items,
                        submit=t("submit"), private_metadata=json.dumps(meta))


def _select(block_id: str, label: str, choices: tuple[str, ...], current: str, prompts: Prompts) -> InputBlock:
    options = [Option(value=c, text=prompts.part(TEMPLATE, "choice", value=c)) for c in choices]
    initial = next((o for o in options if o.value == current), options[0])
    return InputBlock(block_id=block_id, label=PlainTextObject(text=label),
                      element=StaticSelectElement(action_id="value", options=options, initial_option=initial))


def read_form(prompts: Prompts, view: dict[str, Any], *, me: str) -> tuple[dict[str, Any], dict[str, str]]:
    """(values, errors by block id); values hold only fields that parsed."""
    form = ModalValues(view)
    values: dict[str, Any] = {}
    errors: dict[str, str] = {}
    for key in ("name", "role", *MULTILINE, "cadence_days"):
        try:
            values[key] = fields.parse_field(key, form.text(key), me=me)
        except Invalid as problem:
            errors[key] = prompts.part(FLOW, problem.macro, **problem.context)
    values["confidence"] = form.selected("confidence") or "low"
    if form.selected("kind") in fields.KINDS:
        values["kind"] = form.selected("kind")
    values["owner_id"] = form.user("owner_id") or me
    return values, errors


def metadata(view: dict[str, Any]) -> dict[str, Any]:
    try:
        meta = json.loads(view.get("private_metadata") or "{}")
    except ValueError:
        return {}
    return meta if isinstance(meta, dict) else {}


def note(view: dict[str, Any]) -> str:
    return ModalValues(view).text("note")[:300]
