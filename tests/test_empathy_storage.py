"""Empathy storage on SQLite and PostgreSQL: claims happen once, retries never duplicate."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy.engine import Engine

from storage import empathy as store
from storage import empathy_notes as notes
from storage import empathy_phases as phases
from storage import empathy_votes as votes

NOW = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)


def _session(engine: Engine, team: str = "T1") -> int:
    row = store.create_session(engine, team_id=team, channel_id="C1", facilitator_id="UF", subject="Buyers",
                               goal="Buy", canvas="classic", duration_minutes=30, anonymous=False,
                               votes_per_person=5, now=NOW, phase_ends_at=NOW + timedelta(minutes=5))
    store.mark_board_posted(engine, team_id=team, session_id=row.id, board_ts="1.1")
    return row.id


def test_a_phase_is_advanced_once_however_many_callers_race(any_engine: Engine) -> None:
    sid = _session(any_engine)
    wins = [phases.advance_phase(any_engine, team_id="T1", session_id=sid, from_index=0, now=NOW, seconds=180)
            for _ in range(3)]
    assert wins == [True, False, False]
    assert not phases.advance_phase(any_engine, team_id="T2", session_id=sid, from_index=1, now=NOW, seconds=1)
    assert store.get_session(any_engine, team_id="T1", session_id=sid).phase_index == 1
    assert [phases.claim_warning(any_engine, team_id="T1", session_id=sid, phase_index=1) for _ in range(2)] == [
        True, False]


def test_pause_resume_and_extend_keep_the_time_left(any_engine: Engine) -> None:
    sid = _session(any_engine)
    assert phases.pause(any_engine, team_id="T1", session_id=sid, phase_index=0, now=NOW + timedelta(minutes=1))
    assert not phases.pause(any_engine, team_id="T1", session_id=sid, phase_index=0, now=NOW)
    assert phases.extend(any_engine, team_id="T1", session_id=sid, phase_index=0, seconds=120)
    later = NOW + timedelta(hours=1)
    assert phases.resume(any_engine, team_id="T1", session_id=sid, phase_index=0, now=later)
    row = store.get_session(any_engine, team_id="T1", session_id=sid)
    assert row.status == "running" and row.phase_ends_at == later + timedelta(seconds=360)
    assert phases.extend(any_engine, team_id="T1", session_id=sid, phase_index=0, seconds=120)
    assert store.get_session(any_engine, team_id="T1", session_id=sid).phase_ends_at == later + timedelta(seconds=480)


def test_retried_notes_are_stored_once_and_votes_are_replaced_not_added(any_engine: Engine) -> None:
    sid = _session(any_engine)
    batch = [("view:V1:0", "slow"), ("view:V1:1", "crashes")]
    assert notes.add_notes(any_engine, team_id="T1", session_id=sid, author_id="UA", quadrant="says",
                           texts=batch, now=NOW) == 2
    assert notes.add_notes(any_engine, team_id="T1", session_id=sid, author_id="UA", quadrant="says",
                           texts=[*batch, ("view:V1:2", "new")], now=NOW) == 1
    slow, crashes, new = (n.id for n in sorted(notes.list_voted_notes(any_engine, team_id="T1", session_id=sid),
                                                key=lambda n: n.id))
    rules = {"team_id": "T1", "session_id": sid, "user_id": "UB", "budget": 5, "per_note": 3}
    for _ in range(2):
        votes.set_ballot(any_engine, votes={slow: 3, new: 1}, **rules)
    votes.set_ballot(any_engine, votes={crashes: 1}, **rules)
    assert votes.get_ballot(any_engine, team_id="T1", session_id=sid, user_id="UB") == {slow: 3, new: 1, crashes: 1}
    with pytest.raises(votes.BallotError, match="budget"):
        votes.set_ballot(any_engine, votes={crashes: 2}, **rules)
    with pytest.raises(votes.BallotError, match="per_note"):
        votes.check_ballot(any_engine, votes={slow: 4}, **rules)
    ranked = notes.list_voted_notes(any_engine, team_id="T1", session_id=sid)
    assert [(n.text, n.votes) for n in ranked] == [("slow", 3), ("crashes", 1), ("new", 1)]
    assert notes.list_voted_notes(any_engine, team_id="T2", session_id=sid) == []
    assert store.list_participants(any_engine, team_id="T1", session_id=sid) == ["UA"]
