"""The real Bolt app wired to the local Slack on loopback, with a clock the script moves.

The same wiring as production (signed HTTP into Bolt, Web API calls over HTTP to the
`base_url`), so the page shows exactly what the bot would post in a workspace. Due work runs
when the script calls `tick()`, as the scheduler would, at the script's time.
"""

from __future__ import annotations

import secrets
import tempfile
import threading
import time
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Any, TypeVar

from bot import scheduler
from bot.app import build_app
from bot.clock import ManualClock
from bot.http_server import make_server, stop_server
from bot.settings import Settings
from bot.slack_client import make_web_client
from local_slack import FakeSlack, SlackHttpClient
from local_slack.signed_http import Response
from storage.db import make_engine, upgrade

T = TypeVar("T")
WAIT_SECONDS = 15.0


class DemoError(RuntimeError):
    """The scripted workshop did not go as written (a bug in the bot or the script)."""


class Stage:
    """The local Slack, a database in a temporary folder, and the bot between them."""

    def __init__(self, *, start: datetime, prompts_dir: Path | None, default_timezone: str) -> None:
        self.clock = ManualClock(start)
        self.slack = FakeSlack().start()
        self._folder = tempfile.TemporaryDirectory(prefix="workshop-bot-demo-")
        self.engine = make_engine(f"sqlite:///{self._folder.name}/demo.db")
        upgrade(self.engine)
        secret = secrets.token_hex(16)
        self.settings = Settings(_env_file=None, slack_bot_token="xoxb-demo", slack_signing_secret=secret,  # type: ignore[call-arg]
                                 slack_api_url=self.slack.base_url, database_url=str(self.engine.url),
                                 prompts_dir=prompts_dir, default_timezone=default_timezone)
        self.app = build_app(self.settings, self.engine, client=make_web_client(self.settings), clock=self.clock)
        self.deps = self.app.deps  # type: ignore[attr-defined]
        scheduler.start(self.deps, tick=False)
        self._server = make_server(self.app, host="127.0.0.1", port=0, signing_secret=secret)
        self._thread = threading.Thread(target=self._server.run, name="demo-http", daemon=True)
        self._thread.start()
        self.http = SlackHttpClient(f"http://127.0.0.1:{self._server.effective_port}/slack/events", secret)

    def send(self, kind: str, payload: dict[str, Any]) -> Response:
        """One signed request into the app ("command", "interactive" or "event"), then settle."""
        answer: Response = getattr(self.http, kind)(payload)
        if answer.status != 200:
            raise DemoError(f"the bot answered {answer.status} to a {kind}: {answer.body_text[:200]}")
        self.settle()
        return answer

    def tick(self) -> None:
        scheduler.run_due_work(self.deps)
        self.settle()

    def settle(self) -> None:
        """Wait until work after acks, outbox messages and live refreshes are done."""
        self.wait_until(lambda: self.deps.wait_for_later(0.05) and self.deps.live.idle()
                        and self.deps.wait_for_later(0), "the bot to finish its work")

    def wait_until(self, check: Callable[[], T], what: str) -> T:
        deadline = time.monotonic() + WAIT_SECONDS
        while True:
            result = check()
            if result:
                return result
            if time.monotonic() > deadline:
                raise DemoError(f"gave up waiting for {what}")
            time.sleep(0.01)

    def close(self) -> None:
        stop_server(self._server, self._thread)
        self.deps.stop()
        self.engine.dispose()
        self.slack.stop()
        self._folder.cleanup()
