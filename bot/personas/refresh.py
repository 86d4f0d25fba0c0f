"""Keeping the card a button was pressed on in step with its persona after the change it led to.

A card in a channel or a DM is a message: after Edit, Add evidence or Retire it would go on
showing the old content (and live buttons on a retired persona). The button's message is
remembered as an `origin` (carried through the modal in its `private_metadata`) and, after the
ack and the change, rewritten in place: `chat.update` for a posted message, the `response_url`
(`replace_original`) for an ephemeral preview, which `chat.update` cannot reach.
"""

from __future__ import annotations

import logging
from typing import Any

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from slack_sdk.webhook import WebhookClient

from bot.deps import Deps
from bot.personas import cards, ids
from storage import personas as store

log = logging.getLogger(__name__)
INTRO_MAX = 500  # the intro rides in a modal's private_metadata (3000 characters in all)


def origin(body: dict[str, Any]) -> dict[str, str]:
    """Where the pressed card lives: {} for anything but a card message (a modal, Home)."""
    container = body.get("container") or {}
    if container.get("type") != "message":
        return {}
    if container.get("is_ephemeral"):
        return {"r": body.get("response_url") or ""} if body.get("response_url") else {}
    channel, ts = container.get("channel_id") or "", container.get("message_ts") or ""
    if not (channel and ts):
        return {}
    found: dict[str, str] = {"c": channel, "ts": ts}
    shown = (body.get("message") or {}).get("blocks") or []
    if shown and shown[0].get("type") == "section":  # the card's intro ("Shared by ...") stays
        found["i"] = str((shown[0].get("text") or {}).get("text") or "")[:INTRO_MAX]
    if any(e.get("action_id") == ids.SHARE for b in shown for e in b.get("elements") or []):
        found["s"] = "1"
    return found


def refresh(deps: Deps, client: WebClient, *, team_id: str, persona_id: int, where: dict[str, Any] | None) -> None:
    """Rewrite the card at `where` with the persona as it is now; a failure only logs."""
    if not where:
        return
    persona = store.get_persona(deps.engine, team_id=team_id, persona_id=persona_id)
    if persona is None:
        return
    try:
        if where.get("r"):
            shown = cards.card(deps, persona, shareable=persona.status == "active")
            answer = WebhookClient(str(where["r"]), ssl=client.ssl, proxy=client.proxy).send(
                replace_original=True, **shown)
            if answer.status_code != 200:
                log.warning("could not refresh an ephemeral card of persona %s: %s", persona_id, answer.body)
        elif where.get("c") and where.get("ts"):
            shown = cards.card(deps, persona, shareable=bool(where.get("s")), intro=where.get("i") or None)
            client.chat_update(channel=str(where["c"]), ts=str(where["ts"]), **shown)
    except SlackApiError as exc:
        log.warning("could not refresh the card of persona %s: %s", persona_id, exc.response.get("error"))
