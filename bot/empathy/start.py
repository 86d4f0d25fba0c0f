"""Starting a session: the form (from `/empathy start` or the Home tab), then the board.

The submission saves the session (`starting`) and queues its board in the outbox in one unit
of work, then acks: the form closes at once and the board follows, posted exactly once even if
Slack hiccups or the bot restarts in between. When Slack refuses the channel for good (the bot
is not in it, it is archived), the session is removed and the facilitator told why.
"""

from __future__ import annotations

import logging
import uuid
from datetime import timedelta
from typing import Any

from slack_bolt import Ack
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from slack_sdk.webhook import WebhookClient

from bot import outbox
from bot.commands import CommandCall
from bot.deps import Deps
from bot.empathy import board, ids, session_flow, views
from bot.empathy.agenda import CANVASES, MAX_MINUTES, MIN_MINUTES, agenda_rows
from bot.empathy.board_view import board_fallback_text
from bot.modal_open import open_modal
from bot.modal_values import ModalValues
from bot.numbers import row_id
from bot.request_context import RequestContext
from bot.slack_client import NotInstalled
from bot.unit_of_work import UnitOfWork
from storage import empathy as store
from storage import personas as personas_store
from storage.db import unit_of_work
from storage.models import Persona
from storage.outbox import Outgoing
from storage.states import SessionStatus

log = logging.getLogger(__name__)
CANNOT_POST = {"not_in_channel", "channel_not_found", "is_archived", "restricted_action",
               "restricted_action_read_only_channel", "ekm_access_denied"}


def handle_start_command(call: CommandCall) -> None:
    call.ack()
    call.ctx.later(open_start_modal, call.ctx, call.channel_id)


def handle_start_from_home(ack: Ack, ctx: RequestContext) -> None:
    ack()
    ctx.later(open_start_modal, ctx, "")


def open_start_modal(ctx: RequestContext, channel_id: str) -> None:
    with unit_of_work(ctx.deps.engine) as db:  # after the ack: the request's unit of work is over
        personas = personas_store.list_personas(db, team_id=ctx.team_id)
    open_modal(ctx, views.build_start_modal(ctx.deps.prompts, channel_id=channel_id, personas=personas))


def handle_start_submission(ack: Ack, ctx: RequestContext) -> None:
    form = ModalValues(ctx.view)
    persona = _persona(ctx, form)
    errors = _errors(ctx, form, persona)
    if errors:
        ack(response_action="errors", errors=errors)
        return
    canvas = form.selected(ids.CANVAS_BLOCK) or "classic"
    canvas = canvas if canvas in CANVASES else "classic"
    minutes = form.integer(ids.DURATION_BLOCK) or 30
    now, plan, options = ctx.now(), agenda_rows(canvas, minutes), form.checked(ids.OPTIONS_BLOCK)
    session = store.create_session(
        ctx.db, team_id=ctx.team_id, channel_id=_channel(ctx), facilitator_id=ctx.user_id,
        persona_id=persona.id if persona else None,
        subject=form.text(ids.SUBJECT_BLOCK) or (persona.name if persona else ""),
        goal=form.text(ids.GOAL_BLOCK), canvas=canvas, duration_minutes=minutes,
        anonymous="anonymous" in options, live_notes="live" in options, open_grouping="open_grouping" in options,
        success=form.text(ids.SUCCESS_BLOCK), agenda=plan,
        votes_per_person=form.integer(ids.VOTES_BLOCK) or 5, now=now,
        phase_ends_at=now + timedelta(seconds=plan[0]["seconds"]))
    urls = [u.get("response_url") for u in ctx.body.get("response_urls") or [] if isinstance(u, dict)]
    # Keyed uniquely: SQLite may give a refused (deleted) session's id to the next one.
    ctx.enqueue(Outgoing("empathy.board", f"empathy:{session.id}:board:{uuid.uuid4().hex}",
                         lane=session_flow.lane(session),
                         payload={"session_id": session.id, "response_url": next(filter(None, urls), "")}))
    ack()


def _channel(ctx: RequestContext) -> str:
    """The picked channel (always there from the App Home), else the slash command's channel."""
    values = ctx.view.get("state", {}).get("values", {})
    picked = (values.get(ids.CHANNEL_BLOCK, {}).get("value") or {}).get("selected_conversation")
    return picked or ctx.private_metadata


def _persona(ctx: RequestContext, form: ModalValues) -> Persona | None:
    persona_id = row_id(form.selected(ids.PERSONA_BLOCK))
    if persona_id is None:
        return None
    return personas_store.get_persona(ctx.db, team_id=ctx.team_id, persona_id=persona_id)


