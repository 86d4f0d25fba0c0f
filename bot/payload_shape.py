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
from collections.abc import Callable
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


Fail = tuple[str, str]  # (where, under the value checked: ".view.type"; what is wrong: "is missing")
Check = Callable[[Any], Fail | None]


def problem(body: Any) -> str | None:
    """Why Slack would never send `body` (a short reason for the log), or None when it would."""
    if not isinstance(body, dict) or not body:
        return "not a JSON object"
    kind = body.get("type")
    if not isinstance(kind, str | None):
        return "type is not text"
    if "ssl_check" in body and kind is None:
        return None
    if "command" in body:
        return _reason(_COMMAND(body))
    if kind == "event_callback":
        event = body.get("event")
        event_type = event.get("type") if isinstance(event, dict) else None
        event_type = event_type if isinstance(event_type, str) else None  # checked as any event: a string
        fail = _EVENT_CALLBACK(body)
        if fail is None:
            fail = _EVENTS.get(event_type, _ANY_EVENT)(event)
            fail = None if fail is None else (".event" + fail[0], fail[1])
        return _reason(fail)
    check = _INTERACTIONS.get(kind) or _OTHER.get(kind)  # type: ignore[arg-type]
    if check is None:
        return f"a request of type {str(kind)[:40]!r}"
    return _reason(check(body))


def _reason(fail: Fail | None) -> str | None:
    return None if fail is None else f"{fail[0] or 'body'} {fail[1]}"


def compile_spec(spec: Spec) -> Check:
    """`spec` as one function, made once: a 100 kB ballot is checked on every submission, and
    walking the spec (and writing each field's path) per request was a tenth of its CPU. A
    path is only written for a failure, on the way back up."""
    if isinstance(spec, tuple):
        return _alternatives(spec)
    if isinstance(spec, type):
        return _instance_of(spec)
    if isinstance(spec, Text):
        return _text(spec.pattern)
    if isinstance(spec, Some):
        items = _array(spec.items)
        return lambda value: (items(value) if isinstance(value, list) and value
                              else ("", "is not a non-empty array"))
    if isinstance(spec, Map):
        return _map(compile_spec(spec.values))
    if isinstance(spec, list):
        return _array(spec[0])
    return _object(spec)


def _instance_of(kind: type) -> Check:
    what = ("", f"is not {kind.__name__}")
    if kind is int:
        return lambda value: None if isinstance(value, int) and not isinstance(value, bool) else what
    return lambda value: None if isinstance(value, kind) else what


def _text(pattern: re.Pattern[str]) -> Check:
    what = ("", "is not well formed")
    return lambda value: None if isinstance(value, str) and pattern.fullmatch(value) else what


def _alternatives(spec: tuple[Spec, ...]) -> Check:
    nullable = None in spec
    options = [compile_spec(option) for option in spec if option is not None]
    what = ("", "has the wrong type")

    def check(value: Any) -> Fail | None:
        if value is None and nullable:
            return None
        return None if any(option(value) is None for option in options) else what
    return check


def _array(item_spec: Spec) -> Check:
    not_array = ("", "is not an array")
    if isinstance(item_spec, type) and item_spec is not int:
        return lambda value: (not_array if not isinstance(value, list)
                              else next((_at(f"[{i}]", ("", f"is not {item_spec.__name__}"))
                                         for i, item in enumerate(value) if not isinstance(item, item_spec)), None))
    item = compile_spec(item_spec)

    def check(value: Any) -> Fail | None:
        if not isinstance(value, list):
            return not_array
        for i, element in enumerate(value):
            fail = item(element)
            if fail:
                return _at(f"[{i}]", fail)
        return None
    return check


def _map(values: Check) -> Check:
    def check(value: Any) -> Fail | None:
        if not isinstance(value, dict):
            return "", "is not an object"
        for key, item in value.items():
            fail = values(item)
            if fail:
                return _at(f".{key}", fail)
        return None
    return check


def _object(spec: dict[str, Spec]) -> Check:
    """Fields of a plain type (most of them) are checked inline, without a call each."""
    fields = [(key.rstrip("!"), key.endswith("!"), spec_ if isinstance(spec_, type) and spec_ is not int else None,
               compile_spec(spec_)) for key, spec_ in spec.items()]

    def check(value: Any) -> Fail | None:
        if not isinstance(value, dict):
            return "", "is not an object"
        for name, required, kind, field in fields:
            item = value.get(name, _MISSING)
            if item is _MISSING:
                if required:
                    return f".{name}", "is missing"
                continue
            if kind is not None and isinstance(item, kind):
                continue
            fail = field(item)
            if fail:
                return _at(f".{name}", fail)
        return None
    return check


def _at(where: str, fail: Fail) -> Fail:
    return where + fail[0], fail[1]


_MISSING = object()
_COMMAND = compile_spec(COMMAND)
_EVENT_CALLBACK = compile_spec(EVENT_CALLBACK)
_EVENTS = {kind: compile_spec(spec) for kind, spec in EVENTS.items()}
_ANY_EVENT = compile_spec(EVENT)
_INTERACTIONS = {kind: compile_spec(spec) for kind, spec in INTERACTIONS.items()}
_OTHER = {kind: compile_spec(spec) for kind, spec in OTHER.items()}
