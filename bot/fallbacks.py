"""Polite answers for anything no feature handles: stale buttons, unknown views, errors.

Registered after every feature, so these catch-all listeners only see what nobody else took.
"""

from __future__ import annotations

import logging
import re
from typing import Any

from slack_bolt import Ack, App, BoltContext, BoltResponse
from sqlalchemy.exc import SQLAlchemyError

from bot.deps import Deps
from bot.private_reply import tell_user
from bot.request_context import CommittingAck, RequestContext, log_database_error
from storage.db import UNAVAILABLE, unavailable_reason

log = logging.getLogger(__name__)
ANYTHING = re.compile(".*")


def handle_unknown_action(ack: Ack, ctx: RequestContext) -> None:
    ack()
    if ctx.action.get("type") == "button" and ctx.action.get("url"):
        return  # a link button: Slack opened the link, nothing to do
    ctx.later(tell_ctx, ctx, ctx.deps.prompts.render("errors/stale_action"))


def handle_unknown_view(ack: Ack) -> None:
    ack(response_action="clear")


def handle_view_closed(ack: Ack) -> None:
    ack()


def handle_unknown_shortcut(ack: Ack, ctx: RequestContext) -> None:
    ack()
    ctx.later(tell_ctx, ctx, ctx.deps.prompts.render("errors/stale_action"))


def ignore_other_messages() -> None:
    """Channel messages no feature wants (most of them): acked, or Slack retries them."""


def ignore_other_events() -> None:
    """Events no feature wants: acked (a 404 makes Slack retry, then warn the app's owner)."""


def handle_unknown_command(ack: Ack, ctx: RequestContext) -> None:
    """A slash command no feature registered (renamed in Slack's settings, say): the help."""
    ack(**ctx.deps.commands.help_message(unknown=str(ctx.body.get("command") or "")))


def handle_unknown_options(ack: Ack) -> None:
    ack(options=[])


def handle_error(error: Exception, context: BoltContext, body: dict[str, Any]) -> BoltResponse | None:
    """A listener (or our middleware) failed before its ack: nothing it wrote is kept, and the
    person is told. A database that is away (it failed while reading) gets the same "try again"
    as a commit that failed, and an event a 500 so that Slack delivers it again."""
    ctx: RequestContext | None = context.get("ctx")
    if ctx is not None and isinstance(error, UNAVAILABLE):
        log_database_error("read", ctx, error)
        _forget(ctx)
        return CommittingAck(ctx).refuse()
    log.exception("unhandled error in a listener", exc_info=error)
    if ctx is None:
        return None
    _forget(ctx)
    text = ctx.deps.prompts.render("errors/internal")
    if ctx.kind == "event_callback":
        return BoltResponse(status=200, body="")  # a retry would fail the same way
    if ctx.kind == "view_submission":
        block = next((b.get("block_id") for b in ctx.view.get("blocks") or []
                      if isinstance(b, dict) and b.get("type") == "input" and b.get("block_id")), None)
        if block:
            return BoltResponse(status=200, body={"response_action": "errors", "errors": {block: text}})
    if ctx.kind == "command":
        return BoltResponse(status=200, body={"response_type": "ephemeral", "text": text})
    ctx.deps.later(tell_ctx, ctx, text)
    return BoltResponse(status=200, body="")


def _forget(ctx: RequestContext) -> None:
    try:
        ctx.uow.rollback()
    except SQLAlchemyError as exc:  # the connection is already gone: nothing was kept anyway
        log.info("rollback after a failed request: %s", unavailable_reason(exc))


def register(app: App, deps: Deps) -> None:
    app.action(ANYTHING)(handle_unknown_action)
    app.view(ANYTHING)(handle_unknown_view)
    app.view_closed(ANYTHING)(handle_view_closed)
    app.shortcut(ANYTHING)(handle_unknown_shortcut)
    app.event("message")(ignore_other_messages)
    app.event(ANYTHING)(ignore_other_events)
    app.command(ANYTHING)(handle_unknown_command)
    app.options(ANYTHING)(handle_unknown_options)
    app.error(handle_error)


def tell_ctx(ctx: RequestContext, text: str) -> None:
    tell_user(ctx.body, ctx.client, text)

