"""Exports of a journey: from the card's buttons (a file in the person's DM) and from the CLI
(`workshop-bot export journey NAME`, printed)."""

from __future__ import annotations

from slack_bolt import Ack

from bot.journeys import ids, lookup
from bot.private_reply import tell_user
from bot.render import journey_export
from bot.request_context import RequestContext
from bot.settings import Settings
from prompts import Prompts
from storage import journey_layers as layers
from storage import journeys as store
from storage.db import make_engine, unit_of_work, upgrade
from storage.journey_layers import JourneyMap


def handle_export(ack: Ack, ctx: RequestContext) -> None:
    journey = lookup.by_value(ctx)
    fmt = ids.EXPORTS.get(ctx.action_id, "md")
    if journey is None:
        lookup.tell(ctx, ctx.deps.prompts.part(lookup.REPLIES, "gone"))
        ack()
        return
    journey_map = layers.load_map(ctx.db, journey=journey)
    ack()
    ctx.later(send_export, ctx, journey_map, fmt)


def send_export(ctx: RequestContext, journey_map: JourneyMap, fmt: str) -> None:
    prompts, client = ctx.deps.prompts, ctx.client
    text = journey_export.render(prompts, journey_map, fmt)
    dm = client.conversations_open(users=ctx.user_id)["channel"]["id"]
    client.files_upload_v2(channel=dm, content=text.encode(), filename=f"journey-{journey_map.journey.id}.{fmt}",
                           title=prompts.part(lookup.REPLIES, "export_title", name=journey_map.journey.name))
    tell_user(ctx.body, client, prompts.part(lookup.REPLIES, "exported", fmt=fmt), channel=ctx.channel_id,
              user=ctx.user_id)


def export_for_cli(settings: Settings, name: str, *, fmt: str, team_id: str | None) -> tuple[str, str]:
    """(document, "") or ("", why not): a name (or id) matching exactly one active journey."""
    engine = make_engine(settings.database_url)
    upgrade(engine)
    with unit_of_work(engine) as db:
        teams = [team_id] if team_id else store.teams_with_journeys(db)
        found = [j for team in teams for j in store.find_journeys(db, team_id=team, name=name)]
        if len(found) != 1:
            return "", (f"no journey called {name!r}" if not found else
                        f"{len(found)} journeys match {name!r}: " + ", ".join(j.name for j in found[:10]))
        text = journey_export.render(Prompts(settings.prompts_dir), layers.load_map(db, journey=found[0]), fmt)
    engine.dispose()
    return text, ""
