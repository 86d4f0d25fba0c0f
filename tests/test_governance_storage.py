"""Review storage on SQLite and PostgreSQL: every transition is a compare-and-set, nothing twice."""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy.engine import Engine

from bot.governance.owners import WorkingHours
from storage import review_queries as queries
from storage import reviews as store
from storage.db import unit_of_work
from storage.states import ReviewState

NOW = datetime(2026, 11, 23, 12, 0, tzinfo=UTC)


def _in(engine: Engine, work, **kw):
    """One storage call in its own unit of work (committed), as a tick or a request would make it."""
    with unit_of_work(engine) as db:
        return work(db, **kw)


def _review(engine: Engine, subject_id: int, due: datetime, reason: str = "cadence") -> int | None:
    return _in(engine, store.schedule_review, team_id="T1", subject_type="persona", subject_id=subject_id,
               owner_id="U1", reason=reason, due_at=due)


def test_the_same_review_is_scheduled_once(any_engine: Engine) -> None:
    assert _review(any_engine, 1, NOW) is not None
    assert _review(any_engine, 1, NOW) is None
    assert _review(any_engine, 1, NOW, reason="change") is not None


def test_a_claim_is_won_by_exactly_one_of_many_threads(any_engine: Engine) -> None:
    row = _review(any_engine, 1, NOW)
    barrier = threading.Barrier(8)
    wins: list[bool] = []

    def claim() -> None:
        barrier.wait()
        wins.append(_in(any_engine, store.claim_nudge, review_id=row, from_state=ReviewState.PENDING, now=NOW))

    threads = [threading.Thread(target=claim) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(wins) == [False] * 7 + [True]


def test_only_the_claimer_finishes_and_a_lost_claim_still_records_the_message(any_engine: Engine) -> None:
    row = _review(any_engine, 1, NOW)
    assert _in(any_engine, store.claim_nudge, review_id=row, from_state=ReviewState.PENDING, now=NOW)
    later = NOW + timedelta(minutes=20)
    assert _in(any_engine, store.claim_nudge, review_id=row, from_state=ReviewState.SENDING, now=later, held_since=NOW)
    assert not _in(any_engine, store.claim_nudge, review_id=row, from_state=ReviewState.SENDING, now=later,
                   held_since=NOW)
    assert not _in(any_engine, store.finish_sending, review_id=row, claimed_at=NOW, channel_id="D1", message_ts="1.1")
    stored = _in(any_engine, store.get_review, team_id="T1", review_id=row)
    assert stored.state == ReviewState.SENDING and stored.message_ts == "1.1"
    assert _in(any_engine, store.finish_sending, review_id=row, claimed_at=later, channel_id="D1", message_ts="1.1")
    assert _in(any_engine, store.get_review, team_id="T1", review_id=row).state == ReviewState.SENT


def test_the_sweep_reads_only_what_is_due(any_engine: Engine) -> None:
    due = _review(any_engine, 1, NOW - timedelta(hours=1))
    _review(any_engine, 2, NOW + timedelta(days=30))
    deferred = _review(any_engine, 3, NOW - timedelta(hours=2))
    _in(any_engine, store.defer, review_id=deferred, state=ReviewState.PENDING, until=NOW + timedelta(hours=5))
    snoozed = _review(any_engine, 4, NOW - timedelta(days=3))
    _in(any_engine, store.transition, review_id=snoozed, from_states=(ReviewState.PENDING,),
        to_state=ReviewState.SNOOZED, snoozed_until=NOW - timedelta(minutes=1))
    crashed = _review(any_engine, 5, NOW - timedelta(days=1))
    _in(any_engine, store.claim_nudge, review_id=crashed, from_state=ReviewState.PENDING, now=NOW - timedelta(hours=1))
    live = _review(any_engine, 6, NOW - timedelta(days=1))
    _in(any_engine, store.claim_nudge, review_id=live, from_state=ReviewState.PENDING, now=NOW - timedelta(minutes=1))

    found = _in(any_engine, queries.due_nudges, now=NOW, stale_before=NOW - timedelta(minutes=15), limit=100)
    assert sorted(r.subject_id for r in found) == [1, 4, 5]
    assert due in {r.id for r in found}


def test_cancel_and_reassign_touch_only_open_reviews(any_engine: Engine) -> None:
    done = _review(any_engine, 1, NOW - timedelta(days=90))
    _in(any_engine, store.transition, review_id=done, from_states=(ReviewState.PENDING,), to_state=ReviewState.DONE,
        done_at=NOW)
    _review(any_engine, 1, NOW + timedelta(days=1))
    assert _in(any_engine, store.reassign_open_for_subject, team_id="T1", subject_type="persona", subject_id=1,
                                           owner_id="U2") == 1
    assert _in(any_engine, queries.owner_subjects, team_id="T1", owner_id="U2") == [("persona", 1)]
    assert _in(any_engine, store.cancel_open_for_subject, team_id="T1", subject_type="persona", subject_id=1,
                                         now=NOW) == 1
    assert _in(any_engine, queries.owner_subjects, team_id="T1", owner_id="U2") == []


def test_working_hours_are_the_owners_weekday_mornings() -> None:
    hours = WorkingHours(10, 17)
    tokyo, new_york = ZoneInfo("Asia/Tokyo"), ZoneInfo("America/New_York")
    friday_evening_ny = datetime(2026, 11, 27, 23, 0, tzinfo=UTC)
    assert hours.next_slot(friday_evening_ny, new_york) == datetime(2026, 11, 30, 15, 0, tzinfo=UTC)
    monday_3am_tokyo = datetime(2026, 11, 29, 18, 0, tzinfo=UTC)
    assert hours.next_slot(monday_3am_tokyo, tokyo) == datetime(2026, 11, 30, 1, 0, tzinfo=UTC)
    inside = datetime(2026, 11, 30, 16, 30, tzinfo=UTC)
    assert hours.next_slot(inside, new_york) == inside


def test_a_subjects_new_owner_takes_its_open_reviews_but_not_a_links(any_engine: Engine) -> None:
    for reason in ("cadence", "change", "link:7", "link:8"):
        _review(any_engine, 1, NOW, reason=reason)
    _in(any_engine, store.reassign_open_for_subject, team_id="T1", subject_type="persona", subject_id=1,
        owner_id="U2", except_prefix="link:")
    _in(any_engine, store.reassign_open_for_subject, team_id="T1", subject_type="persona", subject_id=1,
        owner_id="U3", reasons=("link:8",))
    rows = _in(any_engine, queries.open_reviews_for_subject, team_id="T1", subject_type="persona", subject_id=1)
    assert sorted((r.reason, r.owner_id) for r in rows) == [
        ("cadence", "U2"), ("change", "U2"), ("link:7", "U1"), ("link:8", "U3")]
