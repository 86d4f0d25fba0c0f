"""Counting the SQL a request runs before its answer, as the issue's targets are stated.

Only statements on the HTTP server's worker threads count (waitress names them `waitress-N`):
that is the request itself; work after the ack (a board refresh, the outbox) runs elsewhere.
"""

from __future__ import annotations

import threading
from types import TracebackType
from typing import Any

from sqlalchemy import event
from sqlalchemy.engine import Engine


class RequestStatements:
    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self.statements: list[str] = []

    def __enter__(self) -> RequestStatements:
        event.listen(self.engine, "before_cursor_execute", self._seen)
        return self

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None,
                 trace: TracebackType | None) -> None:
        event.remove(self.engine, "before_cursor_execute", self._seen)

    def _seen(self, _conn: Any, _cursor: Any, statement: str, *_rest: Any) -> None:
        if threading.current_thread().name.startswith("waitress"):
            self.statements.append(statement.split(None, 1)[0].upper())

    def __len__(self) -> int:
        return len(self.statements)
