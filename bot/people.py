"""Who people are, for documents a person reads outside Slack (exports): names and a time zone.

Looked up after the ack with `users.info` (Tier 4); anyone Slack cannot find stays an id.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, tzinfo
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

MEMBER_PAGES = 20  # conversations.members pages of 1,000: channels of up to 20,000 people


@dataclass(frozen=True)
class People:
    names: dict[str, str]
    tz: tzinfo  # the reader's


def readable(value: datetime | str | None, tz: tzinfo = UTC) -> str:
    """`5 Dec 2026, 14:03 CET`: a moment as people write it, in the reader's zone."""
    if value is None or value == "":
        return ""
    moment = datetime.fromisoformat(value) if isinstance(value, str) else value
    local = (moment if moment.tzinfo else moment.replace(tzinfo=UTC)).astimezone(tz)
    return f"{local.day} {local:%b %Y, %H:%M} {local.tzname() or ''}".rstrip()


def look_up(client: WebClient, user_ids: Iterable[str], *, viewer: str) -> People:
    names: dict[str, str] = {}
    tz: tzinfo = UTC
    for user_id in sorted({u for u in user_ids if u}):
        try:
            user = client.users_info(user=user_id)["user"]
        except SlackApiError:
            continue
        profile = user.get("profile") or {}
        names[user_id] = profile.get("display_name") or user.get("real_name") or user.get("name") or user_id
        if user_id == viewer and user.get("tz"):
            with contextlib.suppress(ZoneInfoNotFoundError, ValueError):
                tz = ZoneInfo(user["tz"])
    return People(names, tz)


def can_read_channel(client: WebClient, channel_id: str, user_id: str) -> bool:
    """Anyone in the workspace can read a public channel; a private one, its members."""
    try:
        if not client.conversations_info(channel=channel_id)["channel"].get("is_private"):
            return True
        cursor = None
        for _ in range(MEMBER_PAGES):
            page = client.conversations_members(channel=channel_id, limit=1000, cursor=cursor)
            if user_id in (page.get("members") or []):
                return True
            cursor = (page.get("response_metadata") or {}).get("next_cursor")
            if not cursor:
                return False
    except SlackApiError:
        return False
    return False
