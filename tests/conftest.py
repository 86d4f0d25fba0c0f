"""Fixtures: the local Slack, databases (SQLite always, PostgreSQL when given), the running bot."""

from __future__ import annotations

import os
import subprocess
import uuid
from collections.abc import Iterator

import pytest
from sqlalchemy import text
from sqlalchemy.engine import Engine

from storage.db import make_engine, upgrade
from tests.harness import Bot, FakeClock
from tests.slack_fake import FakeSlack

PG_URL = os.environ.get("TEST_DATABASE_URL")
PG_REQUIRED = os.environ.get("REQUIRE_POSTGRES") == "1"


@pytest.fixture
def slack() -> Iterator[FakeSlack]:
    fake = FakeSlack()
    fake.start()
    yield fake
    fake.stop()
    fake.assert_no_block_kit_errors()


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


def _sqlite_engine(tmp_path: object) -> Engine:
    engine = make_engine(f"sqlite:///{tmp_path}/workshop.db")
    upgrade(engine)
    return engine


def _postgres_engine() -> Iterator[Engine]:
    """A fresh schema per test on the one server: isolated and much faster than a database each."""
    if not PG_URL:
        if PG_REQUIRED:
            pytest.fail("REQUIRE_POSTGRES=1 but TEST_DATABASE_URL is not set")
        pytest.skip("PostgreSQL not available: set TEST_DATABASE_URL (.ci/run does) to run these cases")
    schema = f"t_{uuid.uuid4().hex[:12]}"
    admin = make_engine(PG_URL)
    with admin.begin() as connection:
        connection.execute(text(f'CREATE SCHEMA "{schema}"'))
    separator = "&" if "?" in PG_URL else "?"
    engine = make_engine(f"{PG_URL}{separator}options=-csearch_path%3D{schema}")
    upgrade(engine)
    yield engine
    engine.dispose()
    with admin.begin() as connection:
        connection.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
    admin.dispose()


@pytest.fixture
def engine(tmp_path: object) -> Iterator[Engine]:
    """SQLite, for scenario tests."""
    engine = _sqlite_engine(tmp_path)
    yield engine
    engine.dispose()


@pytest.fixture(params=["sqlite", "postgres"])
def any_engine(request: pytest.FixtureRequest, tmp_path: object) -> Iterator[Engine]:
    """Both databases, for storage tests."""
    if request.param == "sqlite":
        engine = _sqlite_engine(tmp_path)
        yield engine
        engine.dispose()
    else:
        yield from _postgres_engine()


@pytest.fixture
def bot(slack: FakeSlack, engine: Engine, clock: FakeClock) -> Iterator[Bot]:
    running = Bot(slack=slack, engine=engine, clock=clock)
    yield running
    running.close()


@pytest.fixture
def running() -> Iterator[list[subprocess.Popen[str]]]:
    """Processes a test starts (tests/real_process.py); killed at the end if still running."""
    started: list[subprocess.Popen[str]] = []
    yield started
    for process in started:
        if process.poll() is None:
            process.kill()
            process.wait()
