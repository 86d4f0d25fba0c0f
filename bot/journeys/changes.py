"""What follows any change to a journey: posted cards show it, the image is drawn again once per
burst, and governance hears of it (to nudge the owners of the linked personas).

All of it is written in the unit of work that made the change (the image as an outbox row,
the reviews governance schedules), so it commits with the change or not at all; only the card
refresh waits for the commit. Governance's part is a few indexed reads and at most one insert
per linked item (see tests/test_journeys_governance.py), cheap enough to do before the ack.
"""

from __future__ import annotations

from bot.deps import Deps
from bot.journeys import card, image
from bot.request_context import RequestContext
from bot.review_subjects import SubjectChange, announce_change
from bot.unit_of_work import UnitOfWork
from storage.journey_models import Journey

KIND = "journey"


def changed(ctx: RequestContext, journey: Journey, change: str = "edited", detail: str = "") -> None:
    """Call in the handler that changed `journey` (before the ack): all of it follows the commit."""
    follow(ctx.deps, ctx.uow, journey, by=ctx.user_id, change=change, detail=detail)


def follow(deps: Deps, uow: UnitOfWork, journey: Journey, *, by: str, change: str = "edited",
           detail: str = "") -> None:
    """The same from any unit of work (a conversation's last answer, a tick)."""
    uow.enqueue(journey.team_id, [image.image_message(journey)])
    uow.after_commit(card.refresh, deps, journey.team_id, journey.id)
    announce_change(uow.db, deps.on_change, SubjectChange(journey.team_id, KIND, int(journey.id), change, by,
                                                          deps.clock.now(), detail))
