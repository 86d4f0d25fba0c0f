"""The empathy feature's own threads for work after the ack: modal opens in their own lane.

A modal must be opened within 3 seconds of the click (the trigger_id expires); saving a note or
a ballot, answering the voter and refreshing the board can wait a little. In a burst (50 people
opening their ballots, then saving them) a shared pool makes the last opener wait behind
everyone's saves, or the saves (and so the board) behind everyone's opens, each of which waits
about 200 ms for Slack. So `urgent` work has its own lane and threads, the rest another, each
first come, first served. Both wait for a moment when no request is being acked (`quiet`), at
most `URGENT_HOLD` or `NORMAL_HOLD` seconds after they were submitted, so a burst's acks are not
slowed by its work.
"""

from __future__ import annotations

import logging
import queue
import threading
import time
from collections.abc import Callable

log = logging.getLogger(__name__)
URGENT_HOLD, NORMAL_HOLD = 0.5, 1.0  # seconds; a modal must open well within 3 s of its click


def never_wait(_timeout: float) -> bool:
    return True


class _Lane:
    """FIFO work on `threads` threads; a None in the queue ends one thread."""

    def __init__(self, name: str, threads: int, hold: float, quiet: Callable[[float], bool]) -> None:
        self._queue: queue.SimpleQueue[tuple[float, Callable[[], None]] | None] = queue.SimpleQueue()
        self._hold, self._quiet = hold, quiet
        self._threads = [threading.Thread(target=self._work, name=f"{name}-{n}", daemon=True)
                         for n in range(threads)]
        for thread in self._threads:
            thread.start()

    def put(self, work: Callable[[], None]) -> None:
        self._queue.put((time.monotonic(), work))

    def close(self) -> None:
        """Runs after everything already put (FIFO), then each thread ends."""
        for _ in self._threads:
            self._queue.put(None)

    def owns_current_thread(self) -> bool:
        return threading.current_thread() in self._threads

    def join(self) -> None:
        for thread in self._threads:
            if thread is not threading.current_thread():
                thread.join()

    def _work(self) -> None:
        while (item := self._queue.get()) is not None:
            submitted, work = item
            self._quiet(submitted + self._hold - time.monotonic())
            try:
                work()
            except Exception:
                log.exception("empathy work after the ack failed")


class AfterAck:
    def __init__(self, urgent_threads: int, normal_threads: int, *, name: str = "empathy",
                 quiet: Callable[[float], bool] = never_wait,
                 holds: tuple[float, float] = (URGENT_HOLD, NORMAL_HOLD)) -> None:
        self._lock = threading.Lock()
        self._stopped = False
        self._urgent = _Lane(f"{name}-open", urgent_threads, holds[0], quiet)
        self._normal = _Lane(name, normal_threads, holds[1], quiet)

    def submit(self, work: Callable[[], None], *, urgent: bool = False) -> None:
        """Queue `work`. After shutdown only accepted work may add more (a phase change inviting
        the voters): it runs at once on that thread, so nothing accepted is lost."""
        with self._lock:
            if not self._stopped:
                (self._urgent if urgent else self._normal).put(work)
                return
            if not (self._urgent.owns_current_thread() or self._normal.owns_current_thread()):
                raise RuntimeError("cannot schedule new work after shutdown")
        try:
            work()
        except Exception:
            log.exception("empathy work after the ack failed")

    def shutdown(self) -> None:
        """Run everything already accepted, then end the threads."""
        with self._lock:
            if self._stopped:
                return
            self._stopped = True
            for lane in (self._urgent, self._normal):
                lane.close()
        for lane in (self._urgent, self._normal):
            lane.join()
