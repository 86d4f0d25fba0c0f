"""Who may own a persona or a journey, and where an owner is: `users.info`, cached per workspace.

An owner must be an active human member of the workspace the item lives in: not a bot (nor
workshop-bot itself, nor Slackbot), not deactivated, and an id Slack knows as a user. Every way
of choosing an owner (the persona form and conversation, Edit, Reassign, a journey's owner
field) asks `refusal`, and governance reads owners' time zones through the same cache.

The cache is per process and keyed by workspace; each lookup uses that workspace's own token
(`deps.client_for`), so with OAuth installs no workspace is asked about another's people.
Answers are kept a few hours (time zones rarely change; Tier 4 calls are not free). A lookup
Slack could not answer falls back to the default time zone and is not cached; one for a
workspace that removed the app raises bot.slack_client.NotInstalled.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
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
SLACKBOT = "USLACKBOT"


@dataclass(frozen=True)
class Owner:
    user_id: str
    tz: tzinfo
    gone: bool
    """Deactivated or no longer found: nobody reads their DMs, so the item counts as unowned."""
    bot: bool = False
    """A bot user cannot own anything."""
    known: bool = True
    """False when Slack says the id is no user at all (as opposed to a deactivated one)."""


def owner_directory(deps: Deps) -> OwnerDirectory:
    """The app's one directory: governance, Home and the owner checks share its cache."""
    if deps.owners is None:
        deps.owners = OwnerDirectory(deps.client_for, deps.clock, deps.settings.default_timezone)
    return deps.owners


def refusal(deps: Deps, *, team_id: str, user_id: str) -> str | None:
    """Why `user_id` cannot own things in `team_id` ("not_a_user", "a_bot", "deactivated"), or None.

    One cached `users.info` with the workspace's own token; when Slack cannot be asked, the person
    is given the benefit of the doubt (the sweep treats a gone owner as unowned later anyway)."""
    if not user_id or user_id == SLACKBOT:
        return "not_a_user" if not user_id else "a_bot"
    owner = owner_directory(deps).lookup(team_id, user_id)
    if not owner.known:
        return "not_a_user"
    if owner.bot:
        return "a_bot"
    if owner.gone:
        return "deactivated"
    return None


class OwnerDirectory:
    """A per-process cache of owners' `users.info` per workspace, safe to share between threads."""

    def __init__(self, client_for: Callable[[str], WebClient], clock: Clock, default_timezone: str) -> None:
        self._client_for = client_for
        self._clock = clock
        self._default = _zone(default_timezone) or UTC
        self._cache: dict[tuple[str, str], tuple[datetime, Owner]] = {}
        self._lock = threading.Lock()

    def lookup(self, team_id: str, user_id: str) -> Owner:
        """Raises bot.slack_client.NotInstalled when `team_id` removed the app."""
        now = self._clock.now()
        with self._lock:
            cached = self._cache.get((team_id, user_id))
        if cached is not None and cached[0] > now:
            return cached[1]
        owner, cacheable = self._fetch(self._client_for(team_id), user_id)
        if cacheable:
            with self._lock:
                self._cache[(team_id, user_id)] = (now + CACHE_FOR, owner)
        return owner

    def forget(self, team_id: str, user_id: str | None = None) -> None:
        """Ask Slack again next time: about one person, or (None) about everyone in a workspace."""
        with self._lock:
            for key in [k for k in self._cache if k[0] == team_id and user_id in (None, k[1])]:
                del self._cache[key]

    def _fetch(self, client: WebClient, user_id: str) -> tuple[Owner, bool]:
        try:
            user = client.users_info(user=user_id)["user"]
        except SlackApiError as exc:
            error = exc.response.get("error", "")
            if error in GONE_ERRORS:
                return Owner(user_id, self._default, gone=True, known=error != "user_not_found"), True
            log.warning("users.info failed for %s (%s); using the default time zone", user_id, error)
            return Owner(user_id, self._default, gone=False), False
        except OSError as exc:
            log.warning("users.info unreachable for %s (%s); using the default time zone", user_id, exc)
            return Owner(user_id, self._default, gone=False), False
        gone = bool(user.get("deleted"))
        tz = _zone(user.get("tz")) or _offset(user.get("tz_offset")) or self._default
        return Owner(user_id, tz, gone=gone, bot=bool(user.get("is_bot")) or user_id == SLACKBOT), True


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
