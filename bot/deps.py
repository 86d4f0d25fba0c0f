"""What every feature's listeners and jobs receive: settings, database, clock, prompts, Slack."""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from slack_sdk import WebClient
from sqlalchemy.engine import Engine

from bot.clock import Clock
from bot.commands import CommandRouter
from bot.requests_in_flight import RequestsInFlight
from bot.review_subjects import ReviewSubject, SubjectChange
from bot.settings import Settings
from prompts import Prompts

log = logging.getLogger(__name__)


@dataclass
class Deps:
    settings: Settings
    engine: Engine
    clock: Clock
    prompts: Prompts
    client: WebClient
    commands: CommandRouter = field(init=False)
    ticks: dict[str, Callable[[], None]] = field(default_factory=dict)
    subjects: dict[str, ReviewSubject] = field(default_factory=dict)
    on_change: list[Callable[[SubjectChange], None]] = field(default_factory=list)
    conversations: Any = None  # the one bot.conversation.ConversationEngine, made by its first user
    owners: Any = None  # the one bot.governance.owners.OwnerDirectory (users.info cache), made by its first user
    on_stop: list[Callable[[], None]] = field(default_factory=list)
    in_flight: RequestsInFlight = field(default_factory=RequestsInFlight)

    def __post_init__(self) -> None:
        self.commands = CommandRouter(self.prompts)

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
