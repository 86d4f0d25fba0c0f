"""Bolt's websocket-client Socket Mode handler, with connections ended from the reader's own thread.

slack_sdk's websocket-client `SocketModeClient` ends a connection from whichever thread asks:
on Slack's `disconnect` message the message thread, on `close()` the caller, both through
`WebSocketApp.close()`, which sends a close frame and then reads the socket for the answer
while the session thread is reading the same socket. One of them gets the answer; when the
socket ends up closed without a shutdown, the session thread sleeps in `select()` until its
10 s timeout. Measured on the local Socket Mode server: 5 of 45 `disconnect`s took 10.5 s to
reconnect instead of 0.5 s, and 3 of 15 `close()`s took 10 s.

Here both only send the close frame and `shutdown()` the socket: the session thread, the only
reader, wakes at once on the end of the stream and tears the connection down itself; its
`on_close` then reconnects, exactly as after any other drop (or, after `close()`, does not).

slack_sdk also runs the session without a pong timeout, so a connection that goes silent
(a NAT or firewall forgetting it, no FIN nor RST) would stay deaf until TCP gives up, many
minutes later; the builtin client dropped it after 4 missed pings. Here a pong missing for
`ping_timeout` seconds ends the session, and the same `on_close` reconnects. After any error
the socket is shut down before websocket-client's teardown, which otherwise sends a close
frame and waits 3 s for an answer a silent peer never gives.
"""

from __future__ import annotations

import contextlib
import logging
import socket
import time
from logging import Logger
from typing import Any

from slack_bolt import App
from slack_bolt.adapter.socket_mode.websocket_client import SocketModeHandler
from slack_sdk.socket_mode.response import SocketModeResponse
from slack_sdk.socket_mode.websocket_client import SocketModeClient
from websocket import WebSocketApp, WebSocketException

from bot import payload_shape

log = logging.getLogger(__name__)


def hang_up(session: WebSocketApp | None) -> None:
    """Send a close frame and shut the socket down, without reading: the session thread reads."""
    ws = session.sock if session is not None else None
    raw = ws.sock if ws is not None else None
    if ws is None or raw is None:
        return
    with contextlib.suppress(OSError, WebSocketException):
        ws.send_close()
    with contextlib.suppress(OSError):
        raw.shutdown(socket.SHUT_RDWR)


PING_INTERVAL = 10.0  # seconds between our pings (slack_sdk's default for this client)
PING_TIMEOUT = 5.0  # seconds a pong may take before the connection counts as dead
SESSION_START_GRACE = 3.0  # seconds a new connection may take to start before it counts as closed


class HangUpClient(SocketModeClient):
    """slack_sdk's websocket-client Socket Mode client whose connections end by `hang_up`,
    and end when Slack stops answering pings."""

    def __init__(self, *, ping_timeout: float = PING_TIMEOUT, **kwargs: Any) -> None:
        self.ping_timeout = ping_timeout  # set first: the session thread starts in super().__init__
        self._session_made_at = float("-inf")  # monotonic; when `connect()` made the current session
        super().__init__(**kwargs)
        self.on_error_listeners.append(self._abort)

    def connect(self) -> None:
        self._session_made_at = time.monotonic()  # first: the monitor may tick as the session appears
        super().connect()

    def _monitor_current_session(self) -> None:
        """slack_sdk's monitor (every ping interval) reconnects when the session has no socket. A
        session just made has none yet: the session thread opens it at its next poll, up to 0.5 s
        later. A reconnect then closed the connection while it was opening, and an envelope Slack
        sent on it meanwhile was never acked (seen in CI with a test's 0.5 s ping interval; with
        the default 10 s, whenever the tick falls in a new session's first half second). So a
        session not yet started and not yet torn down is left to start, for SESSION_START_GRACE
        seconds; one that never starts is replaced after that, as before."""
        session = self.current_session
        if (session is not None and session.sock is None and not getattr(session, "has_done_teardown", True)
                and time.monotonic() - self._session_made_at < SESSION_START_GRACE):
            return
        super()._monitor_current_session()

    @staticmethod
    def _abort(session: WebSocketApp, _error: Exception) -> None:
        # The session is over once it reports an error; shut the socket so teardown's close()
        # fails fast instead of waiting for a close frame (no-op when one was already exchanged).
        if session.sock is not None:
            session.sock.abort()

    def _run_current_session(self) -> None:
        # slack_sdk's own, plus ping_timeout (websocket-client then raises when a pong is late).
        session = self.current_session
        if session is None:
            return
        try:
            self.logger.info("Starting to receive messages from a new connection")
            session.run_forever(
                ping_interval=self.ping_interval, ping_timeout=self.ping_timeout,
                http_proxy_host=self.http_proxy_host, http_proxy_port=self.http_proxy_port,
                http_proxy_auth=self.http_proxy_auth, proxy_type=self.proxy_type,
            )
            self.logger.info("Stopped receiving messages from a connection")
        except Exception as e:
            self.logger.exception(f"Failed to start or stop the current session: {e}")
            if self.current_session is not None:  # the monitor thread then reconnects
                self.current_session.close()

    def connect_to_new_endpoint(self, force: bool = False) -> None:
        # force=True is slack_sdk's answer to Slack's `disconnect` message. Hanging up makes the
        # session thread see the end of the stream; its on_close fetches a new URL and connects.
        session = self.current_session
        if force and not self.closed and session is not None and session.sock is not None:
            hang_up(session)
            return
        super().connect_to_new_endpoint(force)

    def disconnect(self) -> None:
        session = self.current_session
        if session is not None:
            session.keep_running = False
            hang_up(session)

    def run_message_listeners(self, message: dict, raw_message: str) -> None:
        """Envelopes get the check HTTP requests get (bot.payload_shape) before slack_sdk or Bolt
        read them: one whose payload Slack would never send (`null`, a list, a view without a type)
        is acknowledged, so it is not delivered again, and logged in one line, never a traceback."""
        envelope_id = message.get("envelope_id")
        if isinstance(envelope_id, str) and "payload" in message:
            reason = payload_shape.problem(message["payload"])
            if reason is not None:
                log.warning("refused a Socket Mode envelope (%s) whose payload Slack would never send: %s",
                            str(message.get("type"))[:40], reason)
                self.send_socket_mode_response(SocketModeResponse(envelope_id=envelope_id))
                return
        super().run_message_listeners(message, raw_message)

    def close(self) -> None:
        # The message thread polls its queue once a second and skips None: wake it now, so a
        # SIGTERM (or a test's teardown) does not wait for the poll to notice `closed`.
        self.closed = True
        self.message_queue.put(None)
        super().close()


class HangUpSocketModeHandler(SocketModeHandler):
    """Bolt's websocket-client `SocketModeHandler`, on a `HangUpClient`.

    Bolt's `__init__` starts its client's threads as soon as it builds it, so this builds the
    client itself instead of replacing Bolt's afterwards (which would leave those threads running).
    """

    def __init__(self, app: App, app_token: str, *, logger: Logger, ping_interval: float = PING_INTERVAL,
                 ping_timeout: float = PING_TIMEOUT) -> None:
        self.app = app
        self.app_token = app_token
        self.client = HangUpClient(app_token=app_token, logger=logger, web_client=app.client,
                                   ping_interval=ping_interval, ping_timeout=ping_timeout)
        self.client.socket_mode_request_listeners.append(self.handle)  # type: ignore[arg-type]

