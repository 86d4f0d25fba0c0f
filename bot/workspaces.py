"""A workspace leaves: `app_uninstalled`, or `tokens_revoked` naming the bot token.

Its installation is deleted from the store and from every cache here, and each feature ends
the scheduled work it keeps for that workspace (`deps.on_uninstall`), in the event's unit of
work. What is already queued in the outbox fails quietly as "not installed" when its turn comes
(bot.outbox); other replicas notice within the installation cache's expiry, or at once when
Slack refuses the old token.
"""

from __future__ import annotations

import logging

from slack_bolt import App

from bot.deps import Deps
from bot.request_context import RequestContext

log = logging.getLogger(__name__)


def handle_app_uninstalled(ctx: RequestContext) -> None:
    _remove_bot(ctx)


def handle_tokens_revoked(ctx: RequestContext) -> None:
    tokens = ctx.event.get("tokens") if isinstance(ctx.event.get("tokens"), dict) else {}
    store = ctx.deps.clients.installations
    for user_id in tokens.get("oauth") or []:  # user tokens: the bot asks for none, but keep none either
        if store is not None and isinstance(user_id, str):
            store.delete_installation(enterprise_id=None, team_id=ctx.team_id, user_id=user_id)
    if tokens.get("bot"):
        _remove_bot(ctx)


def _remove_bot(ctx: RequestContext) -> None:
    store, team_id = ctx.deps.clients.installations, ctx.team_id
    if store is None or not team_id:
        return  # one bot token (no OAuth): nothing is stored to remove
    store.delete_all(enterprise_id=None, team_id=team_id)
    ctx.deps.clients.forget(team_id)
    for stop in ctx.deps.on_uninstall:
        stop(ctx.db, team_id, ctx.now())
    log.info("workspace %s removed the app; its installation and scheduled work are gone", team_id)


EVENTS = {
    "app_uninstalled": handle_app_uninstalled,
    "tokens_revoked": handle_tokens_revoked,
}


def register(app: App, deps: Deps) -> None:
    for event, handler in EVENTS.items():
        app.event(event)(handler)
