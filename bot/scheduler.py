"""APScheduler wiring: what wakes when. No business logic lives here.

The database is the source of truth: every job only asks the features' `tick` functions to look
for what is due and claim it, so a restart (or a second replica) resumes without losing or
repeating anything. Overdue work fires at the first tick after start-up.
"""

from __future__ import annotations

import logging
from datetime import timedelta

from apscheduler.schedulers.background import BackgroundScheduler

from bot.deps import Deps

log = logging.getLogger(__name__)
TICK_SECONDS = 5
QUIET_WAIT = 1.0  # seconds a tick waits for a moment between requests (a burst's acks go first)


def run_due_work(deps: Deps) -> None:
    """One pass over every feature's due work; each feature's failure is logged, not fatal."""
    for name, tick in list(deps.ticks.items()):
        try:
            tick()
        except Exception:
            log.exception("scheduled work %s failed; it will be retried at the next tick", name)


def _wake(deps: Deps) -> None:
    deps.in_flight.wait_for_quiet(QUIET_WAIT)
    run_due_work(deps)


def start_scheduler(deps: Deps) -> BackgroundScheduler:
    scheduler = BackgroundScheduler(timezone="UTC")
    scheduler.add_job(
        _wake,
        "interval",
        args=[deps],
        seconds=TICK_SECONDS,
        id="due-work",
        replace_existing=True,
        max_instances=1,
        coalesce=True,
        next_run_time=deps.clock.now() + timedelta(seconds=1),
    )
    scheduler.start()
    return scheduler
