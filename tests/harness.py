"""The running bot, wired to the local Slack: what scenario tests drive.

`Bot` builds the real Bolt app against a real database and the fake Slack's URL, serves it
over real HTTP (waitress) and, when asked, over Socket Mode. Time is a `FakeClock` the test
moves; due work runs when the test calls `bot.tick()`, never by sleeping.
"""

from __future__ import annotations

import re
import threading
import time
import urllib.parse
import urllib.request
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any, TypeVar

from cryptography.fernet import Fernet
from slack_bolt import App
from sqlalchemy.engine import Engine

from bot import scheduler
from bot.app import build_app
from bot.clock import ManualClock
from bot.http_server import make_server, stop_server
from bot.scheduler import run_due_work
from bot.settings import Settings
from bot.slack_client import make_web_client
from bot.socket_mode import connect_socket_mode
from bot.socket_mode_client import HangUpClient, HangUpSocketModeHandler
from tests.slack_fake import FakeSlack, FakeSocketMode, SlackHttpClient

SIGNING_SECRET = "8f742231b10e8888abcd99aa0c8e85a5"  # shaped like Slack's
BOT_TOKEN = "xoxb-test-token"
APP_TOKEN = "xapp-test-token"
CLIENT_ID = "111.222"
CLIENT_SECRET = "test-client-secret"
TOKEN_KEY = Fernet.generate_key().decode()  # one per test run, like a deployment's own
T = TypeVar("T")


def eventually(check: Callable[[], T], *, timeout: float = 5.0) -> T:
    """Poll `check` until it returns something truthy: work after the ack runs on Bolt's threads."""
    deadline = time.monotonic() + timeout
    while True:
        result = check()
        if result or time.monotonic() > deadline:
            assert result, f"still not true after {timeout}s: {check}"
            return result
        time.sleep(0.01)


class FakeClock(ManualClock):
    """A clock that only moves when the test says so."""

    def __init__(self, start: datetime | None = None) -> None:
        super().__init__(start or datetime(2026, 11, 23, 9, 0, tzinfo=UTC))


def make_settings(slack: FakeSlack, **overrides: Any) -> Settings:
    values: dict[str, Any] = {
        "slack_bot_token": BOT_TOKEN,
        "slack_app_token": APP_TOKEN,
        "slack_signing_secret": SIGNING_SECRET,
        "slack_api_url": slack.base_url,
        "database_url": "sqlite://",
        "token_encryption_key": TOKEN_KEY,
        "_env_file": None,
    }
    values.update(overrides)
    return Settings(**values)


class Bot:
    """The app under test, reachable over HTTP (always) and Socket Mode (on `connect_socket_mode`)."""

    def __init__(self, *, slack: FakeSlack, engine: Engine, clock: FakeClock, **settings: Any) -> None:
        self.slack = slack
        self.engine = engine
        self.clock = clock
        self.settings = make_settings(slack, **settings)
        self.app: App = build_app(self.settings, engine, client=make_web_client(self.settings), clock=clock)
        self.deps = self.app.deps  # type: ignore[attr-defined]
        scheduler.start(self.deps, tick=False)  # one-off jobs (board refreshes) run; tests tick by hand
        self._server = make_server(self.app, host="127.0.0.1", port=0, signing_secret=SIGNING_SECRET)
        self._thread = threading.Thread(target=self._server.run, daemon=True)
        self._thread.start()
        self.url = f"http://127.0.0.1:{self._server.effective_port}"
        self.http = SlackHttpClient(f"{self.url}/slack/events", SIGNING_SECRET)
        self.socket: FakeSocketMode | None = None
        self._socket_handler: HangUpSocketModeHandler | None = None

    def connect_socket_mode(self, **ping: float) -> FakeSocketMode:
        """Connect as `workshop-bot run` does (`ping`: shorter ping_interval/ping_timeout)."""
        self.socket = FakeSocketMode()
        self.socket.start()
        self.slack.attach_socket_mode(self.socket)
        self._socket_handler = connect_socket_mode(self.app, APP_TOKEN, **ping)
        self.socket.wait_connected()
        return self.socket

    @property
    def socket_client(self) -> HangUpClient:
        """The Socket Mode client `connect_socket_mode` made (after it was called)."""
        assert self._socket_handler is not None, "connect_socket_mode() first"
        return self._socket_handler.client  # type: ignore[return-value]

    def install(self, team_id: str, **grant: str) -> str:
        """Install the app in `team_id` as a person does: open `/slack/install` (its state cookie),
        Slack's Allow (the local Slack issues a code), then the redirect back to
        `/slack/oauth_redirect`, where the app exchanges the code with `oauth.v2.access`.
        Returns the bot token the local Slack issued for that workspace."""
        before = self.slack.tokens_of(team_id)
        install = urllib.request.urlopen(f"{self.url}/slack/install", timeout=5)
        page, cookie = install.read().decode(), install.headers["Set-Cookie"].split(";")[0]
        state = re.search(r"[?&;]state=([^&\"']+)", page)
        assert install.status == 200 and state, page
        code = self.slack.approve_install(team_id, **grant)
        redirect = urllib.request.Request(
            f"{self.url}/slack/oauth_redirect?{urllib.parse.urlencode({'code': code, 'state': state[1]})}",
            headers={"Cookie": cookie})
        with urllib.request.urlopen(redirect, timeout=10) as done:
            assert done.status == 200, done.read()
        (token,) = self.slack.tokens_of(team_id) - before
        return token

    def tick(self) -> None:
        """Run the due work the scheduler would run, at the fake clock's time, and let what it
        started (posts, board refreshes) finish."""
        run_due_work(self.deps)
        self.settle()

    def settle(self, timeout: float = 10.0) -> None:
        """Wait until nothing started by a request or a tick is still going: work after acks,
        outbox messages sent right after their commit, board and card refreshes."""
        deadline = time.monotonic() + timeout
        while True:
            quiet = self.deps.wait_for_later(max(0.0, deadline - time.monotonic())) and self.deps.live.idle()
            if quiet and self.deps.wait_for_later(0):
                return
            assert time.monotonic() < deadline, "the bot did not settle"
            time.sleep(0.01)

    def close(self) -> None:
        if self._socket_handler is not None:
            self._socket_handler.close()
        if self.socket is not None:
            self.socket.stop()
        stop_server(self._server, self._thread)
        self.deps.stop()
