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
"""

from __future__ import annotations

import contextlib
import socket
from logging import Logger

from slack_bolt import App
from slack_bolt.adapter.socket_mode.websocket_client import SocketModeHandler
from slack_sdk.socket_mode.websocket_client import SocketModeClient
from websocket import WebSocketApp, WebSocketException


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


class HangUpClient(SocketModeClient):
    """slack_sdk's websocket-client Socket Mode client whose connections end by `hang_up`."""

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

    def __init__(self, app: App, app_token: str, *, logger: Logger) -> None:
        self.app = app
        self.app_token = app_token
        self.client = HangUpClient(app_token=app_token, logger=logger, web_client=app.client)
        self.client.socket_mode_request_listeners.append(self.handle)  # type: ignore[arg-type]
