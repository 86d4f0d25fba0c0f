"""Answering only the person who acted: ephemeral in the given channel (where the bot is a
member, e.g. a session's channel), else through the response_url Slack gave with the click,
else in a DM."""

from __future__ import annotations

import logging
from typing import Any

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from slack_sdk.webhook import WebhookClient

log = logging.getLogger(__name__)


def tell_user(body: dict[str, Any], client: WebClient, text: str, *, channel: str = "", user: str = "") -> None:
    """Never raises: when Slack cannot take the answer there is nobody left to tell."""
    user = user or (body.get("user") or {}).get("id") or body.get("user_id") or ""
    urls = [body.get("response_url")] + [u.get("response_url") for u in body.get("response_urls") or []
                                         if isinstance(u, dict)]
    url = next((u for u in urls if isinstance(u, str) and u), None)
    try:
        if channel and user:
            try:
                client.chat_postEphemeral(channel=channel, user=user, text=text)
                return
            except SlackApiError as exc:
                if not url:
                    raise
                log.info("telling %s through the response_url (%s)", user, exc.response.get("error"))
        if url:
            WebhookClient(url).send(text=text, response_type="ephemeral", replace_original=False)
        elif user:
            client.chat_postMessage(channel=user, text=text)
    except SlackApiError as exc:
        log.warning("could not tell %s: %s", user, exc.response.get("error"))
    except OSError as exc:  # the response_url or Slack itself unreachable: nothing more to do
        log.warning("could not tell %s: %s", user, exc)
