"""FakeSocketMode: a local WebSocket server that plays Slack's side of Socket Mode.

The real slack_sdk / Bolt Socket Mode client connects to it (via FakeSlack's
``apps.connections.open``), receives envelopes and acks them, so the whole path from
envelope to Bolt listener to ack is exercised, and ack latency can be measured.

slack_sdk's builtin client (Bolt's default SocketModeHandler) speaks plain ``ws://`` to
any port other than 443, so no TLS is needed here. That client reads with a blocking
``recv`` (3 s timeout) while holding the lock that ``close()`` and reconnects need, so an
idle connection makes them stall ~3 s; the server therefore pings every ``ping_interval``
(default 50 ms), which wakes the reader without changing what the app sees.

``drop(how)`` ends the newest connection the ways a real network does (see ``DropKind``), so a
test can check that the bot is back within seconds whichever way it lost Slack.
"""

from __future__ import annotations

import json
import secrets
import socket
import struct
import threading
import time
import uuid
from http import HTTPStatus
from typing import Any, Literal, get_args

from websockets.exceptions import ConnectionClosed
from websockets.http11 import Request, Response
from websockets.sync.server import Server, ServerConnection, serve

from .ids import APP_ID

EnvelopeTypes = ("events_api", "interactive", "slash_commands")
# How a connection ends: "reset" is a TCP RST (a crashed host, a firewall); "plain_close" an
# orderly TCP close with no WebSocket close frame (a proxy or load balancer timing out);
# "close_frame" a WebSocket close (code 1001); "disconnect" Slack's own request to reconnect.
DropKind = Literal["reset", "plain_close", "close_frame", "disconnect"]
DROP_KINDS: tuple[DropKind, ...] = get_args(DropKind)
# Interactions whose ack may carry a response body (modal errors/update, suggestions).
_RESPONSE_PAYLOAD_TYPES = ("view_submission", "block_suggestion")