def _errors(ctx: RequestContext, form: ModalValues, persona: Persona | None) -> dict[str, str]:
    def t(macro: str, **kw: object) -> str:
        return ctx.deps.prompts.part(views.MODAL, macro, **kw)

    errors: dict[str, str] = {}
    if not _channel(ctx):
        errors[ids.CHANNEL_BLOCK] = t("error_channel")
    if not form.text(ids.GOAL_BLOCK):
        errors[ids.GOAL_BLOCK] = t("error_required")
    if not form.text(ids.SUBJECT_BLOCK) and persona is None:
        errors[ids.SUBJECT_BLOCK] = t("error_subject")
    if len(form.text(ids.SUBJECT_BLOCK)) > 150:
        errors[ids.SUBJECT_BLOCK] = t("error_too_long", limit=150)
    if len(form.text(ids.SUCCESS_BLOCK)) > 500:
        errors[ids.SUCCESS_BLOCK] = t("error_too_long", limit=500)
    if len(form.text(ids.GOAL_BLOCK)) > 500:
        errors[ids.GOAL_BLOCK] = t("error_too_long", limit=500)
    minutes = form.integer(ids.DURATION_BLOCK)
    if minutes is None or not MIN_MINUTES <= minutes <= MAX_MINUTES:
        errors[ids.DURATION_BLOCK] = t("error_duration", low=MIN_MINUTES, high=MAX_MINUTES)
    votes = form.integer(ids.VOTES_BLOCK)
    if votes is None or not 1 <= votes <= 20:
        errors[ids.VOTES_BLOCK] = t("error_votes")
    return errors


# -- the board, from the outbox --------------------------------------------------------------
def send_board(deps: Deps, client: WebClient, delivery: outbox.Delivery) -> tuple[str, str] | None:
    """Post the first board (with a running session's buttons), then start the first phase."""
    with unit_of_work(deps.engine) as db:
        session = store.get_session(db, team_id=delivery.team_id, session_id=int(delivery.payload["session_id"]))
        if session is None or session.status != SessionStatus.STARTING:
            return None  # posted already (a retry after the commit was lost), or removed
        blocks = board.render(deps, db, session)
    found = outbox.find_posted(client, channel=session.channel_id, thread_ts=None, delivery=delivery) \
        if delivery.retry else None
    if found is None:
        posted = client.chat_postMessage(channel=session.channel_id, blocks=blocks, metadata=delivery.metadata,
                                         text=board_fallback_text(deps.prompts, session))
        found = posted["channel"], posted["ts"]
    with UnitOfWork(deps) as uow:
        now = deps.clock.now()
        first = session_flow.agenda(session)[0]
        if store.mark_board_posted(uow.db, team_id=session.team_id, session_id=session.id, board_ts=found[1],
                                   now=now, phase_ends_at=now + timedelta(seconds=first.seconds)):
            session.board_ts, session.status = found[1], SessionStatus.RUNNING
            session_flow.phase_started(uow, session)
            uow.after_commit(board.refresh, deps, session.team_id, session.id)
    return found


def board_refused(deps: Deps, delivery: outbox.Delivery, error: str) -> None:
    """The board will never be posted: remove the session and tell the facilitator why."""
    with unit_of_work(deps.engine) as db:
        session = store.get_session(db, team_id=delivery.team_id, session_id=int(delivery.payload["session_id"]))
        if session is None or session.status != SessionStatus.STARTING:
            return
        channel, facilitator = session.channel_id, session.facilitator_id
        store.delete_session(db, team_id=session.team_id, session_id=session.id)
    if error == outbox.NOT_INSTALLED:
        return  # the workspace removed the app: nobody there can be told
    key = "cannot_post" if error in CANNOT_POST else "post_failed"
    text = deps.prompts.part("empathy/errors", key, channel=channel, error=error)
    _tell_facilitator(deps, delivery, facilitator, text)


def _tell_facilitator(deps: Deps, delivery: outbox.Delivery, user_id: str, text: str) -> None:
    """Ephemeral in the picked channel through the form's response_url (works where the bot can't
    post); without one, a DM."""
    url: Any = delivery.payload.get("response_url")
    try:
        if url:
            WebhookClient(url).send(text=text, response_type="ephemeral")
        else:
            deps.client_for(delivery.team_id).chat_postMessage(channel=user_id, text=text)
    except (SlackApiError, OSError, NotInstalled) as exc:
        log.warning("could not tell %s why the session did not start: %s", user_id, exc)
