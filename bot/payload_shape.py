"""Is this body shaped as Slack sends it? Checked once, before Bolt or any listener reads it.

Bolt's own middleware (authorization, context building, listener matching) and our handlers
index into the body (`body["view"]["callback_id"]`, `event["channel"]`, `user.id` as a string)
because Slack always sends those fields with those types. A signed body that does not (a
`null` event, a view without a type, a number where an id belongs) would otherwise end in a
500 and a traceback somewhere deep inside; here it gets one reason, and the caller a 400.

The specs below are Slack's documented shapes, narrowed to what we and Bolt read: a field
not listed may hold anything; a listed one must have its type; `name!` marks a required one.
Free text (a note, a command's words) is only required to be text: what is in it is for the
handler to judge.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

Spec = Any  # a type, a tuple of alternatives (None = null), a dict (object), a one-item list (array), Some, Map, Text


@dataclass(frozen=True)
class Text:
    """A string matching `pattern` (whole)."""

    pattern: re.Pattern[str]


@dataclass(frozen=True)
class Some:
    """A non-empty array of `items` (Bolt reads `actions[0]`)."""

    items: Spec


@dataclass(frozen=True)
class Map:
    """An object with any keys, every value matching `values`."""

    values: Spec


NullableStr = (str, None)
ID = Text(re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]{0,63}"))  # U0ANA, T0001, C0WORKSHOP: never empty, no spaces
COMMAND_NAME = Text(re.compile(r"/\S{1,64}"))
URL = Text(re.compile(r"https?://[^\s/]+/\S*"))  # response_url: where the answer goes
OPTION = {"value!": str}
ELEMENT_STATE = {
    "type": str, "value": NullableStr, "selected_option": (OPTION, None), "selected_options": [OPTION],
    "selected_user": NullableStr, "selected_users": [str], "selected_conversation": NullableStr,
    "selected_conversations": [str], "selected_channel": NullableStr, "selected_date": NullableStr,
    "selected_time": NullableStr,
}
STATE = {"values": Map(Map(ELEMENT_STATE))}
VIEW = {
    "type!": str, "id": str, "callback_id": str, "private_metadata": str, "external_id": str, "hash": str,
    "team_id": NullableStr, "app_installed_team_id": NullableStr, "blocks": [dict], "state": STATE,
}
ACTION = {
    "action_id!": str, "block_id": str, "type": str, "value": str, "action_ts": str,
    "selected_option": (OPTION, None), "selected_options": [OPTION], "selected_user": NullableStr,
    "selected_conversation": NullableStr, "selected_channel": NullableStr, "selected_date": NullableStr,
}
# Where Bolt looks for who and where (request/internals.py extract_*): ids are strings or null.
WHO_AND_WHERE = {
    "enterprise": (str, {"id": NullableStr}, None), "enterprise_id": NullableStr,
    "team": (str, {"id": NullableStr, "enterprise_id": NullableStr}, None), "team_id": NullableStr,
    "user": (str, {"id": NullableStr, "team_id": NullableStr}, None), "user_id": NullableStr,
    "channel": (str, {"id": NullableStr}, None), "channel_id": NullableStr, "thread_ts": NullableStr,
    "user_team": NullableStr, "function_execution_id": NullableStr, "bot_access_token": NullableStr,
    "authorizations": [{"team_id": NullableStr, "enterprise_id": NullableStr, "user_id": NullableStr}],
    "view": (VIEW, None), "context_team_id": NullableStr, "context_enterprise_id": NullableStr,
}
NESTED = {key: (dict(WHO_AND_WHERE), None) for key in ("message", "previous_message", "item", "assistant_thread")}
EVENT = {**WHO_AND_WHERE, **NESTED, "type!": str, "ts": str, "event_ts": str, "subtype": NullableStr,
         "bot_id": NullableStr, "channel_type": str, "tab": str, "text": NullableStr}
EVENTS = {  # the events we subscribe to, with what their listeners need
    "message": {**EVENT, "channel!": ID, "ts!": str, "user": (ID, None)},
    "app_home_opened": {**EVENT, "user!": ID},
}
INTERACTION = {
    **WHO_AND_WHERE, **NESTED, "type!": str, "user!": {"id!": ID, "team_id": NullableStr},
    "team!": {"id!": ID},  # null only for org-wide installs, which this app does not offer
    "channel": ({"id!": ID, "name": str}, None), "container": {"type": str, "message_ts": str, "channel_id": str,
                                                                "view_id": str, "thread_ts": str},
    "trigger_id": str, "response_url": URL, "api_app_id": str, "token": str, "callback_id": str,
    "message_ts": str, "response_urls": [{"response_url": URL, "channel_id": str}], "state": (STATE, None),
    "actions": [ACTION],
}
INTERACTIONS = {
    "block_actions": {**INTERACTION, "actions!": Some(ACTION), "trigger_id!": str},
    "view_submission": {**INTERACTION, "view!": {**VIEW, "callback_id!": str}, "trigger_id!": str},
    "view_closed": {**INTERACTION, "view!": {**VIEW, "callback_id!": str}},
    "shortcut": {**INTERACTION, "callback_id!": str, "trigger_id!": str},
    "message_action": {**INTERACTION, "callback_id!": str, "trigger_id!": str},
    "block_suggestion": {**INTERACTION, "action_id!": str, "value": str},
}
COMMAND = {"command!": COMMAND_NAME, "text": str, "user_id!": ID, "team_id!": ID, "channel_id": ID,
           "trigger_id!": str, "response_url": URL, "enterprise_id": NullableStr}
EVENT_CALLBACK = {**WHO_AND_WHERE, "type!": str, "team_id!": ID, "event_id": str, "event!": dict,
                  "is_ext_shared_channel": bool}
OTHER = {  # Slack's own requests that carry no listener's work
    "url_verification": {"type!": str, "challenge!": str},
    "app_rate_limited": {"type!": str, "team_id": str},
}


def problem(body: Any) -> str | None:
    """Why Slack would never send `body` (a short reason for the log), or None when it would."""
    if not isinstance(body, dict) or not body:
        return "not a JSON object"
    kind = body.get("type")
    if "ssl_check" in body and kind is None:
        return None
    if "command" in body:
        return _check(body, COMMAND, "")
    if kind == "event_callback":
        event = body.get("event")
        event_type = event.get("type") if isinstance(event, dict) else None
        return _check(body, EVENT_CALLBACK, "") or _check(event, EVENTS.get(event_type, EVENT), "event")
    spec = INTERACTIONS.get(kind) or OTHER.get(kind)  # type: ignore[arg-type]
    if spec is None:
        return f"a request of type {str(kind)[:40]!r}"
    return _check(body, spec, "")


def _check(value: Any, spec: Spec, path: str) -> str | None:
    if isinstance(spec, tuple):
        if any((option is None and value is None) or (option is not None and _check(value, option, path) is None)
               for option in spec):
            return None
        return f"{path or 'body'} has the wrong type"
    if isinstance(spec, type):
        if isinstance(value, spec) and not (spec is int and isinstance(value, bool)):
            return None
        return f"{path or 'body'} is not {spec.__name__}"
    if isinstance(spec, Text):
        if isinstance(value, str) and spec.pattern.fullmatch(value):
            return None
        return f"{path} is not well formed"
    if isinstance(spec, Some):
        if not isinstance(value, list) or not value:
            return f"{path} is not a non-empty array"
        return _check(value, [spec.items], path)
    if isinstance(spec, Map):
        if not isinstance(value, dict):
            return f"{path} is not an object"
        return next(filter(None, (_check(item, spec.values, f"{path}.{key}") for key, item in value.items())), None)
    if isinstance(spec, list):
        if not isinstance(value, list):
            return f"{path} is not an array"
        return next(filter(None, (_check(item, spec[0], f"{path}[{i}]") for i, item in enumerate(value))), None)
    if not isinstance(value, dict):
        return f"{path or 'body'} is not an object"
    for key, field_spec in spec.items():
        name = key.rstrip("!")
        if name not in value:
            if key.endswith("!"):
                return f"{path}.{name} is missing"
            continue
        reason = _check(value[name], field_spec, f"{path}.{name}")
        if reason:
            return reason
    return None
