"""Review storage on SQLite and PostgreSQL: every transition is a compare-and-set, nothing twice."""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy.engine import Engine

from bot.governance.owners import WorkingHours
from storage import review_queries as queries
from storage import reviews as store

NOW = datetime(2026, 11, 23, 12, 0, tzinfo=UTC)


def _review(engine: Engine, subject_id: int, due: datetime, reason: str = "cadence"):
    return store.schedule_review(engine, team_id="T1", subject_type="persona", subject_id=subject_id,
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
        wins.append(store.claim_nudge(any_engine, review_id=row.id, from_state="pending", now=NOW))

    threads = [threading.Thread(target=claim) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(wins) == [False] * 7 + [True]


def test_only_the_claimer_finishes_and_a_lost_claim_still_records_the_message(any_engine: Engine) -> None:
    row = _review(any_engine, 1, NOW)
    assert store.claim_nudge(any_engine, review_id=row.id, from_state="pending", now=NOW)
    later = NOW + timedelta(minutes=20)
    assert store.claim_nudge(any_engine, review_id=row.id, from_state="sending", now=later, held_since=NOW)
    assert not store.claim_nudge(any_engine, review_id=row.id, from_state="sending", now=later, held_since=NOW)
    assert not store.finish_sending(any_engine, review_id=row.id, claimed_at=NOW, channel_id="D1", message_ts="1.1")
    stored = store.get_review(any_engine, team_id="T1", review_id=row.id)
    assert stored.state == "sending" and stored.message_ts == "1.1"
    assert store.finish_sending(any_engine, review_id=row.id, claimed_at=later, channel_id="D1", message_ts="1.1")
    assert store.get_review(any_engine, team_id="T1", review_id=row.id).state == "sent"


def test_the_sweep_reads_only_what_is_due(any_engine: Engine) -> None:
    due = _review(any_engine, 1, NOW - timedelta(hours=1))
    _review(any_engine, 2, NOW + timedelta(days=30))
    deferred = _review(any_engine, 3, NOW - timedelta(hours=2))
    store.defer(any_engine, review_id=deferred.id, state="pending", until=NOW + timedelta(hours=5))
    snoozed = _review(any_engine, 4, NOW - timedelta(days=3))
    store.transition(any_engine, review_id=snoozed.id, from_states=("pending",), to_state="snoozed",
                     snoozed_until=NOW - timedelta(minutes=1))
    crashed = _review(any_engine, 5, NOW - timedelta(days=1))
    store.claim_nudge(any_engine, review_id=crashed.id, from_state="pending", now=NOW - timedelta(hours=1))
    live = _review(any_engine, 6, NOW - timedelta(days=1))
    store.claim_nudge(any_engine, review_id=live.id, from_state="pending", now=NOW - timedelta(minutes=1))

    found = queries.due_nudges(any_engine, now=NOW, stale_before=NOW - timedelta(minutes=15), limit=100)
    assert sorted(r.subject_id for r in found) == [1, 4, 5]
    assert due.id in {r.id for r in found}


def test_cancel_and_reassign_touch_only_open_reviews(any_engine: Engine) -> None:
    done = _review(any_engine, 1, NOW - timedelta(days=90))
    store.transition(any_engine, review_id=done.id, from_states=("pending",), to_state="done", done_at=NOW)
    _review(any_engine, 1, NOW + timedelta(days=1))
    assert store.reassign_open_for_subject(any_engine, team_id="T1", subject_type="persona", subject_id=1,
                                           owner_id="U2") == 1
    assert queries.owner_subjects(any_engine, team_id="T1", owner_id="U2") == [("persona", 1)]
    assert store.cancel_open_for_subject(any_engine, team_id="T1", subject_type="persona", subject_id=1,
                                         now=NOW) == 1
    assert queries.owner_subjects(any_engine, team_id="T1", owner_id="U2") == []


def test_working_hours_are_the_owners_weekday_mornings() -> None:
    hours = WorkingHours(10, 17)
    tokyo, new_york = ZoneInfo("Asia/Tokyo"), ZoneInfo("America/New_York")
    friday_evening_ny = datetime(2026, 11, 27, 23, 0, tzinfo=UTC)
    assert hours.next_slot(friday_evening_ny, new_york) == datetime(2026, 11, 30, 15, 0, tzinfo=UTC)
    monday_3am_tokyo = datetime(2026, 11, 29, 18, 0, tzinfo=UTC)
    assert hours.next_slot(monday_3am_tokyo, tokyo) == datetime(2026, 11, 30, 1, 0, tzinfo=UTC)
    inside = datetime(2026, 11, 30, 16, 30, tzinfo=UTC)
    assert hours.next_slot(inside, new_york) == inside