class FakeSocketMode:
    """Slack's Socket Mode endpoint on ``ws://127.0.0.1:PORT/link/?ticket=...``."""

    def __init__(self, app_id: str = APP_ID, *, ping_interval: float = 0.05) -> None:
        self.app_id = app_id
        self.ping_interval = ping_interval
        self.ticket = secrets.token_hex(8)
        self.sent: list[dict[str, Any]] = []
        self.received: list[dict[str, Any]] = []
        self.acks: dict[str, dict[str, Any]] = {}
        self.ack_seconds: dict[str, float] = {}
        self.connection_count = 0
        self.connected_at: list[float] = []  # time.perf_counter() of each connection's hello
        self.dropped_at: float | None = None  # time.perf_counter() of the last drop()
        self._sent_at: dict[str, float] = {}
        self._connections: list[ServerConnection] = []
        self._silenced: list[ServerConnection] = []
        self._cond = threading.Condition()
        self._server: Server | None = None
        self._thread: threading.Thread | None = None

    # -- lifecycle ----------------------------------------------------------------------
    def start(self) -> FakeSocketMode:
        self._server = serve(
            self._handle,
            "127.0.0.1",
            0,
            process_request=self._check_ticket,
            compression=None,
            close_timeout=1,
            ping_interval=self.ping_interval,
        )
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        for ws in self._silenced:
            ws.protocol_mutex.release()
        self._silenced.clear()
        if self._server is not None:
            self._server.shutdown()
            self._server = None
        if self._thread is not None:
            self._thread.join(timeout=5)
            self._thread = None

    def __enter__(self) -> FakeSocketMode:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    @property
    def url(self) -> str:
        if self._server is None:
            raise RuntimeError("FakeSocketMode is not started")
        port = self._server.socket.getsockname()[1]
        return f"ws://127.0.0.1:{port}/link/?ticket={self.ticket}&app_id={self.app_id}"

    # -- server side ----------------------------------------------------------------------
    def _check_ticket(self, connection: ServerConnection, request: Request) -> Response | None:
        if f"ticket={self.ticket}" not in request.path:
            return connection.respond(HTTPStatus.UNAUTHORIZED, "invalid ticket\n")
        return None

    def _handle(self, ws: ServerConnection) -> None:
        ws.send(
            json.dumps(
                {
                    "type": "hello",
                    "num_connections": 1,
                    "debug_info": {
                        "host": "applink-fake-1",
                        "build_number": 1,
                        "approximate_connection_time": 18060,
                    },
                    "connection_info": {"app_id": self.app_id},
                }
            )
        )
        with self._cond:
            self._connections.append(ws)
            self.connection_count += 1
            self.connected_at.append(time.perf_counter())
            self._cond.notify_all()
        try:
            for raw in ws:
                self._on_message(raw)
        except ConnectionClosed:
            pass
        finally:
            with self._cond:
                self._connections.remove(ws)
                self._cond.notify_all()

    def _on_message(self, raw: str | bytes) -> None:
        now = time.perf_counter()
        try:
            message = json.loads(raw)
        except ValueError:
            message = {"_raw": raw if isinstance(raw, str) else raw.decode("utf-8", "replace")}
        with self._cond:
            self.received.append(message)
            envelope_id = message.get("envelope_id") if isinstance(message, dict) else None
            if envelope_id and envelope_id not in self.acks:
                self.acks[envelope_id] = message
                sent_at = self._sent_at.get(envelope_id)
                if sent_at is not None:
                    self.ack_seconds[envelope_id] = now - sent_at
            self._cond.notify_all()

    def _current(self) -> ServerConnection:
        with self._cond:
            if not self._connections:
                raise AssertionError("no Socket Mode client is connected")
            return self._connections[-1]

    # -- test API -----------------------------------------------------------------------
    @property
    def connected(self) -> bool:
        with self._cond:
            return bool(self._connections)

    def wait_connected(self, timeout: float = 10.0, *, count: int = 1) -> None:
        """Wait until ``count`` connections were made in total and one is open."""
        deadline = time.monotonic() + timeout
        with self._cond:
            while not (self.connection_count >= count and self._connections):
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    raise AssertionError(
                        f"no Socket Mode connection #{count} within {timeout}s "
                        f"(connections so far: {self.connection_count})"
                    )
                self._cond.wait(min(remaining, 0.01))

    def send(
        self,
        type_: str,
        payload: dict[str, Any],
        *,
        retry_attempt: int = 0,
        retry_reason: str = "",
        accepts_response_payload: bool | None = None,
    ) -> str:
        """Deliver an envelope to the newest connection; returns its ``envelope_id``.

        Like Slack, only ``events_api`` envelopes carry ``retry_attempt``/``retry_reason``
        (Bolt turns them into X-Slack-Retry-* headers, so ``0`` means "first delivery").
        """
        if type_ not in EnvelopeTypes:
            raise ValueError(f"unknown envelope type {type_!r}")
        if accepts_response_payload is None:
            accepts_response_payload = type_ == "slash_commands" or (
                type_ == "interactive" and payload.get("type") in _RESPONSE_PAYLOAD_TYPES
            )
        envelope_id = str(uuid.uuid4())
        envelope: dict[str, Any] = {
            "envelope_id": envelope_id,
            "type": type_,
            "payload": payload,
            "accepts_response_payload": accepts_response_payload,
        }
        if type_ == "events_api":
            envelope["retry_attempt"] = retry_attempt
            envelope["retry_reason"] = retry_reason
        ws = self._current()
        with self._cond:
            self.sent.append(envelope)
            self._sent_at[envelope_id] = time.perf_counter()
        ws.send(json.dumps(envelope))
        return envelope_id

    def send_event(self, callback: dict[str, Any], **kwargs: Any) -> str:
        """Send an ``event_callback`` (see payloads.event_callback) as events_api."""
        return self.send("events_api", callback, **kwargs)

    def send_interactive(self, payload: dict[str, Any], **kwargs: Any) -> str:
        return self.send("interactive", payload, **kwargs)

    def send_command(self, form: dict[str, str], **kwargs: Any) -> str:
        """Send a slash command (see payloads.slash_command) as slash_commands."""
        return self.send("slash_commands", form, **kwargs)

    def wait_for_ack(self, envelope_id: str, timeout: float = 5.0) -> dict[str, Any]:
        """The client's ack ``{"envelope_id": ..., "payload"?: ...}`` for one envelope."""
        deadline = time.monotonic() + timeout
        with self._cond:
            while envelope_id not in self.acks:
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    raise AssertionError(f"no ack for envelope {envelope_id} within {timeout}s")
                self._cond.wait(min(remaining, 0.01))
            return self.acks[envelope_id]

    def disconnect(self, reason: str = "refresh_requested") -> None:
        """Ask the client to reconnect, as Slack does before recycling a connection."""
        message = {"type": "disconnect", "reason": reason, "debug_info": {"host": "applink-fake-1"}}
        self._current().send(json.dumps(message))

    def drop(self, how: DropKind = "close_frame") -> None:
        """End the newest connection the way ``how`` says (see ``DropKind``).

        ``dropped_at`` is set first: a close frame waits here for the client's answer (up to
        ``close_timeout``), so time the reconnect from it, not from when this returns.
        """
        ws = self._current()
        self.dropped_at = time.perf_counter()
        if how == "disconnect":
            self.disconnect()
        elif how == "close_frame":
            ws.close(1001, "going away")
        elif how == "plain_close":
            # FIN without a close frame. shutdown() (not close()) is what reaches the peer while
            # the connection's reader thread still holds the socket; it then sees EOF and ends.
            ws.socket.shutdown(socket.SHUT_RDWR)
        elif how == "reset":
            # Linger 0 makes close() send RST instead of FIN. The reader thread waits in select(),
            # which holds no reference to the socket, so close() releases it (and resets) at once;
            # close_socket() then wakes that thread so the connection ends here too.
            ws.socket.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            ws.socket.close()
            ws.close_socket()
        else:
            raise ValueError(f"unknown drop kind {how!r}; one of {DROP_KINDS}")

    def fall_silent(self) -> None:
        """Stop answering on the newest connection, pongs included, and never close it: what a
        NAT or firewall that forgot the connection does. Holding the connection's protocol lock
        stalls its reader and its keepalive alike; ``stop()`` lets go."""
        ws = self._current()
        ws.protocol_mutex.acquire()
        self._silenced.append(ws)
        self.dropped_at = time.perf_counter()
