"""How many requests Bolt is still answering, so work after an ack can wait for a quiet moment.

Python runs one thread at a time: in a burst (50 people clicking at once) a thread saving a note
takes the interpreter from threads that only have to answer Slack. Work after the ack is not
urgent to the millisecond, an ack is (Slack's 3 seconds, and the person's spinner), so after-ack
threads wait until no request has been answered for `SETTLE` seconds, for a bounded time. A
moment with none in flight is not enough: in a burst the next request is a few microseconds
behind the last one.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from slack_bolt import App, BoltRequest, BoltResponse

SETTLE = 0.02


class RequestsInFlight:
    def __init__(self) -> None:
        self._count = 0
        self._last_seen = 0.0
        self._quiet = threading.Condition()

    @contextmanager
    def answering(self) -> Iterator[None]:
        with self._quiet:
            self._count += 1
        try:
            yield
        finally:
            with self._quiet:
                self._count -= 1
                self._last_seen = time.monotonic()
                if not self._count:
                    self._quiet.notify_all()

    def wait_for_quiet(self, timeout: float) -> bool:
        """Block until no request has been in flight for SETTLE seconds, or `timeout` seconds have
        passed; True if it got quiet."""
        deadline = time.monotonic() + timeout
        with self._quiet:
            while True:
                now = time.monotonic()
                if now >= deadline:
                    return False
                if self._count:
                    self._quiet.wait(deadline - now)
                elif now - self._last_seen < SETTLE:
                    self._quiet.wait(min(deadline, self._last_seen + SETTLE) - now)
                else:
                    return True


class CountedApp(App):
    """A Bolt app that counts each request from its arrival until its answer is decided (the ack).

    Around `dispatch`, which both the HTTP and the Socket Mode adapters call: Bolt's global
    middleware returns before the listener runs, so it cannot see the ack."""

    def __init__(self, *, in_flight: RequestsInFlight, **options: Any) -> None:
        super().__init__(**options)
        self.in_flight = in_flight

    def dispatch(self, req: BoltRequest) -> BoltResponse:
        with self.in_flight.answering():
            return super().dispatch(req)
