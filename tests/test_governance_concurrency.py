"""Exactly once: sweeps racing in two threads, in two processes on one PostgreSQL, after a crash."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
import time
from collections import Counter
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy.engine import Engine

from bot.governance.changes import request_review_of_all
from bot.governance.nudges import LEASE
from storage import reviews as store
from storage.db import unit_of_work
from storage.states import ReviewState
from tests.conftest import _postgres_engine
from tests.governance_kit import add_journey, dms, install, review_rows
from tests.harness import Bot, FakeClock
from tests.persona_helpers import make_persona
from tests.slack_fake import FakeSlack

MONDAY_NOON_LONDON = datetime(2026, 11, 23, 12, 0, tzinfo=UTC)
ROOT = Path(__file__).resolve().parents[1]


def _nudged_review_ids(slack: FakeSlack) -> Counter:
    found: Counter = Counter()
    for call in slack.calls_to("chat.postMessage"):
        metadata = call.args.get("metadata")
        metadata = json.loads(metadata) if isinstance(metadata, str) else metadata
        if call.response.get("ok") and metadata:
            payload = metadata["event_payload"]
            for review_id in payload.get("review_ids") or [payload["review_id"]]:
                found[review_id] += 1
    return found


def _review_ids_of(args: dict) -> list[int]:
    metadata = args.get("metadata")
    metadata = json.loads(metadata) if isinstance(metadata, str) else metadata
    return list(metadata["event_payload"].get("review_ids") or [metadata["event_payload"]["review_id"]])


def sweep_twice_at_once(bot: Bot) -> None:
    """Two sweeps released together, as two processes on one database would run them."""
    barrier = threading.Barrier(2)

    def sweep() -> None:
        barrier.wait()
        bot.tick()

    threads = [threading.Thread(target=sweep) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)


def test_two_sweeps_in_two_threads_send_each_nudge_once(any_engine: Engine, slack: FakeSlack) -> None:
    clock = FakeClock(MONDAY_NOON_LONDON)
    bot = Bot(slack=slack, engine=any_engine, clock=clock)
    try:
        install(bot.deps)
        for n in range(24):
            add_journey(any_engine, name=f"Journey {n}", owner=f"U0OWN{n % 4}", due=clock.now(),
                        created=clock.now())
        sweep_twice_at_once(bot)
        sent = _nudged_review_ids(slack)
        assert len(sent) == 24 and set(sent.values()) == {1}
        assert all(len(dms(slack, f"U0OWN{n}")) == 1 for n in range(4)), "one DM per owner, listing their six"
        assert {r.state for r in review_rows(any_engine)} == {"sent"}
    finally:
        bot.close()


def test_two_sweeps_send_each_owner_one_grouped_review_all_dm(any_engine: Engine, slack: FakeSlack) -> None:
    clock = FakeClock(MONDAY_NOON_LONDON)
    bot = Bot(slack=slack, engine=any_engine, clock=clock)
    try:
        install(bot.deps)
        for n in range(24):
            add_journey(any_engine, name=f"Journey {n}", owner=f"U0OWN{n % 4}", due=clock.now() + timedelta(days=90),
                        created=clock.now())
        with unit_of_work(any_engine) as db:
            assert request_review_of_all(bot.deps, db, team_id="T0001", by_user_id="U0ADMIN", text="Launch",
                                         now=clock.now()) == (24, 4, 0)
        sweep_twice_at_once(bot)
        for owner in (f"U0OWN{n}" for n in range(4)):
            [dm] = dms(slack, owner)
            metadata = dm["metadata"] if isinstance(dm["metadata"], dict) else json.loads(dm["metadata"])
            assert len(metadata["event_payload"]["review_ids"]) == 6
        assert {r.state for r in review_rows(any_engine) if r.reason == "manual:launch"} == {"sent"}
    finally:
        bot.close()


@pytest.fixture
def pg_engine() -> Iterator[Engine]:
    """PostgreSQL only (a fresh schema), skipped cleanly when TEST_DATABASE_URL is not set."""
    yield from _postgres_engine()


def test_two_processes_on_one_postgresql_send_each_nudge_once(slack: FakeSlack, pg_engine: Engine) -> None:
    engine = pg_engine
    clock = FakeClock(MONDAY_NOON_LONDON - timedelta(days=91))
    bot = Bot(slack=slack, engine=engine, clock=clock)
    try:
        for n in range(40):
            make_persona(bot, owner=f"U0OWN{n % 5}", name=f"Persona {n}")
        url = engine.url.render_as_string(hide_password=False)
        start_at = str(time.time() + 3)
        env = {**os.environ, "PYTHONPATH": str(ROOT)}
        processes = [subprocess.Popen([sys.executable, "-m", "tests.governance_sweep_process", url, slack.base_url,
                                       MONDAY_NOON_LONDON.isoformat(), start_at], cwd=ROOT, env=env,
                                      stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
                     for _ in range(2)]
        for process in processes:
            _, stderr = process.communicate(timeout=120)
            assert process.returncode == 0, stderr
        sent = _nudged_review_ids(slack)
        assert set(sent.values()) == {1} and sent, "what fits in each DM, listed once"
        for n in range(5):
            [dm] = dms(slack, f"U0OWN{n}")  # one DM per owner (8 items each): those that fit, the rest counted
            listed = [r for r in sent if r in _review_ids_of(dm)]
            more = 8 - len(listed)
            assert listed and (more == 0 or f"and {more} more" in json.dumps(dm["blocks"]))
        assert Counter(r.state for r in review_rows(engine)) == {"sent": 40}
    finally:
        bot.close()


def test_a_claim_abandoned_by_a_crashed_process_is_taken_over_once_after_the_lease(
        bot: Bot, slack: FakeSlack, clock: FakeClock) -> None:
    clock.set(MONDAY_NOON_LONDON)
    install(bot.deps)
    journey_id = add_journey(bot.engine, name="Crashed", owner="U0OWNER", due=clock.now(), created=clock.now())
    [row] = review_rows(bot.engine, journey_id)
    with unit_of_work(bot.engine) as db:  # then dies
        assert store.claim_nudge(db, review_id=row.id, from_state=ReviewState.PENDING, now=clock.now())

    bot.tick()
    assert dms(slack, "U0OWNER") == [], "a live claim is never taken over"
    clock.advance(seconds=LEASE.total_seconds() + 1)
    bot.tick()
    bot.tick()
    assert len(dms(slack, "U0OWNER")) == 1
    assert review_rows(bot.engine, journey_id)[0].state == "sent"


def _history_from(slack: FakeSlack):
    """conversations.history over what the fake holds (the one Web API method the fake lacks)."""
    def answer(args: dict) -> dict:
        oldest = float(args.get("oldest") or 0)
        messages = [m for (channel, ts), m in slack.messages.items()
                    if channel == args["channel"] and float(ts) >= oldest]
        return {"messages": sorted(messages, key=lambda m: m["ts"], reverse=True), "has_more": False}
    return answer


def test_a_post_slack_accepted_without_answering_in_time_is_not_sent_again(
        bot: Bot, slack: FakeSlack, clock: FakeClock) -> None:
    clock.set(MONDAY_NOON_LONDON)
    install(bot.deps)
    journey_id = add_journey(bot.engine, name="Slow", owner="U0OWNER", due=clock.now(), created=clock.now())
    slack.override("conversations.history", _history_from(slack))

    def slow_post(args: dict) -> dict:
        posted = slack.workspace.chat_post_message(args)  # Slack accepts the nudge...
        time.sleep(0.6)  # ...but answers after the client gave up
        return posted

    slack.override("chat.postMessage", slow_post)
    bot.deps.client.timeout = 0.3
    bot.tick()
    slack.override("chat.postMessage", slack.workspace.chat_post_message)
    bot.deps.client.timeout = 15
    assert review_rows(bot.engine, journey_id)[0].state == "sending"

    clock.advance(seconds=LEASE.total_seconds() + 1)
    bot.tick()
    bot.tick()
    assert len(slack.calls_to("chat.postMessage")) == 1
    [row] = review_rows(bot.engine, journey_id)
    assert row.state == "sent" and row.message_ts
