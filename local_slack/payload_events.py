"""Events API payloads: the ``event_callback`` envelope and common inner events.

Kept apart from payloads.py only to keep modules small; import them from payloads.
The envelope carries ``event_id`` (what retry de-duplication must key on) and
``authorizations`` (the bot user) exactly as Slack delivers them.
"""

from __future__ import annotations

import secrets
import time
from typing import Any

from .ids import APP_ID, BOT_USER_ID, VERIFICATION_TOKEN, new_ts
from .ids import event_id as _event_id


def event_callback(
    event: dict[str, Any], *, event_id: str | None = None, team: str = "T0001"
) -> dict[str, Any]:
    """Wrap an event as the Events API delivers it (HTTP body / Socket Mode payload)."""
    return {
        "token": VERIFICATION_TOKEN,
        "team_id": team,
        "context_team_id": team,
        "context_enterprise_id": None,
        "api_app_id": APP_ID,
        "event": event,
        "type": "event_callback",
        "event_id": event_id or _event_id(),
        "event_time": int(time.time()),
        "authorizations": [
            {
                "enterprise_id": None,
                "team_id": team,
                "user_id": BOT_USER_ID,
                "is_bot": True,
                "is_enterprise_install": False,
            }
        ],
        "is_ext_shared_channel": False,
    }


def message_event(
    text: str,
    *,
    user: str,
    channel: str,
    channel_type: str = "im",
    ts: str | None = None,
    thread_ts: str | None = None,
    team: str = "T0001",
    bot_id: str | None = None,
    subtype: str | None = None,
) -> dict[str, Any]:
    """A ``message`` event (``channel_type`` im/channel/group/mpim); pass ``bot_id`` for bot posts."""
    ts = ts or new_ts()
    event: dict[str, Any] = {
        "type": "message",
        "user": user,
        "text": text,
        "ts": ts,
        "team": team,
        "channel": channel,
        "event_ts": ts,
        "channel_type": channel_type,
    }
    if bot_id is None:
        event["client_msg_id"] = secrets.token_hex(16)
        event["blocks"] = [
            {
                "type": "rich_text",
                "block_id": secrets.token_hex(2),
                "elements": [{"type": "rich_text_section", "elements": [{"type": "text", "text": text}]}],
            }
        ]
    else:
        event["bot_id"] = bot_id
        event["app_id"] = APP_ID
    if subtype is not None:
        event["subtype"] = subtype
    if thread_ts is not None:
        event["thread_ts"] = thread_ts
    return event


def app_home_opened(user: str, *, tab: str = "home", view: dict[str, Any] | None = None) -> dict[str, Any]:
    """The ``app_home_opened`` event; ``view`` only once a Home view was published."""
    event: dict[str, Any] = {
        "type": "app_home_opened",
        "user": user,
        "channel": "D" + user,
        "tab": tab,
        "event_ts": new_ts(),
    }
    if view is not None:
        event["view"] = view
    return event
