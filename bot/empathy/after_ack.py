"""The empathy feature's own threads for work after the ack, with modal opens first.

A modal must be opened within 3 seconds of the click (the trigger_id expires); saving a note or
a ballot, answering the voter and refreshing the board can wait a little. In a burst (50 people
opening their ballots, then saving them) a plain FIFO pool makes the last opener wait behind
everyone's saves, so `urgent` work jumps the queue (first come, first served within a priority).
"""

from __future__ import annotations

import itertools
import logging
import queue
import threading
from collections.abc import Callable

log = logging.getLogger(__name__)
URGENT, NORMAL, STOP = 0, 1, 2


class AfterAck:
    def __init__(self, threads: int, *, name: str = "empathy") -> None:
        self._queue: queue.PriorityQueue[tuple[int, int, Callable[[], None] | None]] = queue.PriorityQueue()
        self._order = itertools.count()
        self._lock = threading.Lock()
        self._stopped = False
        self._threads = [threading.Thread(target=self._work, name=f"{name}-{n}", daemon=True)
                         for n in range(threads)]
        for thread in self._threads:
            thread.start()

    def submit(self, work: Callable[[], None], *, urgent: bool = False) -> None:
        with self._lock:
            if self._stopped:
                raise RuntimeError("cannot schedule new work after shutdown")
            self._queue.put((URGENT if urgent else NORMAL, next(self._order), work))

    def shutdown(self) -> None:
        """Run everything already accepted, then end the threads (STOP sorts after all work)."""
        with self._lock:
            if self._stopped:
                return
            self._stopped = True
            for _ in self._threads:
                self._queue.put((STOP, next(self._order), None))
        for thread in self._threads:
            if thread is not threading.current_thread():
                thread.join()

    def _work(self) -> None:
        while True:
            _, _, work = self._queue.get()
            if work is None:
                return
            try:
                work()
            except Exception:
                log.exception("empathy work after the ack failed")
