"""Home tab listeners, in one table: publish on open, page through reviews due."""

from __future__ import annotations

from slack_bolt import Ack, App

from bot.deps import Deps
from bot.home import ids
from bot.home.publish import publish
from bot.request_context import RequestContext


def handle_home_opened(ctx: RequestContext) -> None:
    if ctx.event.get("tab") not in (None, "home"):
        return
    ctx.later(publish, ctx.deps, ctx.client, team_id=ctx.team_id, user_id=str(ctx.event.get("user") or ""))


def handle_page(ack: Ack, ctx: RequestContext) -> None:
    ack()
    page = int(ctx.value) if ctx.value.isdigit() and len(ctx.value) < 6 else 0
    ctx.later(publish, ctx.deps, ctx.client, team_id=ctx.team_id, user_id=ctx.user_id, page=page)


ACTIONS = {
    ids.REVIEWS_PREV: handle_page,
    ids.REVIEWS_NEXT: handle_page,
}
EVENTS = {
    "app_home_opened": handle_home_opened,
}


def register(app: App, deps: Deps) -> None:
    for action_id, handler in ACTIONS.items():
        app.action(action_id)(handler)
    for event_type, listener in EVENTS.items():
        app.event(event_type)(listener)
