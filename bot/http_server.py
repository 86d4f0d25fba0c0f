"""HTTP mode: Bolt's WSGI adapter behind waitress (a production server), plus `/healthz`."""

from __future__ import annotations

import io
import json
import logging
import threading
from collections.abc import Callable, Iterable
from typing import Any
from urllib.parse import parse_qs

from slack_bolt import App
from slack_bolt.adapter.wsgi import SlackRequestHandler
from slack_sdk.signature import SignatureVerifier
from waitress import wasyncore
from waitress.server import create_server

log = logging.getLogger(__name__)


def wsgi_app(app: App, signing_secret: str) -> Callable[..., Iterable[bytes]]:
    """Slack's routes (/slack/events, and OAuth's install and redirect paths) and a health check.

    Bolt raises (a 500) on a body it cannot parse; Slack never sends one, so such a request is
    answered 401 when unsigned and 400 when signed, before Bolt sees it.
    """
    slack = SlackRequestHandler(app)
    verifier = SignatureVerifier(signing_secret)

    def application(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        if environ.get("PATH_INFO") == "/healthz":
            return _plain(start_response, "200 OK", "ok")
        if environ.get("REQUEST_METHOD") == "POST":
            body = _read_body(environ)
            if not _parses(body, environ.get("CONTENT_TYPE", "")):
                headers = {"x-slack-request-timestamp": environ.get("HTTP_X_SLACK_REQUEST_TIMESTAMP", ""),
                           "x-slack-signature": environ.get("HTTP_X_SLACK_SIGNATURE", "")}
                if not verifier.is_valid_request(body, headers):
                    return _plain(start_response, "401 Unauthorized", "invalid signature")
                return _plain(start_response, "400 Bad Request", "malformed body")
        return slack(environ, start_response)

    return application


def _plain(start_response: Callable[..., Any], status: str, text: str) -> list[bytes]:
    start_response(status, [("Content-Type", "text/plain")])
    return [text.encode()]


def _read_body(environ: dict[str, Any]) -> bytes:
    """Read the body and put it back, so Bolt's adapter can read it again."""
    length = int(environ.get("CONTENT_LENGTH") or 0)
    body = environ["wsgi.input"].read(length) if length > 0 else b""
    environ["wsgi.input"] = io.BytesIO(body)
    return body


def _parses(body: bytes, content_type: str) -> bool:
    try:
        text = body.decode("utf-8")
        if content_type.startswith("application/json"):
            json.loads(text or "{}")
        elif "payload" in (form := parse_qs(text)):
            json.loads(form["payload"][0])
    except (UnicodeDecodeError, ValueError):
        return False
    return True


def make_server(app: App, *, host: str, port: int, signing_secret: str, threads: int = 8) -> Any:
    return create_server(wsgi_app(app, signing_secret), host=host, port=port, threads=threads,
                         ident="workshop-bot")


def serve(app: App, *, host: str, port: int, signing_secret: str, stop: threading.Event) -> None:
    """Serve until `stop` is set (SIGTERM/SIGINT), then close the listening socket."""
    server = make_server(app, host=host, port=port, signing_secret=signing_secret)
    log.info("serving HTTP on %s:%s (/slack/events, /healthz)", host, server.effective_port)
    thread = threading.Thread(target=server.run, name="http", daemon=True)
    thread.start()
    stop.wait()
    stop_server(server, thread)


def stop_server(server: Any, thread: threading.Thread, *, grace_seconds: float = 5) -> None:
    """Stop accepting, let requests in flight finish, then close every socket.

    Sockets are closed from the server's own loop thread (through its trigger): closing them
    from another thread races the loop's `select` and raises `EBADF` there.
    """

    def close_listener() -> None:
        wasyncore.dispatcher.close(server)

    def close_the_rest() -> None:
        for channel in list(server._map.values()):
            channel.close()

    server.trigger.pull_trigger(close_listener)
    server.task_dispatcher.shutdown(cancel_pending=False, timeout=grace_seconds)
    try:
        server.trigger.pull_trigger(close_the_rest)
    except OSError:  # the loop already ended and closed its trigger: nothing is left open
        log.debug("server loop already closed")
    thread.join(timeout=grace_seconds)
