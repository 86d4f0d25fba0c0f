"""Realistic, unique Slack identifiers (ts, trigger_id, response_url, event_id).

Bots key on these (dedupe by event_id, thread by ts), so they must be unique per call and
shaped like Slack's; a ts must also sort in posting order.
"""

from __future__ import annotations

import itertools
import secrets
import threading
import time

TEAM_DOMAIN = "workshop"
APP_ID = "A0001"
BOT_USER_ID = "UBOT"
VERIFICATION_TOKEN = "fAkEvErIfIcAtIoNtOkEn"

_lock = threading.Lock()
_last_us = 0  # microseconds: integers, so consecutive ts always increase
_counter = itertools.count(1)


def new_ts() -> str:
    """A unique, increasing Slack ts (seconds.microseconds) close to now."""
    global _last_us
    with _lock:
        _last_us = max(time.time_ns() // 1000, _last_us + 1)
        return f"{_last_us // 1_000_000}.{_last_us % 1_000_000:06d}"


def trigger_id() -> str:
    """Looks like Slack's ``1234567890123.1234567890.0123456789abcdef...``."""
    first = f"{int(time.time() * 1000)}{next(_counter) % 1000:03d}"
    return f"{first}.{1_000_000_000 + next(_counter)}.{secrets.token_hex(16)}"


def trigger_age(trigger: str, *, at: float | None = None) -> float | None:
    """Seconds from when ``trigger_id()`` made ``trigger`` to ``at`` (default: now); None for ids of
    another shape."""
    first = trigger.split(".", 1)[0]
    if len(first) < 16 or not first.isdigit():
        return None
    return (time.time() if at is None else at) - int(first[:-3]) / 1000


def response_url(kind: str = "commands", team: str = "T0001") -> str:
    """``kind`` is ``commands`` (slash commands) or ``actions`` (interactions)."""
    serial = f"{int(time.time())}{next(_counter) % 1000:03d}"
    return f"https://hooks.slack.com/{kind}/{team}/{serial}/{secrets.token_urlsafe(18)}"


def event_id() -> str:
    """Like ``Ev08ABCDEF12``: what retry-dedupe logic keys on."""
    return "Ev" + secrets.token_hex(5).upper()
