"""The wrap-up: the summary and the canvas image in the thread (outbox senders), and exports.

Queued by the session flow when it wins the move into the wrap-up (or the End), so each is sent
once; both are rendered when sent, from what the database holds then.
"""

from __future__ import annotations

from datetime import UTC, datetime

from slack_bolt import Ack
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from sqlmodel import Session

from bot import outbox
from bot.commands import CommandCall
from bot.deps import Deps
from bot.empathy import summary_view
from bot.empathy.interaction import load, tell
from bot.people import People, can_read_channel, look_up
from bot.private_reply import tell_user
from bot.render import empathy_export
from bot.render.empathy_canvas import render_canvas
from bot.request_context import RequestContext
from prompts import Prompts
from storage import empathy as store
from storage import empathy_notes as notes_store
from storage.db import unit_of_work
from storage.models import EmpathySession
from storage.states import SessionStatus

SUMMARY = summary_view.SUMMARY


def outcome_at(db: Session, session: EmpathySession, now: datetime) -> summary_view.Outcome:
    end = session.finished_at or now
    return summary_view.Outcome(
        session=session,
        notes=notes_store.list_voted_notes(db, team_id=session.team_id, session_id=session.id),
        participants=store.list_participants(db, team_id=session.team_id, session_id=session.id),
        minutes=max(0, round((end - session.created_at).total_seconds() / 60)),
    )


def _load(deps: Deps, delivery: outbox.Delivery) -> summary_view.Outcome | None:
    with unit_of_work(deps.engine) as db:
        session = store.get_session(db, team_id=delivery.team_id, session_id=int(delivery.payload["session_id"]))
        return outcome_at(db, session, deps.clock.now()) if session is not None else None


def send_summary(deps: Deps, client: WebClient, delivery: outbox.Delivery) -> tuple[str, str] | None:
    found = _load(deps, delivery)
    if found is None:
        return None
    session = found.session
    return outbox.post(deps, client, outbox.Delivery(delivery.id, delivery.team_id, {
        "channel": session.channel_id, "thread_ts": session.board_ts,
        "blocks": summary_view.build_summary(deps.prompts, found),
        "text": deps.prompts.part(SUMMARY, "fallback", subject=session.subject)},
        delivery.retry, delivery.queued_at))


def send_canvas(deps: Deps, client: WebClient, delivery: outbox.Delivery) -> tuple[str, str] | None:
    """The empathy map as a PNG; a retry may upload it twice (Slack keeps no id to look for)."""
    found = _load(deps, delivery)
    if found is None:
        return None
    session = found.session
    sections, area = summary_view.canvas_layout(deps.prompts, found)
    png = render_canvas(title=session.subject, goal=session.goal, sections=sections, area=area)
    client.files_upload_v2(channel=session.channel_id, thread_ts=session.board_ts, content=png,
                           filename=f"empathy-map-{session.id}.png",
                           title=deps.prompts.part(SUMMARY, "image_title", subject=session.subject))
    return None


# -- exports -----------------------------------------------------------------------------------
def export_document(db: Session, prompts: Prompts, session: EmpathySession, fmt: str, now: datetime,
                    people: People | None = None) -> str:
    """The session as Markdown, JSON or CSV; the CLI calls this without Slack (people as ids, UTC)."""
    return _render(prompts, outcome_at(db, session, now), fmt, people or People({}, UTC))


def _render(prompts: Prompts, found: summary_view.Outcome, fmt: str, people: People) -> str:
    document = empathy_export.build_export(prompts, session=found.session, notes=found.notes,
                                           participants=found.participants, names=people.names, tz=people.tz)
    return empathy_export.render(prompts, document, fmt)


def handle_export(ack: Ack, ctx: RequestContext) -> None:
    session, _ = load(ctx, ctx.value.split(":")[0])
    _export(ctx, session, ctx.value.rpartition(":")[2])
    ack()


def handle_export_command(call: CommandCall) -> None:
    raw = call.args[0] if call.args else ""
    session, _ = load(call.ctx, raw)
    _export(call.ctx, session, call.args[1] if len(call.args) > 1 else "md", channel=call.channel_id)
    call.ack()


def _export(ctx: RequestContext, session: EmpathySession | None, fmt: str, *, channel: str = "") -> None:
    if session is None or session.status == SessionStatus.STARTING or fmt not in empathy_export.FORMATS:
        tell(ctx, ctx.deps.prompts.part(SUMMARY, "export_not_found"), channel=channel)
        return
    ctx.later(send_export, ctx, outcome_at(ctx.db, session, ctx.now()), fmt, channel)


def send_export(ctx: RequestContext, found: summary_view.Outcome, fmt: str, channel: str) -> None:
    """Into the person's DM (private, out of the channel's way), if they can read the session's
    channel: a private channel's sessions are for its members."""
    t, session, client = ctx.deps.prompts.part, found.session, ctx.client
    if not can_read_channel(client, session.channel_id, ctx.user_id):
        tell_user(ctx.body, client, t(SUMMARY, "export_members_only", channel=session.channel_id),
                  channel=channel or ctx.channel_id, user=ctx.user_id)
        return
    people = look_up(client, {ctx.user_id, session.facilitator_id, *found.participants,
                              *(n.author_id for n in found.notes)}, viewer=ctx.user_id)
    text = _render(ctx.deps.prompts, found, fmt, people)
    try:
        dm = client.conversations_open(users=ctx.user_id)["channel"]["id"]
        client.files_upload_v2(channel=dm, content=text.encode(), filename=f"empathy-map-{session.id}.{fmt}",
                               title=t(SUMMARY, "export_comment", subject=session.subject))
    except SlackApiError as exc:  # no DM for this person (a guest, Slack refused): say so, in plain words
        tell_user(ctx.body, client, t("errors/slack", "export_failed", error=exc.response.get("error") or ""),
                  channel=channel or ctx.channel_id, user=ctx.user_id)
        return
    tell_user(ctx.body, client, t(SUMMARY, "exported", format=t(SUMMARY, "format_name", fmt=fmt)),
              channel=channel or ctx.channel_id, user=ctx.user_id)
