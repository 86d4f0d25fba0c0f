"""Finding the journey a command names or a button carries, and answering only the person."""

from __future__ import annotations

from typing import Any

from slack_sdk.errors import SlackApiError

from bot import blocks
from bot.private_reply import tell_user
from bot.request_context import RequestContext
from storage import journeys as store
from storage.journey_models import Journey
from storage.states import JourneyStatus

REPLIES = "journeys/replies"


def by_name(ctx: RequestContext, name: str) -> Journey | None:
    found = store.find_journeys(ctx.db, team_id=ctx.team_id, name=name) if name.strip() else []
    return found[0] if len(found) == 1 else None


def not_found(ctx: RequestContext, name: str) -> dict[str, Any]:
    """The ephemeral answer to a name that matches no journey, or several."""
    found = store.find_journeys(ctx.db, team_id=ctx.team_id, name=name) if name.strip() else []
    text = ctx.deps.prompts.part(REPLIES, "not_found", name=name, matches=[j.name for j in found[:10]])
    return {"text": blocks.clip(text, 3000), "response_type": "ephemeral"}


def by_value(ctx: RequestContext, value: str | None = None) -> Journey | None:
    """The active journey a button's value (or a view's metadata) names, in this workspace."""
    raw = (ctx.value if value is None else value).split(":")[0]
    if not raw.isdigit() or len(raw) > 12:
        return None
    journey = store.get_journey(ctx.db, team_id=ctx.team_id, journey_id=int(raw))
    return journey if journey is not None and journey.status == JourneyStatus.ACTIVE else None


def tell(ctx: RequestContext, text: str) -> None:
    ctx.later(tell_user, ctx.body, ctx.client, text, channel=ctx.channel_id, user=ctx.user_id)


def open_modal(ctx: RequestContext, view: dict[str, Any]) -> None:
    """views.open with the click's trigger_id; if Slack refuses (busy, expired), say so."""
    try:
        ctx.client.views_open(trigger_id=ctx.trigger_id, view=view)
    except SlackApiError as exc:
        tell_user(ctx.body, ctx.client, ctx.deps.prompts.part("errors/slack", "modal_failed",
                                                              error=exc.response.get("error")),
                  channel=ctx.channel_id)
