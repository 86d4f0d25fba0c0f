"""Block Kit validation for the fake Web API.

Slack rejects bad Block Kit with ``invalid_blocks`` (messages) or ``invalid_arguments``
(views); a fake that accepts anything lets layout bugs reach production. We lean on
``slack_sdk.models`` (``to_dict()`` validates recursively, ``validate_json()`` does not)
and add the limits slack_sdk does not check (see /work/shared/slack/FACTS.md): 50 blocks
per message, 2000 chars per section field, ~12k chars for all blocks of one message,
dropped unknown elements, options given as plain dicts, plain_text_input max_length.
"""

from __future__ import annotations

import json
from typing import Any

from slack_sdk.models.blocks import Block
from slack_sdk.models.views import View

MAX_MESSAGE_BLOCKS = 50
MAX_VIEW_BLOCKS = 100
MAX_MESSAGE_BLOCKS_CHARS = 12_000
MAX_FIELD_CHARS = 2000
MAX_OPTIONS = 100
MAX_OPTION_TEXT = 75
MAX_OPTION_VALUE = 150
MAX_INPUT_LENGTH = 3000
# Keys whose values slack_sdk parses into element objects; it silently drops (or
# replaces with None) elements of an unknown type, so we compare input and output.
_ELEMENT_KEYS = ("accessory", "element", "elements")


def _at(pointer: str) -> str:
    return f" [json-pointer:{pointer}]"


def _element_drops(raw: dict[str, Any], parsed: dict[str, Any], pointer: str) -> list[str]:
    """Report nested elements slack_sdk could not parse (unknown `type`)."""
    errors = []
    for key in _ELEMENT_KEYS:
        if key not in raw:
            continue
        if key not in parsed:
            errors.append(f"unsupported or invalid element{_at(f'{pointer}/{key}')}")
        elif isinstance(parsed[key], list):
            for i, item in enumerate(parsed[key]):
                if item is None:
                    errors.append(f"unsupported element type{_at(f'{pointer}/{key}/{i}')}")
    return errors


def _extra_limits(node: Any, pointer: str) -> list[str]:
    """Walk the raw JSON for the limits slack_sdk leaves unchecked."""
    errors: list[str] = []
    if isinstance(node, list):
        for i, item in enumerate(node):
            errors += _extra_limits(item, f"{pointer}/{i}")
        return errors
    if not isinstance(node, dict):
        return errors
    if node.get("type") == "section":
        for i, field in enumerate(node.get("fields") or []):
            text = field.get("text", "") if isinstance(field, dict) else ""
            if isinstance(text, str) and len(text) > MAX_FIELD_CHARS:
                errors.append(
                    f"must be less than {MAX_FIELD_CHARS + 1} characters{_at(f'{pointer}/fields/{i}/text')}"
                )
    if node.get("type") == "plain_text_input":
        for key in ("max_length", "min_length"):
            value = node.get(key)
            if isinstance(value, int) and value > MAX_INPUT_LENGTH:
                errors.append(f"must be at most {MAX_INPUT_LENGTH}{_at(f'{pointer}/{key}')}")
    options = node.get("options")
    if isinstance(options, list) and len(options) > MAX_OPTIONS:
        errors.append(f"must provide no more than {MAX_OPTIONS} items{_at(f'{pointer}/options')}")
    for key, value in node.items():
        if key == "options" and isinstance(value, list):
            errors += _option_limits(value, f"{pointer}/options")
        elif isinstance(value, (dict, list)):
            errors += _extra_limits(value, f"{pointer}/{key}")
    return errors


def _option_limits(options: list[Any], pointer: str) -> list[str]:
    errors = []
    for i, option in enumerate(options):
        if not isinstance(option, dict):
            continue
        text = option.get("text")
        text = text.get("text", "") if isinstance(text, dict) else text
        if isinstance(text, str) and len(text) > MAX_OPTION_TEXT:
            errors.append(f"must be less than {MAX_OPTION_TEXT + 1} characters{_at(f'{pointer}/{i}/text')}")
        value = option.get("value")
        if isinstance(value, str) and len(value) > MAX_OPTION_VALUE:
            errors.append(f"must be less than {MAX_OPTION_VALUE + 1} characters{_at(f'{pointer}/{i}/value')}")
    return errors


