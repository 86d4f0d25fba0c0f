"""Request bodies exactly as Slack sends them to an app, for HTTP and Socket Mode alike.

Bolt routes on these shapes (``type``, ``callback_id``, ``actions[].action_id``,
``view.state.values``), so tests must use the real ones rather than hand-rolled dicts.
Pure functions: every call returns a fresh dict with fresh trigger ids, ts and event ids.

``response_url`` defaults to a realistic hooks.slack.com address. If the code under test
calls ``respond()``, pass ``response_url=fake.response_url()`` so it stays on 127.0.0.1.
"""

from __future__ import annotations

from typing import Any

from .ids import APP_ID, BOT_USER_ID, TEAM_DOMAIN, VERIFICATION_TOKEN, new_ts
from .ids import response_url as _response_url
from .ids import trigger_id as _trigger_id
from .payload_events import app_home_opened, event_callback, message_event
from .payload_views import modal_view, view_closed, view_submission
from .state_values import (
    input_checkboxes,
    input_conversations_select,
    input_datepicker,
    input_number,
    input_radio_buttons,
    input_static_select,
    input_text,
    input_timepicker,
    input_users_select,
    state_values,
)

__all__ = [
    "app_home_opened",
    "block_actions",
    "event_callback",
    "global_shortcut",
    "input_checkboxes",
    "input_conversations_select",
    "input_datepicker",
    "input_number",
    "input_radio_buttons",
    "input_static_select",
    "input_text",
    "input_timepicker",
    "input_users_select",
    "message_event",
    "message_shortcut",
    "modal_view",
    "new_ts",
    "slash_command",
    "state_values",
    "view_closed",
    "view_submission",
]


def _user(user: str, team: str) -> dict[str, Any]:
    name = user.lower()
    return {"id": user, "username": name, "name": name, "team_id": team}


def _team(team: str) -> dict[str, Any]:
    return {"id": team, "domain": TEAM_DOMAIN}


def _channel(channel: str) -> dict[str, Any]:
    return {"id": channel, "name": "directmessage" if channel.startswith("D") else "general"}


def slash_command(
    command: str,
    text: str = "",
    *,
    user: str = "U0001",
    channel: str = "C0001",
    team: str = "T0001",
    trigger_id: str | None = None,
    response_url: str | None = None,
) -> dict[str, str]:
    """The form fields of a slash command request (all strings, as Slack posts them)."""
    return {
        "token": VERIFICATION_TOKEN,
        "team_id": team,
        "team_domain": TEAM_DOMAIN,
        "channel_id": channel,
        "channel_name": _channel(channel)["name"],
        "user_id": user,
        "user_name": user.lower(),
        "command": command,
        "text": text,
        "api_app_id": APP_ID,
        "is_enterprise_install": "false",
        "response_url": response_url or _response_url("commands", team),
        "trigger_id": trigger_id or _trigger_id(),
    }


def _option(option: str | dict[str, Any]) -> dict[str, Any]:
    if isinstance(option, dict):
        return option
    return {"text": {"type": "plain_text", "text": option, "emoji": True}, "value": option}


def block_actions(
    action_id: str,
    *,
    value: str | None = None,
    block_id: str = "b",
    user: str = "U0001",
    channel: str = "C0001",
    message_ts: str | None = None,
    team: str = "T0001",
    view: dict[str, Any] | None = None,
    container: dict[str, Any] | None = None,
    action_type: str = "button",
    selected_option: str | dict[str, Any] | None = None,
    message_text: str = "",
    message_blocks: list[dict[str, Any]] | None = None,
    state: dict[str, Any] | None = None,
    response_url: str | None = None,
    trigger_id: str | None = None,
    action_fields: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """A ``block_actions`` interaction from a message (default) or from a view.

    With ``view`` the action comes from a modal/Home tab (no channel, no response_url);
    otherwise from a message in ``channel``; without ``message_ts`` from an ephemeral one.
    """
    action: dict[str, Any] = {"action_id": action_id, "block_id": block_id, "type": action_type}
    if action_type == "button":
        action["text"] = {"type": "plain_text", "text": action_id, "emoji": True}
    if value is not None:
        action["value"] = value
    if selected_option is not None:
        action["selected_option"] = _option(selected_option)
    action.update(action_fields or {})
    action["action_ts"] = new_ts()
    body: dict[str, Any] = {
        "type": "block_actions",
        "user": _user(user, team),
        "api_app_id": APP_ID,
        "token": VERIFICATION_TOKEN,
        "trigger_id": trigger_id or _trigger_id(),
        "team": _team(team),
        "enterprise": None,
        "is_enterprise_install": False,
    }
    if view is not None:
        body["container"] = container or {"type": "view", "view_id": view.get("id", "V0001")}
        body["view"] = view
        body["state"] = view.get("state", {"values": {}})
    else:
        body["container"] = container or {
            "type": "message",
            "message_ts": message_ts or new_ts(),
            "channel_id": channel,
            "is_ephemeral": message_ts is None,
        }
        body["channel"] = _channel(channel)
        if message_ts is not None:
            body["message"] = {
                "type": "message",
                "user": BOT_USER_ID,
                "bot_id": "B0001",
                "app_id": APP_ID,
                "ts": message_ts,
                "text": message_text,
                "team": team,
                "blocks": message_blocks or [],
            }
        body["state"] = {"values": state_values(state or {})}
        body["response_url"] = response_url or _response_url("actions", team)
    body["actions"] = [action]
    return body


def global_shortcut(callback_id: str, *, user: str = "U0001", team: str = "T0001") -> dict[str, Any]:
    return {
        "type": "shortcut",
        "token": VERIFICATION_TOKEN,
        "action_ts": new_ts(),
        "team": _team(team),
        "user": {"id": user, "username": user.lower(), "team_id": team},
        "is_enterprise_install": False,
        "enterprise": None,
        "callback_id": callback_id,
        "trigger_id": _trigger_id(),
    }


def message_shortcut(
    callback_id: str,
    *,
    message_text: str,
    message_ts: str,
    message_user: str,
    channel: str = "C0001",
    user: str = "U0001",
    team: str = "T0001",
    response_url: str | None = None,
) -> dict[str, Any]:
    """A message shortcut (``type: message_action``) on someone's message."""
    return {
        "type": "message_action",
        "token": VERIFICATION_TOKEN,
        "action_ts": new_ts(),
        "team": _team(team),
        "user": {"id": user, "name": user.lower(), "username": user.lower(), "team_id": team},
        "channel": _channel(channel),
        "is_enterprise_install": False,
        "enterprise": None,
        "callback_id": callback_id,
        "trigger_id": _trigger_id(),
        "response_url": response_url or _response_url("actions", team),
        "message_ts": message_ts,
        "message": {"type": "message", "user": message_user, "ts": message_ts, "text": message_text},
    }
