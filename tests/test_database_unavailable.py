"""The database briefly away: each request is answered "try again" (never a 500 page, never a
traceback per request), the next one after it is back works; away at start, `workshop-bot`
says so in words and exits 3."""

from __future__ import annotations

import logging
import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.engine import Engine

from bot.empathy import ids
from storage.db import make_engine, upgrade
from tests.conftest import PG_URL, _postgres_engine
from tests.harness import Bot, FakeClock, eventually
from tests.real_process import cli, free_port, slack_env
from tests.slack_fake import FakeSlack, payloads
from tests.test_empathy_support import Workshop

TRY_AGAIN = "couldn't reach my database"


class MovableDatabase:
    """A SQLite file in its own folder: moving the folder away makes every new connection fail
    ("unable to open database file"), as a database server that went down does."""

    def __init__(self, tmp_path: Path) -> None:
        self.folder, self.away = tmp_path / "db", tmp_path / "db-away"
        self.folder.mkdir()
        self.engine = make_engine(f"sqlite:///{self.folder}/workshop.db")
        upgrade(self.engine)

    def go_away(self) -> None:
        os.rename(self.folder, self.away)
        self.engine.dispose()  # the connections it had went with it, as with a restarted server

    def come_back(self) -> None:
        os.rename(self.away, self.folder)


@pytest.fixture
def database(tmp_path: Path) -> Iterator[MovableDatabase]:
    db = MovableDatabase(tmp_path)
    yield db
    if db.away.exists():
        db.come_back()
    db.engine.dispose()


@pytest.fixture
def movable_bot(slack: FakeSlack, database: MovableDatabase) -> Iterator[Bot]:
    running = Bot(slack=slack, engine=database.engine, clock=FakeClock())
    yield running
    running.close()


def _tracebacks(caplog: pytest.LogCaptureFixture) -> list[str]:
    return [f"{r.name}: {r.getMessage()}" for r in caplog.records if r.exc_info]


def test_a_request_while_the_database_is_away_is_told_to_try_again_and_the_next_one_works(
        movable_bot: Bot, slack: FakeSlack, database: MovableDatabase, caplog: pytest.LogCaptureFixture) -> None:
    bot = movable_bot
    w = Workshop(bot, slack).start()
    w.control(ids.NEXT_PHASE)
    eventually(lambda: w.phase_index() == 1)
    view = w.open_modal(ids.ADD_NOTE, "U0ANA")
    submission = payloads.view_submission(ids.NOTE_MODAL, {ids.NOTE_TEXT_BLOCK: {"value": "Where is my order?"}},
                                          private_metadata=view["private_metadata"], user="U0ANA",
                                          view_id=view["id"])
    reply = payloads.event_callback(payloads.message_event("It is slow", user="U0BEN", channel=w.channel,
                                                           channel_type="channel", thread_ts=w.board_ts))
    caplog.set_level(logging.WARNING)
    database.go_away()

    click = bot.http.interactive(payloads.block_actions(ids.JOIN, value=str(w.session_id), user="U0CAT",
                                                        channel=w.channel, message_ts=w.board_ts))
    assert click.status == 200  # a button reads the session before its ack
    eventually(lambda: any(TRY_AGAIN in text for text in w.ephemerals("U0CAT")))
    form = bot.http.interactive(submission)
    assert form.status == 200 and TRY_AGAIN in form.json()["errors"][ids.NOTE_TEXT_BLOCK], "said in the form"
    command = bot.http.command(payloads.slash_command("/empathy", f"export {w.session_id}", user="U0ANA",
                                                      channel=w.channel))
    assert command.status == 200 and TRY_AGAIN in command.json()["text"]
    assert bot.http.event(reply).status == 500, "an event fails so that Slack delivers it again"
    bot.settle()
    assert _tracebacks(caplog) == [], "one warning line per request, no traceback"
    assert any("database unavailable" in r.getMessage() for r in caplog.records)

    database.come_back()
    w.click(ids.JOIN, "U0CAT")
    eventually(lambda: "U0CAT" in w.participants())
    assert bot.http.interactive(submission).body_text == ""
    assert bot.http.event(reply, retry_num=1).status == 200
    eventually(lambda: sorted(n.text for n in w.notes()) == ["It is slow", "Where is my order?"])
    bot.settle()
    assert _tracebacks(caplog) == []


@pytest.fixture
def pg_engine() -> Iterator[Engine]:
    yield from _postgres_engine()


@pytest.mark.postgres
def test_connections_a_restarted_postgresql_dropped_are_replaced_before_use(
        slack: FakeSlack, pg_engine: Engine, caplog: pytest.LogCaptureFixture) -> None:
    bot = Bot(slack=slack, engine=pg_engine, clock=FakeClock())
    try:
        w = Workshop(bot, slack).start()
        caplog.set_level(logging.WARNING)
        with make_engine(PG_URL or "").connect() as admin:  # what a server restart does to our pool
            killed = admin.execute(text("SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
                                        "WHERE datname = current_database() AND pid <> pg_backend_pid() "
                                        "AND backend_type = 'client backend'")).scalar()
        assert killed >= 1
        w.click(ids.JOIN, "U0ANA")
        eventually(lambda: "U0ANA" in w.participants())
        eventually(lambda: any("joined" in t for t in w.ephemerals("U0ANA")))
        bot.settle()
        assert not any(TRY_AGAIN in t for t in w.ephemerals("U0ANA"))
        assert _tracebacks(caplog) == []
    finally:
        bot.close()


@pytest.mark.parametrize("url", ["postgresql://workshop:secret@127.0.0.1:{port}/workshop",
                                 "sqlite:////nonexistent-folder/workshop.db"])
def test_run_with_the_database_away_says_so_and_exits_3(tmp_path: Path, slack: FakeSlack, url: str) -> None:
    result = cli(tmp_path, "run", **{**slack_env(slack), "DATABASE_URL": url.format(port=free_port())})

    assert result.returncode == 3
    assert "cannot reach the database" in result.stderr and "DATABASE_URL" in result.stderr
    assert "Traceback" not in result.stderr and "secret" not in result.stderr
    assert slack.calls == [], "nothing reaches Slack before the database does"
