"""What the operator reads about the Socket Mode connection: one INFO line per reconnect.

Slack recycles Socket Mode connections routinely (a `disconnect` message every few hours, and
proxies or load balancers closing idle TCP connections). slack_sdk's websocket-client adapter
and websocket-client itself log every such drop at ERROR (`on_error invoked (error:
ConnectionResetError ...)`, `... - goodbye`) and each step of the reconnect at INFO, which an
operator reads as failures. Here those routine lines become DEBUG, and the connection's own
listeners log `connected to Slack` / `reconnected to Slack after 0.5 s (reason)` at INFO.
Anything else the libraries say at WARNING or above (a handshake refused, Slack refusing a
new URL) stays as it is: that needs a person.
"""

from __future__ import annotations

import json
import logging
import threading
import time
from collections.abc import Callable
from typing import Any

from slack_sdk.socket_mode.websocket_client import SocketModeClient
from websocket import WebSocketConnectionClosedException, WebSocketTimeoutException

log = logging.getLogger("workshop_bot.socket_mode")
# The logger the adapter's client writes to (its own default name, instead of Bolt's app logger).
LIBRARY_LOGGER = logging.getLogger("slack_sdk.socket_mode.websocket_client")
# Errors that only mean "this connection ended" (or went silent, see socket_mode_client): the
# client reconnects at once by itself.
ROUTINE_ERRORS: tuple[type[BaseException], ...] = (
    ConnectionResetError, ConnectionAbortedError, BrokenPipeError, WebSocketConnectionClosedException,
    WebSocketTimeoutException,
)
_ROUTINE_ON_ERROR = tuple(f"on_error invoked (error: {kind.__name__}," for kind in ROUTINE_ERRORS)


class _RoutineToDebug(logging.Filter):
    """Logs `routine(record)` lines at DEBUG (shown only when the logger is at DEBUG)."""

    def __init__(self, routine: Callable[[logging.LogRecord], bool]) -> None:
        super().__init__()
        self.routine = routine

    def filter(self, record: logging.LogRecord) -> bool:
        if not self.routine(record):
            return True
        record.levelno, record.levelname = logging.DEBUG, logging.getLevelName(logging.DEBUG)
        return logging.getLogger(record.name).isEnabledFor(logging.DEBUG)


def _slack_sdk_routine(record: logging.LogRecord) -> bool:
    """Every INFO step of a reconnect, and on_error for a connection that merely ended."""
    return record.levelno <= logging.INFO or record.getMessage().startswith(_ROUTINE_ON_ERROR)


def _websocket_routine(record: logging.LogRecord) -> bool:
    """websocket-client's "<error> - goodbye" when its run loop ends (slack_sdk reports the error),
    and its "Websocket connected", which would double our own line for every reconnect."""
    message = record.getMessage()
    return message.endswith(" - goodbye") or (record.levelno <= logging.INFO and message == "Websocket connected")


def _install_filters() -> None:
    for logger, routine in ((LIBRARY_LOGGER, _slack_sdk_routine),
                            (logging.getLogger("websocket"), _websocket_routine)):
        if not any(isinstance(f, _RoutineToDebug) for f in logger.filters):
            logger.addFilter(_RoutineToDebug(routine))


def describe(error: BaseException) -> str:
    """Why a connection ended, in words: websocket-client raises one exception for several causes."""
    if isinstance(error, ConnectionResetError):
        return "connection reset"
    if isinstance(error, WebSocketConnectionClosedException):
        if hasattr(error, "status_code"):  # set by websocket-client when a close frame arrived
            return f"closed by Slack, code {error.status_code}"
        return "closed without a WebSocket close frame"
    if isinstance(error, WebSocketTimeoutException):
        return "no answer to a ping: the connection went silent"
    return f"{type(error).__name__}: {error}"


class ConnectionLog:
    """Listeners on the client's connections: when one ends, why, and when the next one opens."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._opened_once = False
        self._lost_at: float | None = None
        self._reason: str | None = None

    def _lost(self, reason: str) -> None:
        with self._lock:
            self._lost_at = self._lost_at or time.monotonic()
            self._reason = self._reason or reason

    def on_message(self, _ws: Any, message: str) -> None:
        if '"disconnect"' not in message:  # cheap test first: this runs for every envelope
            return
        try:
            parsed = json.loads(message)
        except ValueError:
            return
        if isinstance(parsed, dict) and parsed.get("type") == "disconnect":
            self._lost(f"Slack asked to reconnect: {parsed.get('reason', 'no reason given')}")

    def on_error(self, _ws: Any, error: BaseException) -> None:
        self._lost(describe(error))

    def on_close(self, _ws: Any) -> None:
        self._lost("connection closed")

    def on_open(self, _ws: Any) -> None:
        with self._lock:
            first, lost_at, reason = not self._opened_once, self._lost_at, self._reason
            self._opened_once, self._lost_at, self._reason = True, None, None
        if first:
            log.info("connected to Slack in Socket Mode")
        else:
            away = time.monotonic() - lost_at if lost_at is not None else 0.0
            log.info("reconnected to Slack in Socket Mode after %.1f s (%s)", away, reason or "connection replaced")


def watch_connection(client: SocketModeClient) -> ConnectionLog:
    """Attach a `ConnectionLog` to `client` and quiet the libraries' routine lines."""
    _install_filters()
    watcher = ConnectionLog()
    client.on_message_listeners.append(watcher.on_message)
    client.on_error_listeners.append(watcher.on_error)
    client.on_close_listeners.append(watcher.on_close)
    client.on_open_listeners.append(watcher.on_open)
    return watcher
