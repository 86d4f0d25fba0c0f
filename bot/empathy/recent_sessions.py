"""Sessions as read a moment ago, for the checks every submission makes before its ack.

In a burst (50 people submitting notes or ballots at once) each submission would read the same
session row while everyone else waits for their ack. A read at most `RECENT_SECONDS` old (on the
app's clock) is good enough there: a phase change made by this process forgets it as soon as it
is written, a read that overlapped such a change is not kept, and the work after the ack reads
the session afresh before it writes (so a change made by another process is seen within 1 s by
the acks, and at once by the saves).
"""

from __future__ import annotations

import threading
from datetime import datetime, timedelta

from sqlalchemy.engine import Engine

from bot.clock import Clock
from storage import empathy as store
from storage.models import EmpathySession

RECENT_SECONDS = 1.0
KEPT = 256  # sessions remembered at most; more is forgetting them all at once


class RecentSessions:
    def __init__(self, engine: Engine, clock: Clock) -> None:
        self.engine, self.clock = engine, clock
        self._seen: dict[tuple[str, int], tuple[datetime, EmpathySession | None]] = {}
        self._forgotten = 0
        self._lock = threading.Lock()

    def get(self, team_id: str, session_id: int) -> EmpathySession | None:
        key, now = (team_id, session_id), self.clock.now()
        seen = self._seen.get(key)
        if seen is not None and timedelta(0) <= now - seen[0] < timedelta(seconds=RECENT_SECONDS):
            return seen[1]
        forgotten = self._forgotten
        session = store.get_session(self.engine, team_id=team_id, session_id=session_id)
        with self._lock:
            if len(self._seen) > KEPT:
                self._seen.clear()
            if self._forgotten == forgotten:
                self._seen[key] = (now, session)
        return session

    def forget(self, session: EmpathySession) -> None:
        with self._lock:
            self._forgotten += 1
            self._seen.pop((session.team_id, session.id), None)
