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
from bot.conversation_flow import Invalid
from bot.modal_values import ModalValues
from bot.personas import fields, ids
from bot.personas.fields import FieldType
from prompts import Prompts
from storage.models import Persona

TEMPLATE = "personas/form"
FLOW = "personas/flow"


def build_form(prompts: Prompts, *, persona: Persona | None, owner_id: str, cadence_days: int,
               where: dict[str, str] | None = None) -> dict:
    """The modal, one input per declared field (`fields.FIELDS`); `persona` None is a new one,
    which only gets the fields the conversation asks. `private_metadata` pins the version being
    edited and, for Edit on a card, the card to refresh after the save (`bot.personas.refresh`)."""
    def t(macro: str, **kw: object) -> str:
        return prompts.part(TEMPLATE, macro, **kw)

    defaults = {"owner_id": owner_id, "cadence_days": cadence_days}
    items: list[Any] = []
    for spec in fields.FIELDS:
        if persona is None and not spec.asked:
            continue
        value = getattr(persona, spec.key) if persona is not None else defaults.get(spec.key, spec.default)
        label = t("label", key=spec.key)
        if spec.type is FieldType.CHOICE:
            items.append(_select(spec.key, label, spec.choices, value or spec.default, prompts))
        elif spec.type is FieldType.USER:
            items.append(InputBlock(block_id=spec.key, label=PlainTextObject(text=label),
                                    element=UserSelectElement(action_id="value", initial_user=value or owner_id)))
        else:
            initial = "\n".join(value) if isinstance(value, list) else (str(value) if value not in (None, "") else None)
            items.append(blocks.text_input(
                block_id=spec.key, label=label, multiline=spec.multiline, initial=initial,
                optional=not spec.required, hint=t("hint", key=spec.key) or None,
                max_length=20 if spec.type is FieldType.DAYS else spec.form_max))
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
    """(values, errors by block id); values hold only fields that parsed (and were on the form)."""
    form = ModalValues(view)
    values: dict[str, Any] = {}
    errors: dict[str, str] = {}
    for spec in fields.FIELDS:
        if spec.type is FieldType.CHOICE:
            chosen = form.selected(spec.key)
            if chosen in spec.choices:
                values[spec.key] = chosen
            elif spec.asked:
                values[spec.key] = spec.default
        elif spec.type is FieldType.USER:
            values[spec.key] = form.user(spec.key) or me
        else:
            try:
                values[spec.key] = fields.parse_field(spec.key, form.text(spec.key), me=me)
            except Invalid as problem:
                errors[spec.key] = prompts.part(FLOW, problem.macro, **problem.context)
    return values, errors


def metadata(view: dict[str, Any]) -> dict[str, Any]:
    try:
        meta = json.loads(view.get("private_metadata") or "{}")
    except ValueError:
        return {}
    return meta if isinstance(meta, dict) else {}


def note(view: dict[str, Any]) -> str:
    return ModalValues(view).text("note")[:300]
