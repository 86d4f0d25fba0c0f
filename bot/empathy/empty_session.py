"""A session that ended before anyone wrote a note: run it again, or delete it.

Instead of an empty summary, the thread gets one message with both buttons (summary_view);
only the facilitator may use them.
"""

from __future__ import annotations

from slack_bolt import Ack

from bot.empathy import views
from bot.empathy.interaction import load, open_modal, tell
from bot.empathy.summary_view import SUMMARY
from bot.request_context import RequestContext
from storage import empathy as store
from storage import personas as personas_store


def _facilitator_only(ctx: RequestContext, facilitator_id: str) -> bool:
    if ctx.user_id == facilitator_id:
        return True
    tell(ctx, ctx.deps.prompts.part(SUMMARY, "only_facilitator", facilitator=facilitator_id))
    return False


def handle_run_again(ack: Ack, ctx: RequestContext) -> None:
    """The start form, filled in from the empty session (the facilitator may change anything)."""
    session, _ = load(ctx)
    personas = personas_store.list_personas(ctx.db, team_id=ctx.team_id)
    ack()
    if session is None or not _facilitator_only(ctx, session.facilitator_id):
        return
    ctx.later(open_modal, ctx, views.build_start_modal(ctx.deps.prompts, channel_id=session.channel_id,
                                                       personas=personas, again=session))


def handle_delete_empty(ack: Ack, ctx: RequestContext) -> None:
    session, _ = load(ctx)
    if session is None or ctx.user_id != session.facilitator_id:
        ack()
        if session is not None:
            _facilitator_only(ctx, session.facilitator_id)
        return
    removed = store.delete_if_empty(ctx.db, team_id=ctx.team_id, session_id=session.id)
    ack()
    if removed is None:
        tell(ctx, ctx.deps.prompts.part(SUMMARY, "not_deletable"))
        return
    ctx.later(_remove_messages, ctx, removed.channel_id, [removed.board_ts, ctx.message_ts])


def _remove_messages(ctx: RequestContext, channel: str, stamps: list[str | None]) -> None:
    """The board and the thread's messages about it go; the person who asked sees them vanish."""
    for ts in stamps:
        if ts:
            ctx.client.chat_delete(channel=channel, ts=ts)
