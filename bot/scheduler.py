"""APScheduler wiring: what wakes when. No business logic lives here.

The database is the source of truth: the periodic job only asks the features' `tick` functions
to look for what is due and claim it, so a restart (or a second replica) resumes without losing
or repeating anything; overdue work fires at the first tick after start-up. Features also add
one-off jobs (a board refresh a second from now) with deterministic ids, `replace_existing`.
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime, timedelta

from apscheduler.executors.pool import ThreadPoolExecutor
from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.schedulers.base import STATE_STOPPED, BaseScheduler

from bot.deps import Deps
from storage.db import log_failure

log = logging.getLogger(__name__)
TICK_SECONDS = 5
JOB_THREADS = 8


def run_due_work(deps: Deps) -> None:
    """One pass over every feature's due work; each feature's failure is logged, not fatal."""
    for name, tick in list(deps.ticks.items()):
        try:
            tick()
        except Exception as exc:
            log_failure(log, exc, "scheduled work %s failed; it will be retried at the next tick", name)


def make_scheduler() -> BackgroundScheduler:
    """Not started: the CLI (or a test) starts it once the app is built."""
    return BackgroundScheduler(timezone=UTC, executors={"default": ThreadPoolExecutor(JOB_THREADS)},
                               job_defaults={"misfire_grace_time": None, "coalesce": True})


def start(deps: Deps, *, tick: bool = True) -> None:
    """Start the scheduler; with `tick`, `run_due_work` every TICK_SECONDS (tests tick by hand)."""
    if tick:
        deps.scheduler.add_job(run_due_work, "interval", args=[deps], seconds=TICK_SECONDS, id="due-work",
                               replace_existing=True, max_instances=1,
                               next_run_time=datetime.now(UTC) + timedelta(seconds=1))
    deps.scheduler.start()


def stop(scheduler: BaseScheduler) -> None:
    """Stop waking things up. Nothing pending is lost: the database says what is due.

    Pause and empty the store first: APScheduler's `shutdown` marks the scheduler stopped before
    it takes the store's lock, and a pass over due jobs under way then fails (`JobLookupError`).
    It also waits for running jobs while holding that lock, so a job adding its successor (a board
    refresh) would deadlock it: running jobs finish on their own threads instead, which Python
    joins before the process exits."""
    if scheduler.state != STATE_STOPPED:
        scheduler.pause()
        scheduler.remove_all_jobs()
        scheduler.shutdown(wait=False)
