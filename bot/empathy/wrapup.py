"""Wrap-up side effects: the summary and canvas image in the thread, and exports on demand.

Called by the session flow only after it won the transition into the wrap-up (or the End), so
the summary is posted once. The image goes up with `files_upload_v2` into the session thread.
"""

from __future__ import annotations

import logging
from datetime import datetime

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from sqlalchemy.engine import Engine

from bot.deps import Deps
from bot.empathy import summary_view
from bot.render import empathy_export
from bot.render.empathy_canvas import render_canvas
from prompts import Prompts
from storage import empathy as store
from storage import empathy_notes as notes_store
from storage.models import EmpathySession

log = logging.getLogger(__name__)
SUMMARY = summary_view.SUMMARY


def outcome(deps: Deps, session: EmpathySession) -> summary_view.Outcome:
    return outcome_at(deps.engine, session, deps.clock.now())


def outcome_at(engine: Engine, session: EmpathySession, now: datetime) -> summary_view.Outcome:
    end = session.finished_at or now
    return summary_view.Outcome(
        session=session,
        notes=notes_store.list_voted_notes(engine, team_id=session.team_id, session_id=session.id),
        participants=store.list_participants(engine, team_id=session.team_id, session_id=session.id),
        minutes=max(0, round((end - session.created_at).total_seconds() / 60)),
    )


def post_summary(deps: Deps, session: EmpathySession) -> None:
    found = outcome(deps, session)
    client = deps.client
    try:
        client.chat_postMessage(channel=session.channel_id, thread_ts=session.board_ts,
                                blocks=summary_view.build_summary(deps.prompts, found),
                                text=deps.prompts.part(SUMMARY, "fallback", subject=session.subject))
    except SlackApiError as exc:
        log.warning("summary of session %s not posted: %s", session.id, exc.response.get("error"))
    title = deps.prompts.part(SUMMARY, "image_title", subject=session.subject)
    png = render_canvas(title=session.subject, goal=session.goal,
                        sections=summary_view.canvas_sections(deps.prompts, found))
    try:
        client.files_upload_v2(channel=session.channel_id, thread_ts=session.board_ts, content=png,
                               filename=f"empathy-map-{session.id}.png", title=title)
    except SlackApiError as exc:
        log.warning("canvas of session %s not uploaded: %s", session.id, exc.response.get("error"))


def export_text(deps: Deps, session: EmpathySession, fmt: str) -> str:
    return export_document(deps.engine, deps.prompts, session, fmt, deps.clock.now())


def export_document(engine: Engine, prompts: Prompts, session: EmpathySession, fmt: str, now: datetime) -> str:
    """The session as Markdown or JSON; the CLI calls this without a Slack connection."""
    found = outcome_at(engine, session, now)
    document = empathy_export.build_export(prompts, session=session, notes=found.notes,
                                           participants=found.participants)
    return empathy_export.render(prompts, document, fmt)


def send_export(deps: Deps, client: WebClient, session: EmpathySession, *, user_id: str, fmt: str) -> None:
    """Upload the export into the user's DM with the bot (private, and out of the channel's way)."""
    dm = client.conversations_open(users=user_id)["channel"]["id"]
    client.files_upload_v2(
        channel=dm, content=export_text(deps, session, fmt).encode(),
        filename=f"empathy-map-{session.id}.{fmt}",
        title=deps.prompts.part(SUMMARY, "export_comment", subject=session.subject),
    )
