""""Your suggestion was passed on", said with when it will reach the owner.

The owner hears of a suggestion through a review nudge, and nudges wait for the owner's working
hours (weekdays, NUDGE_HOUR to NUDGE_END_HOUR in their Slack time zone). Saying "passed on" at
19:00 their time would promise what only happens the next morning, so the thanks says when.
Knowing the owner's time zone takes `users.info`, a Slack call, which waits until after the
commit: the thanks is an outbox message of its own kind, rendered by its sender.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, tzinfo

from slack_sdk import WebClient

from bot import outbox
from bot.deps import Deps
from bot.governance.owners import WorkingHours, owner_directory
from bot.request_context import RequestContext
from prompts import Prompts
from storage.outbox import Outgoing

KIND = "persona_suggestion_sent"
REPLIES = "personas/replies"


def queue(ctx: RequestContext, *, name: str, owner_id: str, key: str) -> None:
    """In the request's unit of work: the thanks goes out once the suggestion is committed."""
    ctx.enqueue(Outgoing(KIND, key=key, payload={"channel": ctx.user_id, "name": name, "owner": owner_id}))


def build_text(prompts: Prompts, *, name: str, owner_id: str, now: datetime, reaches_at: datetime,
               tz: tzinfo) -> str:
    """The thanks; when the owner is outside working hours, also when the nudge will reach them."""
    if reaches_at <= now:
        return prompts.part(REPLIES, "suggestion_sent", name=name, owner=owner_id)
    local, today = reaches_at.astimezone(tz), now.astimezone(tz).date()
    days = (local.date() - today).days
    return prompts.part(REPLIES, "suggestion_held", name=name, owner=owner_id, time=local.strftime("%H:%M"),
                        days=days, weekday=local.weekday(), local_now=now.astimezone(tz).strftime("%H:%M"))


def send(deps: Deps, client: WebClient, delivery: outbox.Delivery) -> tuple[str, str] | None:
    args = delivery.payload
    owner = owner_directory(deps).lookup(delivery.team_id, args["owner"])
    now = deps.clock.now()
    reaches_at = now if owner.gone else \
        WorkingHours(deps.settings.nudge_hour, deps.settings.nudge_end_hour).next_slot(now, owner.tz)
    text = build_text(deps.prompts, name=args["name"], owner_id=args["owner"], now=now, reaches_at=reaches_at,
                      tz=owner.tz)
    return outbox.post(deps, client, replace(delivery, payload={"channel": args["channel"], "text": text}))
