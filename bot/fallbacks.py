"""Polite answers for anything no feature handles: stale buttons, unknown views, errors.

Registered after every feature, so these catch-all listeners only see what nobody else took.
"""

from __future__ import annotations

import logging
import re
from typing import Any

from slack_bolt import Ack, App, Respond
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.deps import Deps

log = logging.getLogger(__name__)
ANYTHING = re.compile(".*")


def register(app: App, deps: Deps) -> None:
    def handle_unknown_action(ack: Ack, body: dict[str, Any], client: WebClient, respond: Respond) -> None:
        ack()
        if body.get("actions", [{}])[0].get("type") == "button" and body["actions"][0].get("url"):
            return
        tell_user(body, client, respond, deps.prompts.render("errors/stale_action"))

    def handle_unknown_view(ack: Ack) -> None:
        ack(response_action="clear")

    def handle_unknown_shortcut(ack: Ack, body: dict[str, Any], client: WebClient, respond: Respond) -> None:
        ack()
        tell_user(body, client, respond, deps.prompts.render("errors/stale_action"))

    def handle_error(error: Exception, body: dict[str, Any], client: WebClient, respond: Respond) -> None:
        log.exception("unhandled error in a listener", exc_info=error)
        tell_user(body, client, respond, deps.prompts.render("errors/internal"))

    app.action(ANYTHING)(handle_unknown_action)
    app.view(ANYTHING)(handle_unknown_view)
    app.view_closed(ANYTHING)(lambda ack: ack())
    app.shortcut(ANYTHING)(handle_unknown_shortcut)
    app.event("message")(ignore_other_messages)
    app.error(handle_error)


def ignore_other_messages() -> None:
    """Channel messages no feature wants (most of them): acked, or Bolt answers 404 and Slack retries."""


def tell_user(body: dict[str, Any], client: WebClient, respond: Respond | None, text: str) -> None:
    """Say something only the acting user sees: in place when Slack gave a response_url, else a DM."""
    user = (body.get("user") or {}).get("id") or body.get("user_id")
    try:
        if respond is not None and (body.get("response_url") or body.get("response_urls")):
            respond(text=text, response_type="ephemeral", replace_original=False)
        elif user:
            client.chat_postMessage(channel=user, text=text)
    except SlackApiError as exc:
        log.warning("could not tell %s: %s", user, exc.response.get("error"))
    except OSError as exc:  # the response_url or Slack itself unreachable: nothing more to do
        log.warning("could not tell %s: %s", user, exc)
