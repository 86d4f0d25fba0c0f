"""Empathy storage on SQLite and PostgreSQL: claims happen once, retries never duplicate."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy.engine import Engine

from storage import empathy as store
from storage import empathy_notes as notes
from storage import empathy_phases as phases
from storage import empathy_votes as votes
from storage.db import unit_of_work
from storage.models import EmpathySession
from storage.states import NoteBasis, SessionStatus

NOW = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)


def _session(engine: Engine, team: str = "T1") -> int:
    with unit_of_work(engine) as db:
        row = store.create_session(db, team_id=team, channel_id="C1", facilitator_id="UF", subject="Buyers",
                                   goal="Buy", canvas="classic", duration_minutes=30, anonymous=False,
                                   votes_per_person=5, now=NOW, phase_ends_at=NOW + timedelta(minutes=5))
        assert store.mark_board_posted(db, team_id=team, session_id=row.id, board_ts="1.1", now=NOW,
                                       phase_ends_at=NOW + timedelta(minutes=5))
        return row.id


def _read(engine: Engine, sid: int, team: str = "T1") -> EmpathySession:
    with unit_of_work(engine) as db:
        row = store.get_session(db, team_id=team, session_id=sid)
        assert row is not None
        return row


def test_a_phase_is_advanced_once_however_many_callers_race(any_engine: Engine) -> None:
    sid = _session(any_engine)
    stale = [_read(any_engine, sid) for _ in range(3)]  # three callers that read the same state
    wins = []
    for row in stale:
        with unit_of_work(any_engine) as db:
            wins.append(phases.advance_phase(db, row, from_index=0, now=NOW, seconds=180))
    assert wins == [True, False, False]
    other_team = _read(any_engine, sid)
    other_team.team_id = "T2"
    with unit_of_work(any_engine) as db:
        assert not phases.advance_phase(db, other_team, from_index=1, now=NOW, seconds=1)
    assert _read(any_engine, sid).phase_index == 1
    claims = []
    for row in [_read(any_engine, sid), _read(any_engine, sid)]:
        with unit_of_work(any_engine) as db:
            claims.append(phases.claim_warning(db, row))
    assert claims == [True, False]


def test_pause_resume_and_extend_keep_the_time_left(any_engine: Engine) -> None:
    sid = _session(any_engine)
    row = _read(any_engine, sid)
    with unit_of_work(any_engine) as db:
        assert phases.pause(db, row, now=NOW + timedelta(minutes=1))
        assert not phases.pause(db, row, now=NOW)
        assert phases.extend(db, row, seconds=120)
    later = NOW + timedelta(hours=1)
    with unit_of_work(any_engine) as db:
        assert phases.resume(db, _read(any_engine, sid), now=later)
    row = _read(any_engine, sid)
    assert row.status == SessionStatus.RUNNING and row.phase_ends_at == later + timedelta(seconds=360)
    with unit_of_work(any_engine) as db:
        assert phases.extend(db, row, seconds=120)
    assert _read(any_engine, sid).phase_ends_at == later + timedelta(seconds=480)


def test_retried_notes_are_stored_once_and_votes_are_replaced_not_added(any_engine: Engine) -> None:
    sid = _session(any_engine)
    batch = [("view:V1:0", "slow"), ("view:V1:1", "crashes")]
    with unit_of_work(any_engine) as db:
        assert notes.add_notes(db, team_id="T1", session_id=sid, author_id="UA", quadrant="says",
                               texts=batch, now=NOW) == 2
    with unit_of_work(any_engine) as db:
        assert notes.add_notes(db, team_id="T1", session_id=sid, author_id="UA", quadrant="says",
                               texts=[*batch, ("view:V1:2", "new")], now=NOW) == 1
        slow, crashes, new = (n.id for n in sorted(notes.list_voted_notes(db, team_id="T1", session_id=sid),
                                                    key=lambda n: n.id))
    rules = {"team_id": "T1", "session_id": sid, "user_id": "UB", "budget": 5, "per_note": 3}
    for _ in range(2):
        with unit_of_work(any_engine) as db:
            votes.set_ballot(db, votes={slow: 3, new: 1}, **rules)
    with unit_of_work(any_engine) as db:
        assert votes.set_ballot(db, votes={crashes: 1}, **rules) == 5
    with unit_of_work(any_engine) as db:
        assert votes.get_ballot(db, team_id="T1", session_id=sid, user_id="UB") == {slow: 3, new: 1, crashes: 1}
        with pytest.raises(votes.BallotError, match="budget"):
            votes.set_ballot(db, votes={crashes: 2}, **rules)
        with pytest.raises(votes.BallotError, match="per_note"):
            votes.set_ballot(db, votes={slow: 4}, **rules)
        with pytest.raises(votes.BallotError, match="unknown_note"):
            votes.set_ballot(db, votes={999_999: 1}, **rules)
    with unit_of_work(any_engine) as db:
        ranked = notes.list_voted_notes(db, team_id="T1", session_id=sid)
        assert [(n.text, n.votes) for n in ranked] == [("slow", 3), ("crashes", 1), ("new", 1)]
        assert notes.list_voted_notes(db, team_id="T2", session_id=sid) == []
        assert store.list_participants(db, team_id="T1", session_id=sid) == ["UA"]


def test_marked_notes_keep_their_own_mark_and_a_split_group_stands_alone_unless_voted(any_engine: Engine) -> None:
    sid = _session(any_engine)
    marked = [("msg:1:0", "wizard", NoteBasis.HEARD, "usability test"), ("msg:1:1", "bus", NoteBasis.GUESS, "x"),
              ("msg:1:2", "dark mode")]
    with unit_of_work(any_engine) as db:
        assert notes.add_notes(db, team_id="T1", session_id=sid, author_id="UA", quadrant="says", texts=marked,
                               now=NOW, basis=NoteBasis.HEARD, heard_from="call") == 3
    with unit_of_work(any_engine) as db:
        rows = sorted(notes.list_voted_notes(db, team_id="T1", session_id=sid), key=lambda n: n.id)
    assert [(n.basis, n.heard_from) for n in rows] == [
        (NoteBasis.HEARD, "usability test"), (NoteBasis.GUESS, ""), (NoteBasis.HEARD, "call")]
    head, bus, dark = (n.id for n in rows)
    split = {"team_id": "T1", "session_id": sid, "head_id": head}
    with unit_of_work(any_engine) as db:
        assert notes.merge_notes(db, team_id="T1", session_id=sid, into_id=head, note_ids=[bus, dark]) == 2
        assert notes.split_group(db, team_id="T2", session_id=sid, head_id=head) == 0, "another workspace"
    with unit_of_work(any_engine) as db:
        assert notes.split_group(db, **split) == 2
        assert notes.split_group(db, **split) == 0, "a retry finds nothing"
    with unit_of_work(any_engine) as db:
        assert notes.merge_notes(db, team_id="T1", session_id=sid, into_id=head, note_ids=[bus, dark]) == 2
        votes.set_ballot(db, team_id="T1", session_id=sid, user_id="UB", votes={head: 1}, budget=5, per_note=3)
    with unit_of_work(any_engine) as db:
        assert notes.split_group(db, **split) == 0, "votes were cast for the group"
        [group] = notes.list_voted_notes(db, team_id="T1", session_id=sid)
    assert (group.id, group.members, group.votes) == (head, ("bus", "dark mode"), 1)
