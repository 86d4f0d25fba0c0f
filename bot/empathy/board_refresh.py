"""Coalesced board refreshes: many changes, at most one `chat.update` per session per interval.

A change marks its session dirty; `flush_due()` re-renders each dirty session whose last update
is at least `min_interval` old (on the injected clock) and sends it only when it differs from
what was sent last. Handlers call `flush_due()` right after a change (so a lone click shows at
once); a board that is dirty but not due yet gets one timer for when it is due, so the tail of a
burst lands about a second later (once no request is being acked, or after QUIET_WAIT); the
scheduler tick catches anything left. A timer that finds the board not due re-arms only if the
clock moved since it was armed (a refresh finished in the meantime, so the board is due a second
later); under a test's frozen FakeClock it does not, so tests stay driven by `bot.tick()`.
"""

from __future__ import annotations

import hashlib
import json
import logging
import threading
from collections.abc import Callable
from datetime import datetime, timedelta

from slack_sdk.errors import SlackApiError

from bot.clock import Clock

log = logging.getLogger(__name__)
Key = tuple[str, int]
QUIET_WAIT = 0.5  # seconds a timed refresh waits for a moment between requests (acks go first)
# (channel, ts, blocks, text) for a session, or None when it has no board (any more).
Renderer = Callable[[str, int], tuple[str, str, list[dict], str] | None]
Sender = Callable[[str, str, list[dict], str], None]


class BoardRefresher:
    def __init__(self, *, clock: Clock, render: Renderer, send: Sender, min_interval: float = 1.0,
                 quiet: Callable[[float], bool] = lambda _timeout: True) -> None:
        self.clock = clock
        self.quiet = quiet
        self.render = render
        self.send = send
        self.min_interval = timedelta(seconds=min_interval)
        self._lock = threading.Lock()
        self._dirty: set[Key] = set()
        self._key_locks: dict[Key, threading.Lock] = {}
        self._last_sent_at: dict[Key, datetime] = {}
        self._last_digest: dict[Key, str] = {}
        self._timers: dict[Key, tuple[threading.Timer, datetime]] = {}
        self._running: set[threading.Thread] = set()  # timers refreshing a board now
        self._stopped = False

    def stop(self) -> None:
        """Cancel the waiting timers and let a refresh in flight finish, so none outlives the app;
        the next process's tick catches any board left dirty."""
        with self._lock:
            self._stopped = True
            timers, self._timers = [timer for timer, _ in self._timers.values()], {}
            running = list(self._running)
        for timer in timers:
            timer.cancel()
        for thread in {*timers, *running}:
            if thread.is_alive() and thread is not threading.current_thread():
                thread.join()

    def mark(self, team_id: str, session_id: int) -> None:
        with self._lock:
            self._dirty.add((team_id, session_id))

    def expedite(self, team_id: str, session_id: int) -> None:
        """Mark dirty and allow an update now (phase changes should not wait for the interval)."""
        with self._lock:
            self._dirty.add((team_id, session_id))
            self._last_sent_at.pop((team_id, session_id), None)

    def flush_due(self, *, wait: bool = False) -> int:
        """Refresh every dirty board that may be refreshed now; returns how many were sent.

        A board another thread is refreshing is skipped (left dirty, its timer armed) unless
        `wait`: the tick waits for it and for every refresh in flight, so after a tick every due
        board matches the database."""
        now = self.clock.now()
        taken: list[Key] = []
        with self._lock:
            for key in [key for key in self._dirty if self._is_due(key, now)]:
                lock = self._key_locks.setdefault(key, threading.Lock())
                if wait or lock.acquire(blocking=False):  # popped and locked together (no gap)
                    self._dirty.discard(key)
                    taken.append(key)
            for key in self._dirty - set(taken):
                self._arm(key, now)
        sent = 0
        for key in taken:
            lock = self._key_locks[key]
            if wait:
                lock.acquire()
            try:
                sent += self._flush(key, self.clock.now())
            finally:
                lock.release()
        if wait:  # another thread may have taken a due board just before us: let it finish
            for lock in list(self._key_locks.values()):
                with lock:
                    pass
        return sent

    def _is_due(self, key: Key, now: datetime) -> bool:
        last = self._last_sent_at.get(key)
        return last is None or now - last >= self.min_interval

    def _arm(self, key: Key, now: datetime) -> None:
        """One timer per waiting board, for when it is due (called with the lock held)."""
        if key in self._timers or self._stopped:
            return
        last = self._last_sent_at.get(key)
        delay = (self.min_interval - (now - last)).total_seconds() if last else 0.0
        timer = threading.Timer(max(0.05, delay), self._on_timer, args=(key,))
        timer.daemon = True
        self._timers[key] = (timer, now)
        timer.start()

    def _on_timer(self, key: Key) -> None:
        me = threading.current_thread()
        with self._lock:
            self._running.add(me)
        try:
            self.quiet(QUIET_WAIT)
            with self._lock:
                if self._stopped:
                    return
                _, armed_at = self._timers.pop(key, (None, None))
                now = self.clock.now()
                if not self._is_due(key, now):
                    if key in self._dirty and armed_at is not None and now > armed_at:
                        self._arm(key, now)
                    return
            self.flush_due()
        except Exception:
            log.exception("board refresh failed")
        finally:
            with self._lock:
                self._running.discard(me)

    def _flush(self, key: Key, now: datetime) -> int:
        try:
            rendered = self.render(*key)
        except Exception:
            log.exception("could not render board %s; will retry", key)
            self.mark(*key)
            return 0
        if rendered is None:
            return 0
        channel, ts, board, text = rendered
        digest = hashlib.sha256(json.dumps([board, text], sort_keys=True).encode()).hexdigest()
        if self._last_digest.get(key) == digest:
            return 0
        try:
            self.send(channel, ts, board, text)
        except SlackApiError as exc:
            log.warning("board %s not updated: %s", key, exc.response.get("error"))
            if exc.response.get("error") not in ("message_not_found", "channel_not_found", "is_archived"):
                self.mark(*key)
            return 0
        with self._lock:
            self._last_sent_at[key] = now
            self._last_digest[key] = digest
        return 1
