"""Empathy-session listeners: parse, call storage, render, respond. Slow Slack work after ack."""

from __future__ import annotations

import logging
from datetime import timedelta
from typing import Any

from slack_bolt import Ack, App
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from slack_sdk.webhook import WebhookClient

from bot.commands import CommandCall
from bot.deps import Deps
from bot.empathy import controls, ids, participation, views
from bot.empathy.agenda import CANVASES, MAX_MINUTES, MIN_MINUTES, build_agenda
from bot.empathy.board_view import BoardState, board_fallback_text, build_board
from bot.empathy.interaction import team_of, user_of
from bot.empathy.session_flow import SessionFlow
from bot.modal_values import ModalValues
from storage import empathy as store
from storage import personas as personas_store
from storage.models import Persona

log = logging.getLogger(__name__)
CANNOT_POST = {"not_in_channel", "channel_not_found", "is_archived", "restricted_action",
               "restricted_action_read_only_channel", "ekm_access_denied"}


def register(app: App, deps: Deps) -> None:
    flow = SessionFlow(deps)
    deps.ticks["empathy"] = flow.run_due

    def handle_start_command(call: CommandCall) -> None:
        call.ack()
        call.client.views_open(trigger_id=call.trigger_id, view=views.build_start_modal(
            deps.prompts, channel_id=call.channel_id,
            personas=personas_store.list_personas(deps.engine, team_id=call.team_id)))

    def handle_start_from_home(ack: Ack, body: dict[str, Any], client: WebClient) -> None:
        ack()
        client.views_open(trigger_id=body["trigger_id"], view=views.build_start_modal(
            deps.prompts, channel_id="", personas=personas_store.list_personas(deps.engine, team_id=team_of(body))))

    def handle_start_submission(ack: Ack, body: dict[str, Any], client: WebClient) -> None:
        form = ModalValues(body["view"])
        errors = _start_errors(deps, form, body)
        if errors:
            ack(response_action="errors", errors=errors)
            return
        ack()
        _start_session(deps, flow, client, body, form)

    deps.commands.add("/empathy", "start", handle_start_command,
                      summary=deps.prompts.part("empathy/help", "start"))
    app.view(ids.START_MODAL)(handle_start_submission)
    app.action(ids.START_FROM_HOME)(handle_start_from_home)
    participation.register(app, deps, flow)
    controls.register(app, deps, flow)


def _channel(body: dict[str, Any]) -> str:
    """The picked channel (always there from the App Home), else the slash command's channel."""
    values = body["view"].get("state", {}).get("values", {})
    picked = (values.get(ids.CHANNEL_BLOCK, {}).get("value") or {}).get("selected_conversation")
    return picked or body["view"].get("private_metadata") or ""


def _persona(deps: Deps, form: ModalValues, body: dict[str, Any]) -> Persona | None:
    picked = form.selected(ids.PERSONA_BLOCK) or ""
    if not picked.isdigit():
        return None
    return personas_store.get_persona(deps.engine, team_id=team_of(body), persona_id=int(picked))


def _start_errors(deps: Deps, form: ModalValues, body: dict[str, Any]) -> dict[str, str]:
    def t(macro: str, **kw: object) -> str:
        return deps.prompts.part(views.MODAL, macro, **kw)

    errors: dict[str, str] = {}
    if not _channel(body):
        errors[ids.CHANNEL_BLOCK] = t("error_channel")
    if not form.text(ids.GOAL_BLOCK):
        errors[ids.GOAL_BLOCK] = t("error_required")
    if not form.text(ids.SUBJECT_BLOCK) and _persona(deps, form, body) is None:
        errors[ids.SUBJECT_BLOCK] = t("error_subject")
    if len(form.text(ids.SUBJECT_BLOCK)) > 150:
        errors[ids.SUBJECT_BLOCK] = t("error_too_long", limit=150)
    if len(form.text(ids.GOAL_BLOCK)) > 500:
        errors[ids.GOAL_BLOCK] = t("error_too_long", limit=500)
    minutes = form.integer(ids.DURATION_BLOCK)
    if minutes is None or not MIN_MINUTES <= minutes <= MAX_MINUTES:
        errors[ids.DURATION_BLOCK] = t("error_duration", low=MIN_MINUTES, high=MAX_MINUTES)
    votes = form.integer(ids.VOTES_BLOCK)
    if votes is None or not 1 <= votes <= 20:
        errors[ids.VOTES_BLOCK] = t("error_votes")
    return errors


def _start_session(deps: Deps, flow: SessionFlow, client: WebClient, body: dict[str, Any],
                   form: ModalValues) -> None:
    """Create the session and post its board; if Slack refuses the channel, undo and explain."""
    team_id, user_id, channel_id = team_of(body), user_of(body), _channel(body)
    canvas = form.selected(ids.CANVAS_BLOCK) or "classic"
    canvas = canvas if canvas in CANVASES else "classic"
    minutes = form.integer(ids.DURATION_BLOCK) or 30
    now = deps.clock.now()
    first_phase = build_agenda(canvas, minutes)[0]
    persona = _persona(deps, form, body)
    session = store.create_session(
        deps.engine, team_id=team_id, channel_id=channel_id, facilitator_id=user_id,
        persona_id=persona.id if persona else None,
        subject=form.text(ids.SUBJECT_BLOCK) or (persona.name if persona else ""),
        goal=form.text(ids.GOAL_BLOCK), canvas=canvas,
        duration_minutes=minutes, anonymous="anonymous" in form.checked(ids.OPTIONS_BLOCK),
        votes_per_person=form.integer(ids.VOTES_BLOCK) or 5, now=now,
        phase_ends_at=now + timedelta(seconds=first_phase.seconds),
    )
    board = build_board(deps.prompts, BoardState(session=session, notes=[], participants=[], now=now))
    try:
        posted = client.chat_postMessage(channel=channel_id, blocks=board,
                                         text=board_fallback_text(deps.prompts, session))
    except SlackApiError as exc:
        store.delete_session(deps.engine, team_id=team_id, session_id=session.id)
        error = exc.response.get("error", "")
        log.info("could not post a board in %s: %s", channel_id, error)
        key = "cannot_post" if error in CANNOT_POST else "post_failed"
        text = deps.prompts.part("empathy/errors", key, channel=channel_id, error=error)
        _tell_privately(client, body, user_id, text)
        return
    store.mark_board_posted(deps.engine, team_id=team_id, session_id=session.id, board_ts=posted["ts"])
    session = store.get_session(deps.engine, team_id=team_id, session_id=session.id) or session
    flow.phase_started(session)
    flow.changed(session, urgent=True)


def _tell_privately(client: WebClient, body: dict[str, Any], user_id: str, text: str) -> None:
    """Ephemeral in the picked channel through the modal's response_url (works where the bot can't
    post); without one, a DM."""
    urls = [u.get("response_url") for u in body.get("response_urls") or [] if u.get("response_url")]
    try:
        if urls:
            WebhookClient(urls[0]).send(text=text, response_type="ephemeral")
        else:
            client.chat_postMessage(channel=user_id, text=text)
    except SlackApiError as exc:
        log.warning("could not tell %s why the session did not start: %s", user_id, exc.response.get("error"))
    except OSError as exc:
        log.warning("could not tell %s why the session did not start: %s", user_id, exc)
