"""What follows any change to a journey: posted cards show it, the image is drawn again once per
burst, and governance hears of it (to nudge the owners of the linked personas).
"""

from __future__ import annotations

from bot.journeys import card, image
from bot.request_context import RequestContext
from bot.review_subjects import SubjectChange, announce_change
from storage.journey_models import Journey

KIND = "journey"


def changed(ctx: RequestContext, journey: Journey, change: str = "edited", detail: str = "") -> None:
    """Call in the handler that changed `journey` (before the ack): all of it follows the commit."""
    ctx.enqueue(image.image_message(journey))
    ctx.later(card.refresh, ctx.deps, ctx.team_id, journey.id)
    announce_change(ctx.db, ctx.deps.on_change, SubjectChange(ctx.team_id, KIND, int(journey.id), change,
                                                              ctx.user_id, ctx.now(), detail))
