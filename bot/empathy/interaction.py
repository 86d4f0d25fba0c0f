"""What a click or submission is about (which session, which phase), and answering only the
person who made it."""

from __future__ import annotations

from typing import Any

from slack_sdk.errors import SlackApiError

from bot.numbers import count, row_id
from bot.private_reply import tell_user
from bot.request_context import RequestContext
from storage import empathy as store
from storage.models import EmpathySession

NOTES = "empathy/notes"


def session_id_of(value: str) -> tuple[int | None, int | None]:
    """`"12"` or `"12:3"` (session, phase index); (None, None) for anything else."""
    head, _, tail = value.partition(":")
    session_id = row_id(head)
    if session_id is None:
        return None, None
    return session_id, count(tail, limit=99_999)


def load(ctx: RequestContext, value: str | None = None) -> tuple[EmpathySession | None, int | None]:
    """The session a button or view names (its value, else the view's metadata), in this workspace."""
    session_id, phase_index = session_id_of(ctx.value if value is None else value)
    if session_id is None:
        return None, None
    return store.get_session(ctx.db, team_id=ctx.team_id, session_id=session_id), phase_index


def t(ctx: RequestContext, macro: str, **kw: object) -> str:
    return ctx.deps.prompts.part(NOTES, macro, **kw)


def tell(ctx: RequestContext, text: str, *, channel: str = "") -> None:
    """After the ack: an answer only the person sees, where they clicked (else a DM)."""
    ctx.later(tell_user, ctx.body, ctx.client, text, channel=channel or ctx.channel_id, user=ctx.user_id)


def update_view(ctx: RequestContext, view_id: str, view: dict[str, Any]) -> None:
    """views.update of a modal the person has open; one closed meanwhile needs nothing."""
    try:
        ctx.client.views_update(view_id=view_id, view=view)
    except SlackApiError as exc:
        if exc.response.get("error") not in ("not_found", "view_not_found"):
            raise
