"""Journey cards in channels: `/journey show NAME` queues one (outbox: posted exactly once, its
place recorded), and every change rewrites each posted copy in place (`deps.live`)."""

from __future__ import annotations

import uuid

from slack_bolt import Ack
from slack_sdk import WebClient
from sqlmodel import Session

from bot import blocks, outbox
from bot.commands import CommandCall
from bot.deps import Deps
from bot.journeys import ids, image, lookup, modals, views
from bot.live_messages import Update
from bot.numbers import row_id
from bot.request_context import RequestContext
from bot.unit_of_work import UnitOfWork
from storage import journey_layers as layers
from storage import journey_links as links
from storage import journeys as store
from storage.db import unit_of_work
from storage.journey_models import Journey
from storage.outbox import Outgoing

CARD_KIND = "journey.card"


def key(journey_id: int) -> str:
    return f"journey-card:{journey_id}"


def handle_show_command(call: CommandCall) -> None:
    journey = lookup.by_name(call.ctx, call.raw_args)
    if journey is None:
        call.ack(**lookup.not_found(call.ctx, call.raw_args))
        return
    call.ctx.enqueue(Outgoing(CARD_KIND, f"journey:{journey.id}:card:{uuid.uuid4().hex}", {
        "journey_id": journey.id, "channel": call.channel_id, "user": call.user_id}))
    call.ack()


def send_card(deps: Deps, client: WebClient, delivery: outbox.Delivery) -> tuple[str, str] | None:
    """Post the card, record where it is, and queue its image into its thread."""
    with unit_of_work(deps.engine) as db:
        journey = store.get_journey(db, team_id=delivery.team_id, journey_id=int(delivery.payload["journey_id"]))
        if journey is None:
            return None
        journey_map = layers.load_map(db, journey=journey)
    channel = str(delivery.payload["channel"])
    found = outbox.find_posted(client, channel=channel, thread_ts=None, delivery=delivery) if delivery.retry else None
    if found is None:
        posted = client.chat_postMessage(channel=channel, blocks=views.build_card(deps.prompts, journey_map),
                                         text=views.fallback_text(deps.prompts, journey_map),
                                         metadata=delivery.metadata)
        found = posted["channel"], posted["ts"]
    with UnitOfWork(deps) as uow:
        links.add_card(uow.db, team_id=delivery.team_id, journey_id=journey.id, channel_id=found[0],
                       message_ts=found[1], layer_filter=None, now=deps.clock.now())
        card = next(c for c in links.list_cards(uow.db, team_id=delivery.team_id, journey_id=journey.id)
                    if (c.channel_id, c.message_ts) == found)
        uow.enqueue(delivery.team_id, [image.image_message(journey, card_id=card.id)])
    return found


def card_refused(deps: Deps, delivery: outbox.Delivery, error: str) -> None:
    """The channel refused the card (the bot is not in it...): tell the person who asked."""
    user = str(delivery.payload.get("user") or "")
    if user:
        deps.client_for(delivery.team_id).chat_postMessage(
            channel=user, text=deps.prompts.part(lookup.REPLIES, "cannot_post", channel=delivery.payload["channel"],
                                                 error=error))


def render_all(deps: Deps, db: Session, journey: Journey) -> list[Update]:
    journey_map = layers.load_map(db, journey=journey)
    text = views.fallback_text(deps.prompts, journey_map)
    return [Update(c.channel_id, c.message_ts, views.build_card(deps.prompts, journey_map, layer_filter=c.layer_filter),
                   text) for c in links.list_cards(db, team_id=journey.team_id, journey_id=journey.id)]


def current(deps: Deps, team_id: str, journey_id: int) -> list[Update]:
    with unit_of_work(deps.engine) as db:
        journey = store.get_journey(db, team_id=team_id, journey_id=journey_id)
        return render_all(deps, db, journey) if journey is not None else []


def refresh(deps: Deps, team_id: str, journey_id: int) -> None:
    """Every posted card of the journey shows the latest state soon (coalesced, paced)."""
    deps.live.refresh(team_id, key(journey_id), lambda: current(deps, team_id, journey_id))


def handle_filter(ack: Ack, ctx: RequestContext) -> None:
    """The card's persona filter: that card now shows one layer (or all) for everyone."""
    chosen = ctx.value
    channel = str((ctx.body.get("container") or {}).get("channel_id") or ctx.channel_id)
    journey_id = links.set_card_filter(ctx.db, team_id=ctx.team_id, channel_id=channel, message_ts=ctx.message_ts,
                                       layer_filter=row_id(chosen))
    ack()
    if journey_id is not None:
        ctx.later(refresh, ctx.deps, ctx.team_id, journey_id)


def handle_differ(ack: Ack, ctx: RequestContext) -> None:
    journey = lookup.by_value(ctx)
    prompts = ctx.deps.prompts
    if journey is None:
        view = modals.build_gone(prompts)
    else:
        found = layers.load_map(ctx.db, journey=journey)
        view = blocks.modal(callback_id=ids.INFO_MODAL, title=prompts.part(views.CARD, "differ_title"),
                            blocks=views.build_differences(prompts, found), close=prompts.part(views.CARD, "close"))
    ack()
    ctx.later(lookup.open_modal, ctx, view)
