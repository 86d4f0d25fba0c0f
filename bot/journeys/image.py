"""The journey map image, uploaded into the thread of the journey's cards (outbox sender).

Keyed by the revision the last uploaded image showed and held back a little (`IMAGE_DELAY`):
every change until that image is sent shares its key, so a burst of edits uploads one image,
drawn from what the database holds when it goes. A change that lands while it uploads queues
the next one (the revision moved past the one drawn).
"""

from __future__ import annotations

from datetime import timedelta

from slack_sdk import WebClient

from bot import outbox
from bot.deps import Deps
from bot.render.journey_map import Curve, render_map
from bot.unit_of_work import UnitOfWork
from prompts import Prompts
from storage import journey_layers as layers
from storage import journey_links as links
from storage import journeys as store
from storage.db import unit_of_work
from storage.journey_layers import JourneyMap
from storage.journey_models import Journey
from storage.outbox import Outgoing

IMAGE_KIND = "journey.image"
IMAGE_DELAY = timedelta(seconds=10)
THREADS = 3  # the newest cards get the new image in their thread


def image_message(journey: Journey, *, card_id: int | None = None) -> Outgoing:
    """For the cards' threads (one burst, one key); or for one new card's thread at once."""
    if card_id is not None:
        return Outgoing(IMAGE_KIND, f"journey:{journey.id}:image:card:{card_id}",
                        {"journey_id": journey.id, "card_id": card_id})
    return Outgoing(IMAGE_KIND, f"journey:{journey.id}:image:after:{journey.image_revision}",
                    {"journey_id": journey.id}, delay=IMAGE_DELAY)


def draw(prompts: Prompts, journey_map: JourneyMap) -> bytes:
    curves = [Curve(name=prompts.part("journeys/card", "filter_one", name=x.name, segment=x.is_segment),
                    emotions=[(c.emotion if (c := journey_map.cell(x.id, s.id)) else None) for s in journey_map.stages],
                    pains=[len(c.pains) if (c := journey_map.cell(x.id, s.id)) else 0 for s in journey_map.stages])
              for x in journey_map.layers]
    labels = {k: prompts.part("journeys/image", k) for k in ("emotion", "pains", "empty")}
    return render_map(title=journey_map.journey.name, stages=[s.name for s in journey_map.stages], curves=curves,
                      labels=labels)


def send_image(deps: Deps, client: WebClient, delivery: outbox.Delivery) -> tuple[str, str] | None:
    """Draw the journey as it is now and upload it; a retry may upload twice (no id to look for)."""
    journey_id, card_id = int(delivery.payload["journey_id"]), delivery.payload.get("card_id")
    with unit_of_work(deps.engine) as db:
        journey = store.get_journey(db, team_id=delivery.team_id, journey_id=journey_id)
        if journey is None:
            return None
        journey_map = layers.load_map(db, journey=journey)
        cards = links.list_cards(db, team_id=delivery.team_id, journey_id=journey_id)
    cards = [c for c in cards if c.id == card_id] if card_id is not None else cards[:THREADS]
    if cards:
        png = draw(deps.prompts, journey_map)
        title = deps.prompts.part("journeys/card", "image_title", name=journey.name)
        for card in cards:
            client.files_upload_v2(channel=card.channel_id, thread_ts=card.message_ts, content=png,
                                   filename=f"journey-{journey_id}.png", title=title)
    if card_id is None:
        with UnitOfWork(deps) as uow:
            now_at = store.mark_image_drawn(uow.db, team_id=delivery.team_id, journey_id=journey_id,
                                            revision=journey.revision)
            if now_at > journey.revision:  # changed while we drew: the next burst's image
                journey.image_revision = journey.revision
                uow.enqueue(delivery.team_id, [image_message(journey)])
    return None
