"""Did a nudge already reach the owner? Asked only when taking over an abandoned claim.

A process can die after Slack accepted the nudge but before the database recorded it. Every
nudge carries its review id in message metadata, so the DM's recent history tells whether it
went out; only when it did not (or Slack cannot tell) is it posted again.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.governance import ids

log = logging.getLogger(__name__)


def already_posted(client: WebClient, *, owner_id: str, review_ids: list[int],
                   since: datetime) -> tuple[str, str] | None:
    """(channel, ts) of a nudge for any of `review_ids` (a grouped nudge lists several) posted
    since `since`, or None."""
    try:
        channel = client.conversations_open(users=owner_id)["channel"]["id"]
        history = client.conversations_history(channel=channel, include_all_metadata=True, limit=100,
                                               oldest=str((since - timedelta(minutes=1)).timestamp()))
    except (SlackApiError, OSError) as exc:
        log.warning("could not check the DM with %s for an earlier nudge: %s", owner_id, exc)
        return None
    for message in history.get("messages") or []:
        metadata = message.get("metadata") or {}
        payload = metadata.get("event_payload") or {}
        listed = {payload.get("review_id"), *(payload.get("review_ids") or [])}
        if metadata.get("event_type") == ids.NUDGE_EVENT and listed & set(review_ids):
            return channel, message["ts"]
    return None
