"""One unit of work: one database session, committed once, and what may only start after it.

A request's handler (through `RequestContext`) and a timer alike write through one of these:
the writes, the outbox messages they require and an event's "already processed" mark (written
first at the commit: a redelivery finds it taken and keeps nothing) commit together,
and only then do the Slack calls start (queued work runs on `deps.later`, queued messages are
sent by the outbox). Touching the database after the commit is a bug (a write after the ack),
so it raises instead of quietly opening a second transaction.
"""

from __future__ import annotations

from collections.abc import Callable
from types import TracebackType

from sqlmodel import Session

from bot import outbox
from bot.deps import Deps
from storage import events
from storage import outbox as outbox_store
from storage.db import open_session


class UnitOfWorkOver(RuntimeError):
    """The database was used after the commit (in a request: after the ack)."""


class UnitOfWork:
    def __init__(self, deps: Deps) -> None:
        self.deps = deps
        self._db: Session | None = None
        self._after: list[tuple[Callable[..., None], tuple[object, ...], dict[str, object]]] = []
        self._queued: list[tuple[int, str, str]] = []  # (outbox id, lane, team)
        self._event: tuple[str, str] | None = None  # (event id, team) marked processed by the commit
        self.over = False

    @property
    def db(self) -> Session:
        if self.over:
            raise UnitOfWorkOver("the unit of work is committed: write before ack(), call Slack after it")
        if self._db is None:
            self._db = open_session(self.deps.engine)
        return self._db

    def enqueue(self, team_id: str, messages: list[outbox_store.Outgoing]) -> int:
        """Queue outbox messages in this unit of work; they are sent once it commits."""
        rows = outbox_store.enqueue(self.db, team_id=team_id, messages=messages, now=self.deps.clock.now())
        self._queued.extend((row_id, lane, team_id) for row_id, lane in rows)
        return len(rows)

    def after_commit(self, work: Callable[..., None], /, *args: object, **kwargs: object) -> None:
        """Run `work(*args, **kwargs)` once this unit of work is committed (never if it is rolled back)."""
        if self.over:
            self.deps.later(work, *args, **kwargs)
        else:
            self._after.append((work, args, kwargs))

    def mark_event(self, event_id: str, team_id: str) -> None:
        """The commit also marks this Events API event processed; a redelivery's commit keeps nothing."""
        self._event = (event_id, team_id)

    def commit(self) -> bool:
        """Commit (if anything was read or written), then start what waited for it. False: the
        event was processed already (a redelivery), so nothing of this unit of work is kept."""
        if self.over:
            return True
        try:
            if self._event is not None and not events.mark_processed(
                    self.db, event_id=self._event[0], team_id=self._event[1], now=self.deps.clock.now()):
                self.rollback()
                return False
            if self._db is not None:
                self._db.commit()
        except BaseException:
            self.rollback()
            raise
        self._close()
        if self._queued:
            outbox.send_soon(self.deps, self._queued)
        for work, args, kwargs in self._after:
            self.deps.later(work, *args, **kwargs)
        self._after, self._queued = [], []
        return True

    def rollback(self) -> None:
        """Forget the writes and everything that waited for them."""
        if self._db is not None:
            self._db.rollback()
        self._close()
        self._after, self._queued = [], []

    def _close(self) -> None:
        self.over = True
        if self._db is not None:
            self._db.close()
            self._db = None

    def __enter__(self) -> UnitOfWork:
        return self

    def __exit__(self, kind: type[BaseException] | None, _exc: BaseException | None,
                 _tb: TracebackType | None) -> None:
        if kind is None:
            self.commit()
        else:
            self.rollback()
