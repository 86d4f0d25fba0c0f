"""Decode Web API request bodies the way Slack does.

slack_sdk sends some methods as JSON and others form-encoded, where JSON-typed fields
(``blocks``, ``view``...) arrive as JSON strings; the same bot code may hit both paths,
so the fake must normalise them before recording and validating.
"""

from __future__ import annotations

import contextlib
import json
from typing import Any
from urllib.parse import parse_qsl

# Fields Slack documents as JSON; sent as strings in form bodies (and sometimes in JSON).
JSON_FIELDS = ("blocks", "view", "attachments", "metadata", "files", "outputs", "user_auth_blocks")


class BadJson(ValueError):
    """The body claimed to be JSON but was not (Slack answers ``invalid_json``)."""


def decode_args(content_type: str, query: str, body: bytes) -> tuple[dict[str, Any], bool]:
    """Return ``(args, is_json)`` with JSON-typed string fields decoded."""
    mime = content_type.split(";")[0].strip().lower()
    args: dict[str, Any] = dict(parse_qsl(query, keep_blank_values=True))
    is_json = mime == "application/json"
    if is_json:
        try:
            parsed = json.loads(body or b"{}")
        except ValueError as exc:
            raise BadJson(str(exc)) from exc
        if not isinstance(parsed, dict):
            raise BadJson("expected a JSON object")
        args.update(parsed)
    elif body and mime in ("", "application/x-www-form-urlencoded"):
        args.update(parse_qsl(body.decode("utf-8"), keep_blank_values=True))
    for key in JSON_FIELDS:
        value = args.get(key)
        if isinstance(value, str) and value[:1] in ("[", "{"):
            with contextlib.suppress(ValueError):  # left as a string: validators report it
                args[key] = json.loads(value)
    return args, is_json


def bearer_token(authorization: str | None) -> str | None:
    if authorization and authorization.lower().startswith("bearer "):
        return authorization[7:].strip() or None
    return None
