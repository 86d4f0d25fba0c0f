"""What every feature's listeners and jobs receive: settings, database, clock, prompts, Slack,
and the one way to work after an ack (`later`, an executor Bolt shares)."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from concurrent.futures import Executor
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any

from apscheduler.schedulers.base import BaseScheduler
from slack_sdk import WebClient
from sqlalchemy.engine import Engine
from sqlmodel import Session

from bot.clock import Clock
from bot.commands import CommandRouter
from bot.review_subjects import ReviewSubject, SubjectChange
from bot.settings import Settings
from bot.slack_client import SlackClients
from prompts import Prompts
from storage.db import log_failure

if TYPE_CHECKING:
    from bot.live_messages import LiveMessages

log = logging.getLogger(__name__)


@dataclass
class Deps:
    settings: Settings
    engine: Engine
    clock: Clock
    prompts: Prompts
    client: WebClient
    clients: SlackClients
    executor: Executor
    scheduler: BaseScheduler
    commands: CommandRouter = field(init=False)
    live: LiveMessages = field(init=False)  # messages updated in place (boards, cards), set by build_app
    ticks: dict[str, Callable[[], None]] = field(default_factory=dict)
    subjects: dict[str, ReviewSubject] = field(default_factory=dict)
    on_change: list[Callable[[SubjectChange], None]] = field(default_factory=list)
    outbox_senders: dict[str, Any] = field(default_factory=dict)  # kind -> bot.outbox.Kind
    conversations: Any = None  # the one bot.conversation.ConversationEngine, made by its first user
    owners: Any = None  # the one bot.owners.OwnerDirectory (users.info per workspace), made by its first user
    on_stop: list[Callable[[], None]] = field(default_factory=list)
    # (prompts, db, *, team_id, user_id) -> blocks: sections features add to the Home tab (journeys)
    home_sections: list[Callable[..., list[Any]]] = field(default_factory=list)
    # (db, team_id, now) -> None: end a workspace's scheduled work when it uninstalls the app
    on_uninstall: list[Callable[[Session, str, datetime], None]] = field(default_factory=list)
    _running: int = field(default=0, init=False, repr=False)
    _idle: threading.Condition = field(default_factory=threading.Condition, init=False, repr=False)

    def __post_init__(self) -> None:
        self.commands = CommandRouter(self.prompts)

    def __deepcopy__(self, _memo: dict) -> Deps:
        """Shared by the whole app: a copy (Bolt copies a request's context) is the same Deps."""
        return self

    def client_for(self, team_id: str) -> WebClient:
        """The Web API client with `team_id`'s token, for work outside a request (a timer, the
        outbox, a refresh). Raises bot.slack_client.NotInstalled when the workspace is gone."""
        return self.clients.client_for(team_id)

    def later(self, work: Callable[..., None], /, *args: object, **kwargs: object) -> None:
        """Run `work(*args, **kwargs)` after the ack, on the executor Bolt also uses; failures are logged.

        What must survive a crash is never only here: it is in the database first (a row, an
        outbox message), and this is just the quick path to Slack."""
        def run() -> None:
            try:
                work(*args, **kwargs)
            except Exception as exc:
                log_failure(log, exc, "work after the ack failed: %s", getattr(work, "__qualname__", work))
            finally:
                with self._idle:
                    self._running -= 1
                    self._idle.notify_all()

        with self._idle:
            self._running += 1
        try:
            self.executor.submit(run)
        except RuntimeError:  # shutting down: what is due stays in the database for the next start
            with self._idle:
                self._running -= 1
            log.info("stopping: %s left for the next start", getattr(work, "__qualname__", work))

    def wait_for_later(self, timeout: float) -> bool:
        """Wait until no work queued with `later` is left (shutdown, tests); True if none is."""
        with self._idle:
            return self._idle.wait_for(lambda: self._running == 0, timeout)

    def stop(self) -> None:
        """Let work queued after acks finish before the database and Slack connection go away.

        Called once the app takes no more requests (SIGTERM, or a test closing the bot), newest
        hook first, so nothing started by a request is cut off half-way or outlives the app."""
        while self.on_stop:
            hook = self.on_stop.pop()
            try:
                hook()
            except Exception:
                log.exception("a stop hook failed")