def block_errors(block: Any, pointer: str) -> list[str]:
    """Validate one block; returns Slack-style messages (empty when valid)."""
    if not isinstance(block, dict):
        return [f"expected an object{_at(pointer)}"]
    try:
        parsed = Block.parse(block)
        if parsed is None:
            return [f"unsupported block type {block.get('type')!r}{_at(pointer)}"]
        as_dict = parsed.to_dict()
    except Exception as exc:  # SlackObjectFormationError, TypeError on bad shapes, ...
        return [f"{exc}{_at(pointer)}"]
    return _element_drops(block, as_dict, pointer) + _extra_limits(block, pointer)


def _blocks_list_errors(blocks: Any, pointer: str, limit: int) -> list[str]:
    if not isinstance(blocks, list):
        return [f"expected an array{_at(pointer)}"]
    errors = []
    if len(blocks) > limit:
        errors.append(f"must provide no more than {limit} items{_at(pointer)}")
    for i, block in enumerate(blocks):
        errors += block_errors(block, f"{pointer}/{i}")
    return errors


_CHECKED_MAX = 4096
_checked: dict[str, Any] = {}


def _remembered(kind: str, payload: Any, check: Any) -> Any:
    """The answer of ``check(payload)``, computed once per distinct payload: in a burst everyone
    opens the same ballot, and validating each copy through slack_sdk's models (~3.5 ms for 75
    inputs) would charge the fake's CPU to the app the benchmark measures."""
    key = kind + json.dumps(payload, default=str)
    found = _checked.get(key, _checked)  # the dict itself: "not seen" (None is a valid answer)
    if found is _checked:
        found = check(payload)
        if len(_checked) >= _CHECKED_MAX:
            _checked.clear()
        _checked[key] = found
    return None if found is None else (found[0], list(found[1])) if isinstance(found, tuple) else list(found)


def message_errors(blocks: Any) -> tuple[str, list[str]] | None:
    """Validate a message's ``blocks``; returns ``(error_code, messages)`` or None."""
    return _remembered("message", blocks, _message_errors)


def view_errors(view: Any) -> list[str]:
    """Validate a ``view`` for views.open/update/push/publish (empty list when valid)."""
    return _remembered("view", view, _view_errors)


def _message_errors(blocks: Any) -> tuple[str, list[str]] | None:
    if isinstance(blocks, str):
        return "invalid_blocks_format", ["blocks must be a JSON array"]
    errors = _blocks_list_errors(blocks, "/blocks", MAX_MESSAGE_BLOCKS)
    if errors:
        return "invalid_blocks", errors
    size = len(json.dumps(blocks, separators=(",", ":"), ensure_ascii=False))
    if size > MAX_MESSAGE_BLOCKS_CHARS:
        return "msg_blocks_too_long", [f"blocks serialize to {size} chars (> {MAX_MESSAGE_BLOCKS_CHARS})"]
    return None


def _view_errors(view: Any) -> list[str]:
    if not isinstance(view, dict):
        return [f"view must be a JSON object{_at('/view')}"]
    blocks = view.get("blocks", [])
    errors = _blocks_list_errors(blocks, "/view/blocks", MAX_VIEW_BLOCKS)
    # slack_sdk also insists on >= 1 block, but Slack accepts an empty view (e.g. clearing
    # a Home tab), so validate the view's own fields with a placeholder block.
    shell = {**view, "blocks": [{"type": "divider"}]}
    try:
        View(**shell).to_dict()
    except Exception as exc:
        errors.append(f"{exc}{_at('/view')}")
    if view.get("type") == "modal":
        if not view.get("title"):
            errors.append(f"missing required field: title{_at('/view/title')}")
        has_input = isinstance(blocks, list) and any(
            isinstance(b, dict) and b.get("type") == "input" for b in blocks
        )
        if has_input and not view.get("submit"):
            errors.append(f"submit is required when an input block is present{_at('/view/submit')}")
    return errors
