"""Benchmark: one review sweep over many stored personas/reviews with some due (run by hand).

    python tests/bench/bench_review_sweep.py            # SQLite, and PostgreSQL if TEST_DATABASE_URL is set

For each case it stores N personas, each with its cadence review (plus N done reviews from the
previous cycle, so the table holds 2N rows), makes D of them due now, runs one sweep against the
local Slack fake, and prints the sweep's wall time, its SQL statements and their time, and the
Slack calls. The claim: statements and SQL time follow D (the number due), not N (the number stored).
"""

from __future__ import annotations

import os
import sys
import tempfile
import time
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import event, insert, text
from sqlalchemy.engine import Engine

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from bot.app import build_app
from bot.scheduler import run_due_work
from storage.db import make_engine, upgrade
from storage.models import Persona, Review
from tests.harness import FakeClock, make_settings
from tests.slack_fake import FakeSlack

NOW = datetime(2026, 11, 24, 12, 0, tzinfo=UTC)  # a Tuesday noon: working hours for London owners
OWNERS = 100
CHUNK = 5_000


def populate(engine: Engine, *, stored: int, due: int) -> None:
    created = NOW - timedelta(days=200)
    with engine.begin() as connection:
        for start in range(0, stored, CHUNK):
            ids = range(start + 1, min(stored, start + CHUNK) + 1)
            connection.execute(insert(Persona.__table__), [
                {"id": i, "team_id": "T0001", "name": f"Persona {i}", "role": "", "context": "", "goals": [],
                 "behaviors": [], "needs": [], "frustrations": [], "quote": "", "unsure": "", "kind": "proto",
                 "confidence": "low", "owner_id": f"U{i % OWNERS:05d}", "cadence_days": 90,
                 "next_review_at": _due(i, due), "status": "active", "version": 1, "created_by": "U00000",
                 "created_at": created, "updated_at": created} for i in ids])
            connection.execute(insert(Review.__table__), [
                row for i in ids for row in (
                    {"team_id": "T0001", "subject_type": "persona", "subject_id": i, "owner_id": f"U{i % OWNERS:05d}",
                     "reason": "cadence", "detail": "", "due_at": _due(i, due) - timedelta(days=90), "state": "done",
                     "done_at": NOW - timedelta(days=1)},
                    {"team_id": "T0001", "subject_type": "persona", "subject_id": i, "owner_id": f"U{i % OWNERS:05d}",
                     "reason": "cadence", "detail": "", "due_at": _due(i, due), "state": "pending", "done_at": None})])
        connection.execute(text("ANALYZE"))


def _due(i: int, due: int) -> datetime:
    """The first `due` personas fell due in the last day; the rest fall due over the next quarter."""
    if i <= due:
        return NOW - timedelta(minutes=i % 1440)
    return NOW + timedelta(minutes=1 + i % (89 * 1440))


def sweep_once(engine: Engine) -> dict[str, float]:
    statements: list[float] = []
    started: dict[int, float] = {}

    def before(conn, cursor, statement, parameters, context, executemany):
        started[id(cursor)] = time.perf_counter()

    def after(conn, cursor, statement, parameters, context, executemany):
        statements.append(time.perf_counter() - started.pop(id(cursor), time.perf_counter()))

    with FakeSlack() as slack:
        settings = make_settings(slack)
        app = build_app(settings, engine, clock=FakeClock(NOW))
        event.listen(engine, "before_cursor_execute", before)
        event.listen(engine, "after_cursor_execute", after)
        try:
            t0 = time.perf_counter()
            run_due_work(app.deps)  # type: ignore[attr-defined]
            elapsed = time.perf_counter() - t0
        finally:
            event.remove(engine, "before_cursor_execute", before)
            event.remove(engine, "after_cursor_execute", after)
        posted = sum(1 for c in slack.calls_to("chat.postMessage") if c.response.get("ok"))
        slack_calls = len(slack.calls)
    return {"seconds": elapsed, "statements": len(statements), "sql_seconds": sum(statements),
            "posted": posted, "slack_calls": slack_calls}


def sqlite_engine(directory: str, name: str) -> Engine:
    engine = make_engine(f"sqlite:///{directory}/{name}.db")
    upgrade(engine)
    return engine


def postgres_engine(url: str) -> tuple[Engine, Engine, str]:
    schema = f"bench_{uuid.uuid4().hex[:10]}"
    admin = make_engine(url)
    with admin.begin() as connection:
        connection.execute(text(f'CREATE SCHEMA "{schema}"'))
    separator = "&" if "?" in url else "?"
    engine = make_engine(f"{url}{separator}options=-csearch_path%3D{schema}")
    upgrade(engine)
    return engine, admin, schema


def run(label: str, make: object, stored: int, due: int) -> None:
    engine, cleanup = make()  # type: ignore[operator]
    try:
        t0 = time.perf_counter()
        populate(engine, stored=stored, due=due)
        loaded = time.perf_counter() - t0
        result = sweep_once(engine)
        again = sweep_once(engine)
    finally:
        cleanup()
    print(f"{label:10} stored={stored:>7,} reviews={2 * stored:>7,} due={due:>5,} | sweep {result['seconds']:6.2f}s, "
          f"{result['statements']:>5} SQL statements ({result['sql_seconds']:5.2f}s in SQL), "
          f"{result['posted']:>5} DMs, {result['slack_calls']:>5} Slack calls | next sweep: "
          f"{again['statements']} statements, {again['sql_seconds'] * 1000:.1f} ms SQL, {again['posted']} DMs "
          f"| load {loaded:.0f}s", flush=True)


def main() -> None:
    cases = [(10_000, 1_000), (100_000, 1_000), (100_000, 100)]
    with tempfile.TemporaryDirectory() as directory:
        for stored, due in cases:
            def make_sqlite(stored: int = stored, due: int = due) -> tuple[Engine, object]:
                engine = sqlite_engine(directory, f"s{stored}_{due}")
                return engine, engine.dispose
            run("sqlite", make_sqlite, stored, due)
    url = os.environ.get("TEST_DATABASE_URL")
    if not url:
        print("postgresql: skipped (set TEST_DATABASE_URL)")
        return
    for stored, due in cases:
        def make_pg(stored: int = stored, due: int = due) -> tuple[Engine, object]:
            engine, admin, schema = postgres_engine(url)

            def cleanup() -> None:
                engine.dispose()
                with admin.begin() as connection:
                    connection.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
                admin.dispose()
            return engine, cleanup
        run("postgresql", make_pg, stored, due)


if __name__ == "__main__":
    main()
