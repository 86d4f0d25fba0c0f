"""Keeping every posted card in step with its persona after a change.

A card in a channel or a DM is a message: after an edit, new evidence, a review or the
retirement it would go on showing the old content (and live buttons on a retired persona).
So the bot remembers where cards are (`storage.persona_cards`): each card it posts itself
(Share, the DM after a save) and each card someone presses a button on (a card shared through
a `response_url` has no ts until then). After a change, and after the ack, `follow` rewrites
them with `chat.update`. An ephemeral preview cannot be reached by `chat.update`; when the
change came from one, its `response_url` replaces it (`origin` carries it through the modal).
"""

from __future__ import annotations

import logging
from typing import Any

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from slack_sdk.webhook import WebhookClient

from bot.deps import Deps
from bot.personas import cards
from storage import persona_cards
from storage import personas as store

log = logging.getLogger(__name__)
INTRO_MAX = persona_cards.INTRO_MAX  # the intro rides in a modal's private_metadata (3000 characters)
FOLLOWED = 20  # the newest copies rewritten per change (chat.update is Tier 3)
GONE = frozenset({"message_not_found", "channel_not_found", "cant_update_message", "is_archived"})


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
    return found


def remember(deps: Deps, *, team_id: str, persona_id: int, where: dict[str, Any] | None) -> None:
    """Note a posted card (`origin` shape: c, ts, i) so later changes rewrite it."""
    if where and where.get("c") and where.get("ts"):
        persona_cards.remember_card(deps.engine, team_id=team_id, persona_id=persona_id,
                                    channel_id=str(where["c"]), message_ts=str(where["ts"]),
                                    intro=str(where.get("i") or ""), now=deps.clock.now())


def follow(deps: Deps, client: WebClient, *, team_id: str, persona_id: int,
           where: dict[str, Any] | None = None) -> None:
    """Rewrite every remembered card, and the ephemeral one the change came from; failures only log."""
    remember(deps, team_id=team_id, persona_id=persona_id, where=where)
    persona = store.get_persona(deps.engine, team_id=team_id, persona_id=persona_id)
    if persona is None:
        return
    if where and where.get("r"):
        _replace_ephemeral(deps, client, persona, str(where["r"]))
    built: dict[str, dict[str, Any]] = {}  # one build per intro: the warnings cost queries
    for card in persona_cards.list_cards(deps.engine, team_id=team_id, persona_id=persona_id, limit=FOLLOWED):
        if card.intro not in built:
            built[card.intro] = cards.card(deps, persona, intro=card.intro or None)
        try:
            client.chat_update(channel=card.channel_id, ts=card.message_ts, **built[card.intro])
        except SlackApiError as exc:
            error = exc.response.get("error")
            log.warning("could not refresh a card of persona %s in %s: %s", persona_id, card.channel_id, error)
            if error in GONE:
                persona_cards.forget_card(deps.engine, card_id=card.id)


def _replace_ephemeral(deps: Deps, client: WebClient, persona: Any, url: str) -> None:
    shown = cards.card(deps, persona, shareable=persona.status == "active")
    try:
        answer = WebhookClient(url, ssl=client.ssl, proxy=client.proxy).send(replace_original=True, **shown)
    except OSError as exc:  # unreachable or expired response_url
        log.warning("could not refresh an ephemeral card of persona %s: %s", persona.id, exc)
        return
    if answer.status_code != 200:
        log.warning("could not refresh an ephemeral card of persona %s: %s", persona.id, answer.body)

