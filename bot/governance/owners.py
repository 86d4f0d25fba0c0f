"""Who owns a review, where they are, and when it is polite to nudge them.

`users.info` tells an owner's time zone and whether they left the workspace. Answers are cached
for a few hours per process (time zones rarely change; Tier 4 calls are not free), and a failed
lookup falls back to the workspace's default time zone rather than delaying the nudge.
"""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, timezone, tzinfo
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.clock import Clock
from bot.deps import Deps

log = logging.getLogger(__name__)
CACHE_FOR = timedelta(hours=6)
GONE_ERRORS = frozenset({"user_not_found", "account_inactive", "user_disabled"})


@dataclass(frozen=True)
class Owner:
    user_id: str
    tz: tzinfo
    gone: bool
    """Deactivated or no longer found: nobody reads their DMs, so the item counts as unowned."""
    bot: bool = False
    """A bot user cannot own anything."""


def owner_directory(deps: Deps) -> OwnerDirectory:
    """The app's one directory: governance and the Home tab share its cache (and its forgetting)."""
    if deps.owners is None:
        deps.owners = OwnerDirectory(deps.client, deps.clock, deps.settings.default_timezone)
    return deps.owners


class OwnerDirectory:
    """A per-process cache of owners' `users.info`, safe to share between sweep threads."""

    def __init__(self, client: WebClient, clock: Clock, default_timezone: str) -> None:
        self._client = client
        self._clock = clock
        self._default = _zone(default_timezone) or UTC
        self._cache: dict[tuple[str, str], tuple[datetime, Owner]] = {}
        self._lock = threading.Lock()

    def lookup(self, team_id: str, user_id: str) -> Owner:
        now = self._clock.now()
        with self._lock:
            cached = self._cache.get((team_id, user_id))
        if cached is not None and cached[0] > now:
            return cached[1]
        owner, cacheable = self._fetch(user_id)
        if cacheable:
            with self._lock:
                self._cache[(team_id, user_id)] = (now + CACHE_FOR, owner)
        return owner

    def forget(self, team_id: str, user_id: str) -> None:
        with self._lock:
            self._cache.pop((team_id, user_id), None)

    def _fetch(self, user_id: str) -> tuple[Owner, bool]:
        try:
            user = self._client.users_info(user=user_id)["user"]
        except SlackApiError as exc:
            error = exc.response.get("error", "")
            if error in GONE_ERRORS:
                return Owner(user_id, self._default, gone=True), True
            log.warning("users.info failed for %s (%s); using the default time zone", user_id, error)
            return Owner(user_id, self._default, gone=False), False
        except OSError as exc:
            log.warning("users.info unreachable for %s (%s); using the default time zone", user_id, exc)
            return Owner(user_id, self._default, gone=False), False
        gone = bool(user.get("deleted"))
        tz = _zone(user.get("tz")) or _offset(user.get("tz_offset")) or self._default
        return Owner(user_id, tz, gone=gone, bot=bool(user.get("is_bot"))), True


@dataclass(frozen=True)
class WorkingHours:
    """When nudges may arrive in the owner's local time: weekdays, `start` to `end` o'clock."""

    start: int = 10
    end: int = 17

    def next_slot(self, now: datetime, tz: tzinfo) -> datetime:
        """`now` if it is within working hours where the owner is, else the next start of them."""
        local = now.astimezone(tz)
        if local.weekday() < 5 and self.start <= local.hour < self.end:
            return now
        day = local.date() if local.hour < self.start else local.date() + timedelta(days=1)
        while day.weekday() >= 5:
            day += timedelta(days=1)
        start = datetime(day.year, day.month, day.day, self.start, tzinfo=tz)
        return start.astimezone(UTC)


def _zone(name: object) -> tzinfo | None:
    if not isinstance(name, str) or not name:
        return None
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return None


def _offset(seconds: object) -> tzinfo | None:
    if isinstance(seconds, int) and -86400 < seconds < 86400:
        return timezone(timedelta(seconds=seconds))
    return None
