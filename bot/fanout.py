"""Run many independent pieces of work (one DM per owner) side by side on the app's one executor,
within bounds: at most `at_once` in flight, and at most `per_key` for one key (a workspace), so a
sweep never takes every thread the requests need, and one workspace's posts stay within what
Slack lets one workspace send (a `429` beyond that is waited out by the client's retry handler).

Used from a tick (the scheduler's thread), never from a thread of the executor itself, which
would wait for work queued behind it.
"""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Callable, Hashable, Iterable
from concurrent.futures import FIRST_COMPLETED, Executor, Future, wait
from typing import TypeVar

from storage.db import log_failure

log = logging.getLogger(__name__)
T = TypeVar("T")


def run_bounded(executor: Executor, work: Iterable[tuple[Hashable, Callable[[], T]]], *, at_once: int,
                per_key: int) -> list[T]:
    """Every piece's result (failures are logged and left out), once all are done. Pieces start in
    order, skipping ahead only past keys that are at their bound."""
    waiting = list(work)
    running: dict[Future[T], Hashable] = {}
    busy: Counter[Hashable] = Counter()
    results: list[T] = []
    while waiting or running:
        held: list[tuple[Hashable, Callable[[], T]]] = []
        for index, (key, job) in enumerate(waiting):
            if len(running) >= at_once:
                held.extend(waiting[index:])
                break
            if busy[key] >= per_key:
                held.append((key, job))
                continue
            try:
                future = executor.submit(job)
            except RuntimeError:  # shutting down: what was not sent stays due in the database
                log.info("stopping: %s pieces of work left for the next start", len(waiting) - index)
                held = []
                break
            running[future] = key
            busy[key] += 1
        waiting = held
        if not running:
            break
        done, _ = wait(list(running), return_when=FIRST_COMPLETED)
        for future in done:
            busy[running.pop(future)] -= 1
            error = future.exception()
            if error is not None:
                log_failure(log, error, "a piece of fanned-out work failed; it stays due for the next pass")
            else:
                results.append(future.result())
    return results
