"""Forgetting what the request path no longer needs, so its tables stay small.

Event ids are kept a day (Slack stops redelivering after minutes) and sent or failed outbox
messages a week (for whoever investigates a missing post). Runs from the scheduler's tick, at
most once an hour by the app's clock; replicas doing it twice only delete nothing the second time.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from bot.deps import Deps
from storage import events
from storage import outbox as outbox_store
from storage.db import unit_of_work

log = logging.getLogger(__name__)
EVENTS_KEPT = timedelta(days=1)
OUTBOX_KEPT = timedelta(days=7)
EVERY = timedelta(hours=1)


class Housekeeping:
    def __init__(self, deps: Deps) -> None:
        self.deps = deps
        self.next_at: datetime | None = None

    def __call__(self) -> None:
        now = self.deps.clock.now()
        if self.next_at is not None and now < self.next_at:
            return
        self.next_at = now + EVERY
        with unit_of_work(self.deps.engine) as db:
            forgotten = events.forget_events_before(db, cutoff=now - EVENTS_KEPT)
            sent = outbox_store.forget_before(db, cutoff=now - OUTBOX_KEPT)
        if forgotten or sent:
            log.info("forgot %s processed event ids and %s sent outbox messages", forgotten, sent)


def register(deps: Deps) -> None:
    deps.ticks["housekeeping"] = Housekeeping(deps)
