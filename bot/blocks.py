"""Shared Block Kit helpers: truncation to Slack's limits and validation before sending.

Views build blocks with these so that no user text can exceed a limit and every payload is
checked by `slack_sdk.models` (`to_dict()` validates recursively) before it leaves the bot.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence

from slack_sdk.models.blocks import (
    ActionsBlock,
    Block,
    ButtonElement,
    ContextBlock,
    DividerBlock,
    HeaderBlock,
    InputBlock,
    MarkdownTextObject,
    PlainTextInputElement,
    PlainTextObject,
    SectionBlock,
)
from slack_sdk.models.views import View

MESSAGE_BLOCKS = 50
VIEW_BLOCKS = 100
SECTION_TEXT = 3000
FIELD_TEXT = 2000
HEADER_TEXT = 150
BUTTON_TEXT = 75
MODAL_TITLE = 24
MESSAGE_CHARS = 12_000


class BlockLimitError(ValueError):
    """A payload that Slack would refuse; raised before sending, so the bug shows in tests."""


def clip(text: str, limit: int) -> str:
    """Cut `text` to `limit` characters, marking the cut with an ellipsis."""
    return text if len(text) <= limit else text[: limit - 1] + "…"


def header(text: str) -> HeaderBlock:
    return HeaderBlock(text=PlainTextObject(text=clip(text, HEADER_TEXT), emoji=True))


def section(text: str, *, block_id: str | None = None, accessory: object = None) -> SectionBlock:
    return SectionBlock(
        text=MarkdownTextObject(text=clip(text, SECTION_TEXT)), block_id=block_id, accessory=accessory
    )


def fields(texts: Sequence[str], *, block_id: str | None = None) -> SectionBlock:
    return SectionBlock(
        fields=[MarkdownTextObject(text=clip(t, FIELD_TEXT)) for t in texts[:10]], block_id=block_id
    )


def context(*texts: str) -> ContextBlock:
    return ContextBlock(elements=[MarkdownTextObject(text=clip(t, SECTION_TEXT)) for t in texts[:10]])


def divider() -> DividerBlock:
    return DividerBlock()


def button(
    text: str, action_id: str, *, value: str | None = None, style: str | None = None, url: str | None = None
) -> ButtonElement:
    return ButtonElement(
        text=PlainTextObject(text=clip(text, BUTTON_TEXT), emoji=True),
        action_id=action_id,
        value=value,
        style=style,
        url=url,
    )


def actions(*elements: object, block_id: str | None = None) -> ActionsBlock:
    return ActionsBlock(elements=list(elements)[:25], block_id=block_id)


def text_input(
    *,
    block_id: str,
    label: str,
    action_id: str = "value",
    multiline: bool = False,
    initial: str | None = None,
    optional: bool = False,
    placeholder: str | None = None,
    hint: str | None = None,
    max_length: int = 3000,
) -> InputBlock:
    """A plain-text input. Slack checks max_length only in its own client, so handlers re-check."""
    element = PlainTextInputElement(
        action_id=action_id,
        multiline=multiline,
        initial_value=clip(initial, max_length) if initial else None,
        max_length=max_length,
        placeholder=PlainTextObject(text=clip(placeholder, 150)) if placeholder else None,
    )
    return InputBlock(
        block_id=block_id,
        label=PlainTextObject(text=clip(label, 2000)),
        element=element,
        optional=optional,
        hint=PlainTextObject(text=clip(hint, 2000)) if hint else None,
    )


def message_blocks(blocks: Iterable[Block]) -> list[dict]:
    """Validated dicts for a message: at most 50 blocks and within Slack's total size."""
    dicts = [block.to_dict() for block in blocks]
    if len(dicts) > MESSAGE_BLOCKS:
        raise BlockLimitError(f"{len(dicts)} blocks in one message (Slack allows {MESSAGE_BLOCKS})")
    if len(json.dumps(dicts)) > MESSAGE_CHARS:
        raise BlockLimitError("message blocks too long for Slack")
    return dicts


def modal(
    *,
    callback_id: str,
    title: str,
    blocks: Sequence[Block],
    submit: str | None = None,
    close: str = "Cancel",
    private_metadata: str = "",
) -> dict:
    """A validated modal view dict (View checks title lengths, block count and metadata size)."""
    view = View(
        type="modal",
        callback_id=callback_id,
        title=PlainTextObject(text=clip(title, MODAL_TITLE)),
        submit=PlainTextObject(text=clip(submit, MODAL_TITLE)) if submit else None,
        close=PlainTextObject(text=clip(close, MODAL_TITLE)),
        blocks=list(blocks),
        private_metadata=private_metadata or None,
    )
    return view.to_dict()


def home(blocks: Sequence[Block]) -> dict:
    return View(type="home", blocks=list(blocks)).to_dict()
