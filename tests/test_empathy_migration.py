"""Migration 0006 on a database with sessions in it: a session that was running keeps the agenda
and the live board it started with; its notes become unmarked, ungrouped notes. Downgrading and
upgrading again works on SQLite and PostgreSQL alike."""

from __future__ import annotations

from datetime import UTC, datetime

from alembic import command
from sqlalchemy import text

from bot.empathy.agenda import PhaseKind, areas_of, of_session
from storage import empathy as store
from storage import empathy_notes as notes_store
from storage.db import alembic_config, unit_of_work, upgrade
from storage.states import NoteBasis

NOW = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)


def test_sessions_from_before_0006_keep_their_agenda_and_live_board(any_engine):
    command.downgrade(alembic_config(any_engine), "0003")
    with any_engine.begin() as connection:
        for canvas, minutes in (("classic", 30), ("updated", 120)):
            connection.execute(text(
                "INSERT INTO empathy_session (team_id, channel_id, board_ts, facilitator_id, subject, goal, canvas,"
                " duration_minutes, anonymous, votes_per_person, phase_index, warned, idle_nudged, status,"
                " created_at) VALUES ('T1', 'C1', '1.2', 'U1', 'Buyer', 'Buy', :canvas, :minutes, false, 5, 3,"
                " false, false, 'running', :now)"), {"canvas": canvas, "minutes": minutes, "now": NOW})
        connection.execute(text(
            "INSERT INTO note (team_id, session_id, quadrant, text, author_id, visibility, created_at, updated_at)"
            " SELECT 'T1', id, 'says', 'kept', 'U2', 'visible', :now, :now FROM empathy_session"
            " WHERE canvas = 'classic'"), {"now": NOW})
    upgrade(any_engine)

    with unit_of_work(any_engine) as db:
        found = {row.canvas: row for row in store.list_recent_sessions(db, team_id="T1")}
        classic, updated = found["classic"], found["updated"]
        plan = of_session(classic)
        assert [p.key for p in plan] == ["intro", "says", "thinks", "does", "feels", "pains", "gains", "vote",
                                         "wrapup"], "no Group phase slipped into a running session"
        assert [p.seconds for p in plan] == [300, 180, 180, 180, 180, 180, 180, 300, 120]
        assert plan[classic.phase_index].key == "does" and classic.live_notes
        assert areas_of(updated) == ("sees", "says", "does", "hears", "thinks", "feels", "pains", "gains")
        assert of_session(updated)[0].seconds == 1200 and of_session(updated)[-2].kind == PhaseKind.VOTE
        [note] = notes_store.list_voted_notes(db, team_id="T1", session_id=classic.id)
        assert (note.text, note.basis, note.merged_into_id) == ("kept", NoteBasis.UNMARKED, None)
