"""Keeping every posted card in step with its persona after a change.

A card in a channel or a DM is a message: after an edit, new evidence, a review or the
retirement it would go on showing the old content (and live buttons on a retired persona).
So the bot remembers where cards are (`storage.persona_cards`): each card it posts itself
(`send_card`, an outbox sender: Share, the DM after a save, the end of the conversation) and
each card someone presses a button on (a card shared through a `response_url` has no ts until
then). After a change `follow` asks `deps.live` for a refresh: coalesced, paced, and within
the workspace's `chat.update` budget like the empathy board. An ephemeral preview cannot be
reached by `chat.update`; when the change came from one, its `response_url` replaces it
(`origin` carries it through the modal) after the ack.
"""

from __future__ import annotations

import functools
import logging
from typing import Any

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from slack_sdk.webhook import WebhookClient
from sqlmodel import Session

from bot import outbox
from bot.deps import Deps
from bot.live_messages import Update
from bot.personas import cards
from storage import persona_cards
from storage import personas as store
from storage.db import unit_of_work
from storage.outbox import Outgoing
from storage.states import PersonaStatus

log = logging.getLogger(__name__)
INTRO_MAX = persona_cards.INTRO_MAX  # the intro rides in a modal's private_metadata (3000 characters)
FOLLOWED = 20  # the newest copies rewritten per change (chat.update is Tier 3)
CARD = "persona.card"
NOT_A_MEMBER = frozenset({"not_in_channel", "channel_not_found"})


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


def remember(db: Session, deps: Deps, *, team_id: str, persona_id: int, where: dict[str, Any] | None) -> None:
    """Note a posted card (`origin` shape: c, ts, i) so later changes rewrite it."""
    if where and where.get("c") and where.get("ts"):
        persona_cards.remember_card(db, team_id=team_id, persona_id=persona_id, channel_id=str(where["c"]),
                                    message_ts=str(where["ts"]), intro=str(where.get("i") or ""),
                                    now=deps.clock.now())


def key(persona_id: int) -> str:
    return f"persona:{persona_id}"


def follow(deps: Deps, team_id: str, persona_id: int) -> None:
    """After a commit: every remembered card of the persona shows it as stored (soon, paced)."""
    deps.live.refresh(team_id, key(persona_id), lambda: current(deps, team_id, persona_id))


def current(deps: Deps, team_id: str, persona_id: int) -> list[Update]:
    """The remembered cards, each rendered from the database as it is now."""
    with unit_of_work(deps.engine) as db:
        persona = store.get_persona(db, team_id=team_id, persona_id=persona_id)
        if persona is None:
            return []
        built: dict[str, dict[str, Any]] = {}  # one build per intro: the warnings cost queries
        updates = []
        for card in persona_cards.list_cards(db, team_id=team_id, persona_id=persona_id, limit=FOLLOWED):
            if card.intro not in built:
                built[card.intro] = cards.card(deps, db, persona, intro=card.intro or None)
            shown = built[card.intro]
            updates.append(Update(card.channel_id, card.message_ts, shown["blocks"], shown["text"],
                                  gone=functools.partial(forget, deps, card.id)))
    return updates


def forget(deps: Deps, card_id: int) -> None:
    """A card whose message is gone (deleted, archived channel) is never rewritten again."""
    with unit_of_work(deps.engine) as db:
        persona_cards.forget_card(db, card_id=card_id)


def replace_ephemeral(deps: Deps, client: WebClient, team_id: str, persona_id: int, url: str) -> None:
    """After the ack: the ephemeral preview the change came from shows the persona as stored."""
    with unit_of_work(deps.engine) as db:
        persona = store.get_persona(db, team_id=team_id, persona_id=persona_id)
        if persona is None:
            return
        shown = cards.card(deps, db, persona, shareable=persona.status == PersonaStatus.ACTIVE)
    try:
        answer = WebhookClient(url, ssl=client.ssl, proxy=client.proxy).send(replace_original=True, **shown)
    except OSError as exc:  # unreachable or expired response_url
        log.warning("could not refresh an ephemeral card of persona %s: %s", persona_id, exc)
        return
    if answer.status_code != 200:
        log.warning("could not refresh an ephemeral card of persona %s: %s", persona_id, answer.body)


def after_change(ctx: Any, persona_id: int, where: dict[str, Any] | None = None) -> None:
    """In a request, before the ack: remember the card the change came from; after the ack,
    refresh every card (and replace the ephemeral preview it came from)."""
    remember(ctx.db, ctx.deps, team_id=ctx.team_id, persona_id=persona_id, where=where)
    ctx.later(follow, ctx.deps, ctx.team_id, persona_id)
    if where and where.get("r"):
        ctx.later(replace_ephemeral, ctx.deps, ctx.client, ctx.team_id, persona_id, str(where["r"]))


def post_card(persona_id: int, *, channel: str, intro: str = "", keep_intro: bool = True, shareable: bool = False,
              thread_ts: str = "", response_url: str = "", key: str, lane: str = "") -> Outgoing:
    """An outbox message posting a persona's card (rendered when sent) and remembering where it
    landed; `response_url` is the way in when the bot is not a member of the channel."""
    return Outgoing(CARD, key=key, lane=lane or f"persona:{persona_id}", payload={
        "persona_id": persona_id, "channel": channel, "thread_ts": thread_ts, "intro": intro,
        "keep_intro": keep_intro, "shareable": shareable, "response_url": response_url})


def send_card(deps: Deps, client: WebClient, delivery: outbox.Delivery) -> tuple[str, str] | None:
    p = delivery.payload
    team_id, persona_id = delivery.team_id, int(p["persona_id"])
    with unit_of_work(deps.engine) as db:
        persona = store.get_persona(db, team_id=team_id, persona_id=persona_id)
        if persona is None:
            return None
        shown = cards.card(deps, db, persona, shareable=bool(p.get("shareable")), intro=p.get("intro") or None)
    if p.get("intro"):
        shown["text"] = p["intro"]  # what notifications and screen readers say: "saved", "shared by"
    thread_ts = p.get("thread_ts") or None
    found = outbox.find_posted(client, channel=p["channel"], thread_ts=thread_ts, delivery=delivery) \
        if delivery.retry else None
    if found is None:
        try:
            posted = client.chat_postMessage(channel=p["channel"], thread_ts=thread_ts, metadata=delivery.metadata,
                                             **shown)
        except SlackApiError as exc:  # a channel the bot is not in: Slack still takes it by response_url
            if not (p.get("response_url") and exc.response.get("error") in NOT_A_MEMBER):
                raise
            log.info("sharing persona %s by response_url: %s", persona_id, exc.response.get("error"))
            WebhookClient(p["response_url"], ssl=client.ssl, proxy=client.proxy).send(
                response_type="in_channel", replace_original=False, delete_original=False, **shown)
            return None
        found = posted["channel"], posted["ts"]
    with unit_of_work(deps.engine) as db:
        remember(db, deps, team_id=team_id, persona_id=persona_id,
                 where={"c": found[0], "ts": found[1], "i": p.get("intro") if p.get("keep_intro") else ""})
    return found
