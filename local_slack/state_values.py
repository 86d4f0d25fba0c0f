"""Build ``view.state.values`` the way Slack fills it in for each input element type.

Bolt handlers read e.g. ``values[block][action]["selected_option"]["value"]``; each
element type stores its answer under a different key, so getting the shape right is the
whole point. Tests write ``{block_id: {action_id: value}}`` with plain values (str ->
plain_text_input, list[str] -> checkboxes, int/float -> number_input, None -> empty text
input) or one of the helpers below; dicts that already have a ``type`` pass through.
"""

from __future__ import annotations

from typing import Any


def _option(value: str, text: str | None = None) -> dict[str, Any]:
    return {"text": {"type": "plain_text", "text": text or value, "emoji": True}, "value": value}


def input_text(value: str | None) -> dict[str, Any]:
    return {"type": "plain_text_input", "value": value}


def input_number(value: float | str | None) -> dict[str, Any]:
    """Slack sends a number_input's value as a string."""
    return {"type": "number_input", "value": None if value is None else str(value)}


def input_static_select(value: str | None, text: str | None = None) -> dict[str, Any]:
    return {"type": "static_select", "selected_option": None if value is None else _option(value, text)}


def input_radio_buttons(value: str | None, text: str | None = None) -> dict[str, Any]:
    """A radio group with an ``initial_option`` always sends one (Slack sends ``None`` for none)."""
    return {"type": "radio_buttons", "selected_option": None if value is None else _option(value, text)}


def input_checkboxes(values: list[str]) -> dict[str, Any]:
    return {"type": "checkboxes", "selected_options": [_option(v) for v in values]}


def input_users_select(user: str | None) -> dict[str, Any]:
    return {"type": "users_select", "selected_user": user}


def input_conversations_select(conversation: str | None) -> dict[str, Any]:
    return {"type": "conversations_select", "selected_conversation": conversation}


def input_datepicker(date: str | None) -> dict[str, Any]:
    """``date`` as ``YYYY-MM-DD``."""
    return {"type": "datepicker", "selected_date": date}


def input_timepicker(hhmm: str | None) -> dict[str, Any]:
    """``hhmm`` as ``HH:MM``."""
    return {"type": "timepicker", "selected_time": hhmm}


def _shape(value: Any) -> dict[str, Any]:
    if isinstance(value, dict) and "type" in value:
        return value
    if value is None or isinstance(value, str):
        return input_text(value)
    if isinstance(value, bool):
        raise TypeError("use input_checkboxes([...]) for checkbox state")
    if isinstance(value, (int, float)):
        return input_number(value)
    if isinstance(value, (list, tuple)):
        return input_checkboxes(list(value))
    raise TypeError(f"cannot shape state value {value!r}")


def state_values(values: dict[str, dict[str, Any]]) -> dict[str, dict[str, dict[str, Any]]]:
    """``{block_id: {action_id: value}}`` -> Slack's ``view.state.values``."""
    return {
        block_id: {action_id: _shape(value) for action_id, value in actions.items()}
        for block_id, actions in values.items()
    }
