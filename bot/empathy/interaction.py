"""What a click or submission is about: who, in which workspace, on which session and phase,
and how to answer only that person."""

from __future__ import annotations

import logging
from typing import Any

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.deps import Deps
from bot.empathy.recent_sessions import RecentSessions
from storage import empathy as store
from storage.models import EmpathySession

log = logging.getLogger(__name__)
NOTES = "empathy/notes"


def team_of(body: dict[str, Any]) -> str:
    return (body.get("team") or {}).get("id") or (body.get("user") or {}).get("team_id") or body.get("team_id") or ""


def user_of(body: dict[str, Any]) -> str:
    return (body.get("user") or {}).get("id") or body.get("user_id") or ""


def action_value(body: dict[str, Any]) -> str:
    action = (body.get("actions") or [{}])[0]
    return action.get("value") or (action.get("selected_option") or {}).get("value") or ""


def session_id_of(value: str) -> tuple[int | None, int | None]:
    """`"12"` or `"12:3"` (session, phase index); (None, None) for anything else."""
    head, _, tail = value.partition(":")
    try:
        return int(head), (int(tail) if tail.isdigit() else None)
    except ValueError:
        return None, None


def load(deps: Deps, body: dict[str, Any], value: str) -> tuple[EmpathySession | None, int | None]:
    session_id, phase_index = session_id_of(value)
    if session_id is None:
        return None, None
    return store.get_session(deps.engine, team_id=team_of(body), session_id=session_id), phase_index


def load_recent(recent: RecentSessions, body: dict[str, Any], value: str) -> EmpathySession | None:
    """Like `load`, from a read at most a second old: for the checks made before a burst's acks."""
    session_id, _ = session_id_of(value)
    return recent.get(team_of(body), session_id) if session_id is not None else None


def tell(client: WebClient, body: dict[str, Any], text: str, *, channel: str | None = None) -> None:
    """An ephemeral answer to the person who clicked, in the channel of the click (else a DM)."""
    user = user_of(body)
    channel = channel or (body.get("channel") or {}).get("id") or (body.get("container") or {}).get("channel_id")
    try:
        if channel:
            client.chat_postEphemeral(channel=channel, user=user, text=text)
        else:
            client.chat_postMessage(channel=user, text=text)
    except SlackApiError as exc:
        log.info("could not answer %s: %s", user, exc.response.get("error"))


def is_live(session: EmpathySession | None) -> bool:
    return session is not None and session.status in ("running", "paused")
