"""The stage the hostile-request tests play on: one running bot with a live session in its Says
section, every record its threads log, and the real payload builders of every kind of request
the bot takes (so a test can break one field of a real body)."""

from __future__ import annotations

import json
import logging
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from types import ModuleType
from typing import Any
from urllib.parse import urlencode

from bot.empathy import ids as empathy_ids
from bot.governance import ids as governance_ids
from bot.home import ids as home_ids
from bot.personas import ids as persona_ids
from storage.db import make_engine, upgrade
from tests.harness import Bot, FakeClock, eventually
from tests.slack_fake import FakeSlack, payloads
from tests.test_empathy_support import Workshop

FORM, JSON_TYPE = "application/x-www-form-urlencoded", "application/json"


def _ids(*modules: ModuleType) -> list[str]:
    return sorted({v for m in modules for k, v in vars(m).items() if k.isupper() and isinstance(v, str)})


SLACK_IDS = _ids(empathy_ids, persona_ids, governance_ids, home_ids)
COMMANDS = ["/empathy", "/persona"]


class Logs(logging.Handler):
    """Every record any thread logs, so a test can say "no traceback" about the whole app."""

    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)

    def tracebacks(self) -> list[str]:
        return [f"{r.name}: {r.getMessage()[:200]}" for r in self.records if r.exc_info]

    def warnings(self) -> list[str]:
        return [r.getMessage() for r in self.records if r.levelno >= logging.WARNING]


class Stage:
    """One running bot with a live session in its Says section, shared by a module's tests."""

    def __init__(self, folder: Path) -> None:
        self.slack = FakeSlack()
        self.slack.start()
        self.engine = make_engine(f"sqlite:///{folder}/workshop.db")
        upgrade(self.engine)
        self.bot = Bot(slack=self.slack, engine=self.engine, clock=FakeClock())
        self.w = Workshop(self.bot, self.slack).start()
        self.w.control(empathy_ids.NEXT_PHASE)
        eventually(lambda: self.w.phase_index() == 1)
        self.note_view = self.w.open_modal(empathy_ids.ADD_NOTE, "U0ANA")
        self.logs = Logs()

    def send(self, body: Any, how: str) -> int:
        """Deliver and wait for the work after the ack (not for board refreshes, which go out at
        most once a second: `finish` waits for those); returns the HTTP status."""
        http = self.bot.http
        if how == "command":
            answer = http.post(urlencode({k: str(v) for k, v in body.items()}), FORM)
        elif how == "event":
            answer = http.post(json.dumps(body), JSON_TYPE)
        else:
            answer = http.post(urlencode({"payload": json.dumps(body)}), FORM)
        self.after_ack()
        return answer.status

    def after_ack(self) -> None:
        assert self.bot.deps.wait_for_later(10)

    def finish(self) -> None:
        """Let board refreshes catch up; what they rendered must not have failed either."""
        self.bot.settle(timeout=30)
        assert self.logs.tracebacks() == []

    def close(self) -> None:
        self.bot.close()
        self.slack.stop()
        self.engine.dispose()
        self.slack.assert_no_block_kit_errors()



@contextmanager
def running_stage() -> Iterator[Stage]:
    """A module's stage, logging at INFO into `Stage.logs` while it runs."""
    with tempfile.TemporaryDirectory() as folder:
        running = Stage(Path(folder))
        root = logging.getLogger()
        root.addHandler(running.logs)
        level = root.level
        root.setLevel(logging.INFO)
        try:
            yield running
        finally:
            root.removeHandler(running.logs)
            root.setLevel(level)
            running.close()


def builders(stage: Stage) -> dict[str, tuple[str, Callable[[], Any]]]:
    """Every kind of request the bot takes, built by the real payload builders, aimed at the
    live session (so handlers get past "which session?" and into their parsing)."""
    w, view, url = stage.w, stage.note_view, stage.slack.response_url("actions")
    session = str(w.session_id)
    note = {empathy_ids.NOTE_TEXT_BLOCK: {"value": "Where is my order?"}}
    return {
        "button": ("interactive", lambda: payloads.block_actions(
            empathy_ids.JOIN, value=session, user="U0ANA", channel=w.channel, message_ts=w.board_ts,
            response_url=url)),
        "note": ("interactive", lambda: payloads.view_submission(
            empathy_ids.NOTE_MODAL, note, private_metadata=view["private_metadata"], user="U0ANA",
            view_id=view["id"])),
        "view closed": ("interactive", lambda: payloads.view_closed(empathy_ids.NOTE_MODAL, user="U0ANA")),
        "shortcut": ("interactive", lambda: payloads.global_shortcut(persona_ids.NEW_SHORTCUT)),
        "message shortcut": ("interactive", lambda: payloads.message_shortcut(
            persona_ids.EVIDENCE_SHORTCUT, message_text="hi", message_ts="1.2", message_user="U0BEN",
            response_url=url)),
        "thread reply": ("event", lambda: payloads.event_callback(payloads.message_event(
            "It is slow", user="U0BEN", channel=w.channel, channel_type="channel", thread_ts=w.board_ts))),
        "direct message": ("event", lambda: payloads.event_callback(payloads.message_event(
            "hello", user="U0BEN", channel="D0BEN"))),
        "home opened": ("event", lambda: payloads.event_callback(payloads.app_home_opened("U0ANA"))),
        "command": ("command", lambda: payloads.slash_command(
            "/empathy", f"export {session}", user="U0ANA", channel=w.channel,
            response_url=stage.slack.response_url())),
    }


def without(body: dict[str, Any], *keys: str) -> dict[str, Any]:
    return {k: v for k, v in body.items() if k not in keys}

