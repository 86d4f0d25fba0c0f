"""Starting the proto-persona conversation: `/persona new`, the shortcut, Home, an empathy session.

Each entry queues the start in its request's unit of work and acks; the DM is opened and the
first question asked by the outbox after the commit (`bot.conversation`), so a start the person
was told about ("I've sent you a DM") is never lost.
"""

from __future__ import annotations

from typing import Any

from jinja2.exceptions import UndefinedError
from slack_bolt import Ack

from bot.commands import CommandCall
from bot.personas import draft_view, flow, prefill
from bot.private_reply import tell_user
from bot.request_context import RequestContext
from storage import empathy, journeys
from storage.models import EmpathySession
from storage.outbox import Outgoing

REPLIES = "personas/replies"


def begin(ctx: RequestContext, *, prefill: dict[str, Any] | None = None,
          context: dict[str, Any] | None = None) -> None:
    """Queue the conversation; the owner and cadence start at their defaults."""
    values = {"owner_id": ctx.user_id, "cadence_days": ctx.deps.settings.review_cadence_days, **(prefill or {})}
    if journeys.any_active(ctx.db, team_id=ctx.team_id):  # then the last question offers to link one
        context = {**(context or {}), "offer_journey": True}
    ctx.deps.conversations.begin(ctx, flow=flow.NAME, prefill=values, context=context)


def handle_new_command(call: CommandCall) -> None:
    begin(call.ctx)
    call.ack(text=call.ctx.deps.prompts.part(REPLIES, "dm_sent"), response_type="ephemeral")


def handle_new_shortcut(ack: Ack, ctx: RequestContext) -> None:
    begin(ctx)
    ack()


def handle_from_session(ack: Ack, ctx: RequestContext) -> None:
    value = ctx.value
    session = empathy.get_session(ctx.db, team_id=ctx.team_id, session_id=int(value)) \
        if value.isdigit() and len(value) < 12 else None
    if session is None:
        ack()
        ctx.later(tell_user, ctx.body, ctx.client, ctx.deps.prompts.render("errors/stale_action"))
        return
    found = empathy.top_notes_by_quadrant(ctx.db, team_id=ctx.team_id, session_id=session.id)
    values = prefill.prefill_from_session(found, subject=session.subject, goal=session.goal,
                                          section_names=_section_names(ctx, found))
    begin(ctx, prefill=values, context={"source_session_id": session.id, "session_subject": session.subject})
    _post_draft(ctx, session, values)
    ack()


def _post_draft(ctx: RequestContext, session: EmpathySession, values: dict[str, Any]) -> None:
    """The draft in the session's thread, for the team: once per person and session (the outbox
    key), committed with the conversation's start."""
    message = draft_view.build_draft(ctx.deps.prompts, values=values, subject=session.subject, owner_id=ctx.user_id)
    payload: dict[str, Any] = {"channel": session.channel_id, **message}
    if session.board_ts:
        payload["thread_ts"] = session.board_ts
    ctx.enqueue(Outgoing("post", key=f"persona_draft:{session.id}:{ctx.user_id}", payload=payload,
                         lane=f"persona_draft:{session.id}"))


def _section_names(ctx: RequestContext, found: dict[str, list[str]]) -> dict[str, str]:
    """Section names as the session showed them; a key the templates do not name stays as is."""
    names = {}
    for key in found:
        try:
            names[key] = ctx.deps.prompts.part("empathy/phases", "name", key=key)
        except UndefinedError:  # a section the templates do not name yet
            names[key] = key
    return names
