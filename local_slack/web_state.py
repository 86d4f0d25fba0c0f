"""Shared state and error plumbing for the fake Web API's method handlers.

Handlers raise SlackError to answer ``{"ok": false, "error": code}`` exactly as Slack
does, so bots' error handling runs against the real codes. Not thread-safe on its own:
FakeSlack calls handlers under its lock.
"""

from __future__ import annotations

import itertools
from typing import Any

TEAM_ID = "T0001"
BOT_ID = "B0001"
DEFAULT_TZ = "Europe/London"

Answer = dict[str, Any]


class SlackError(Exception):
    """Raised by a handler to answer ``{"ok": false, "error": code}``."""

    def __init__(self, code: str) -> None:
        super().__init__(code)
        self.code = code


def need(args: dict[str, Any], key: str, error: str) -> Any:
    value = args.get(key)
    if value in (None, ""):
        raise SlackError(error)
    return value


def dm_channel(user: str) -> str:
    """Slack's IM channel id for a user; the fake derives it as ``"D" + user``."""
    return "D" + user


class WorkspaceState:
    """Users, channels, messages, views, files: what the handlers read and write."""

    def __init__(self, base_url: str) -> None:
        self.base_url = base_url  # http://127.0.0.1:PORT (no trailing slash)
        self.users: dict[str, dict[str, Any] | None] = {}
        self.channels: dict[str, dict[str, Any] | None] = {}
        self.messages: dict[tuple[str, str], dict[str, Any]] = {}
        self.views: dict[str, dict[str, Any]] = {}
        self.reactions: set[tuple[str, str, str]] = set()
        self.scheduled: dict[str, dict[str, Any]] = {}
        self.uploads: dict[str, bytes] = {}
        self.files: dict[str, dict[str, Any]] = {}
        self.socket_mode_url: str | None = None
        self.token: str | None = None  # token of the call being handled (set by FakeSlack)
        self.trigger_ttl: float | None = None  # seconds; views.open refuses older trigger_ids (opt-in)
        self._serial = itertools.count(1)
        self._home_views: dict[str, str] = {}

    def _id(self, prefix: str) -> str:
        return f"{prefix}{next(self._serial):04d}"
