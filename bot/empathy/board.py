"""The session's live board: rendered from the database and kept up to date in place.

Any change (a note, a vote, a phase) asks for a refresh; `deps.live` coalesces and paces them,
and shares the workspace's `chat.update` budget with every other live message.
"""

from __future__ import annotations

from sqlmodel import Session

from bot.deps import Deps
from bot.empathy.board_view import BoardState, board_fallback_text, build_board
from bot.live_messages import Update
from storage import empathy as store
from storage import empathy_notes as notes_store
from storage.db import unit_of_work
from storage.models import EmpathySession


def key(session_id: int) -> str:
    return f"empathy-board:{session_id}"


def render(deps: Deps, db: Session, session: EmpathySession) -> list[dict]:
    """The board's blocks for `session` as the database holds it now."""
    return build_board(deps.prompts, BoardState(
        session=session,
        notes=notes_store.list_voted_notes(db, team_id=session.team_id, session_id=session.id),
        participants=store.list_participants(db, team_id=session.team_id, session_id=session.id),
        now=deps.clock.now()))


def current(deps: Deps, team_id: str, session_id: int) -> list[Update]:
    with unit_of_work(deps.engine) as db:
        session = store.get_session(db, team_id=team_id, session_id=session_id)
        if session is None or not session.board_ts:
            return []
        return [Update(session.channel_id, session.board_ts, render(deps, db, session),
                       board_fallback_text(deps.prompts, session))]


def refresh(deps: Deps, team_id: str, session_id: int) -> None:
    """Show the latest state on the board soon (coalesced with other changes)."""
    deps.live.refresh(team_id, key(session_id), lambda: current(deps, team_id, session_id))
