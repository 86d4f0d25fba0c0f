"""HTTP mode: Slack's requests served by waitress (a production WSGI server), plus `/healthz`.

The signature is checked here, on the raw bytes, before anything is parsed: a request that is
not from Slack gets 401 whatever its body (garbage, not UTF-8, 10 MB), with one log line at most,
never a traceback. A signed body is parsed once, by Bolt's `BoltRequest`, and dispatched; one
Slack never sends (not a JSON object, or not shaped as Slack's: bot/payload_shape.py) gets 400,
before Bolt's own middleware could trip over it. OAuth's install and redirect pages (plain
GETs) go to Bolt's own WSGI adapter.
"""

from __future__ import annotations

import binascii
import hashlib
import hmac
import logging
import re
import threading
import time
from collections.abc import Callable, Iterable
from http import HTTPStatus
from typing import Any

from slack_bolt import App, BoltRequest
from slack_bolt.adapter.wsgi import SlackRequestHandler
from waitress import wasyncore
from waitress.server import create_server

from bot import payload_shape

log = logging.getLogger(__name__)
EVENTS_PATH = "/slack/events"
MAX_BODY = 4 * 1024 * 1024  # Slack's largest payloads (a modal's whole state) are a few hundred kB
MAX_CLOCK_SKEW = 300  # seconds, as Slack documents for the request timestamp
TIMESTAMP = re.compile(r"[0-9]{1,12}")  # ASCII only: "²".isdigit() is true and int("²") raises
CHUNK = 64 * 1024
FORM = "application/x-www-form-urlencoded"

StartResponse = Callable[..., Any]


def wsgi_app(app: App, signing_secret: str) -> Callable[..., Iterable[bytes]]:
    oauth_pages = SlackRequestHandler(app, path=EVENTS_PATH)
    secret = signing_secret.encode()

    def application(environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        path, method = environ.get("PATH_INFO"), environ.get("REQUEST_METHOD")
        if path == "/healthz":
            return _plain(start_response, 200, "ok")
        if method == "POST" and path == EVENTS_PATH:
            return _events(app, secret, environ, start_response)
        return oauth_pages(environ, start_response)

    return application


def _events(app: App, secret: bytes, environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
    timestamp = environ.get("HTTP_X_SLACK_REQUEST_TIMESTAMP", "")
    signature = environ.get("HTTP_X_SLACK_SIGNATURE", "")
    try:
        length = int(environ.get("CONTENT_LENGTH") or 0)
    except ValueError:
        length = -1
    if not (TIMESTAMP.fullmatch(timestamp) and abs(time.time() - int(timestamp)) <= MAX_CLOCK_SKEW
            and signature and length >= 0):
        log.warning("refused a request with no valid Slack signature headers")
        return _plain(start_response, 401, "invalid signature")
    raw, signed = _read_signed(environ["wsgi.input"], length, secret, timestamp, signature)
    if not signed:
        log.warning("refused a request with a wrong Slack signature")
        return _plain(start_response, 401, "invalid signature")
    if raw is None:
        log.warning("refused a signed request body of %s bytes", length)
        return _plain(start_response, 413, "body too large")
    headers = {key[5:].lower().replace("_", "-"): value for key, value in environ.items() if key.startswith("HTTP_")}
    headers["content-type"] = environ.get("CONTENT_TYPE", "")
    try:
        request = _bolt_request(raw, environ.get("QUERY_STRING", ""), headers)
        reason = payload_shape.problem(request.body)
    except (UnicodeDecodeError, ValueError, TypeError, AttributeError, KeyError, IndexError):
        reason = "not readable as a Slack request"
    if reason:
        log.warning("refused a signed request whose body Slack would never send: %s", reason)
        return _plain(start_response, 400, "malformed body")
    response = app.dispatch(request)
    body = response.body.encode() if isinstance(response.body, str) else response.body
    start_response(_status(response.status), [*((k, v) for k, values in response.headers.items()
                                                 if k.lower() != "content-length" for v in values),
                                               ("Content-Length", str(len(body)))])
    return [body]


def _read_signed(stream: Any, length: int, secret: bytes, timestamp: str,
                 signature: str) -> tuple[bytes | None, bool]:
    """(the body, or None when larger than MAX_BODY; whether its signature is right).

    Read in chunks and hashed as it comes, so a body too large to keep still gets its
    signature checked (401 when wrong, 413 only for Slack's own) in constant memory.
    """
    digest = hmac.new(secret, b"v0:" + timestamp.encode() + b":", hashlib.sha256)
    kept: list[bytes] = []
    left = length
    while left > 0:
        chunk = stream.read(min(CHUNK, left))
        if not chunk:
            break
        digest.update(chunk)
        if length <= MAX_BODY:
            kept.append(chunk)
        left -= len(chunk)
    expected = "v0=" + digest.hexdigest()
    signed = hmac.compare_digest(expected.encode(), signature.encode("utf-8", "replace"))
    return (b"".join(kept) if length <= MAX_BODY else None), signed


def _bolt_request(raw: bytes, query: str, headers: dict[str, str]) -> BoltRequest:
    """Bolt's request for the body; an interaction's payload is decoded here (`_form_payload`) and
    handed to Bolt as JSON, then the request gets its raw body and type back, as Bolt would have
    it (for an app that checks the signature itself, or copies the request)."""
    text = raw.decode("utf-8")
    payload = _form_payload(raw) if headers["content-type"].startswith(FORM) else None
    if payload is None:
        return BoltRequest(body=text, query=query, headers=headers)
    request = BoltRequest(body=payload, query=query, headers={**headers, "content-type": "application/json"})
    request.raw_body, request.content_type = text, headers["content-type"]
    request.headers["content-type"] = [headers["content-type"]]
    return request


def _form_payload(raw: bytes) -> str | None:
    """The JSON of an interaction's `payload=<form-encoded JSON>` body, decoded in C; None for
    any other body (commands, events), which Bolt parses itself.

    `urllib.parse.unquote` decodes escape by escape in Python: 4-5 ms for a ballot's ~100 KB
    view, a third of that request's CPU. `binascii.a2b_qp` decodes `=XX` escapes the same way
    in C, so `%` becomes `=` once no `=`, `&` or line break is in the value (where a2b_qp would
    read something else), and each escape must shorten the body by two (a malformed `%` would
    not): otherwise the standard parser decides."""
    if not raw.startswith(b"payload="):
        return None
    value = raw[len(b"payload="):]
    if not value or not value.isascii() or b"=" in value or b"&" in value or b"\n" in value or b"\r" in value:
        return None
    decoded = binascii.a2b_qp(value.replace(b"+", b" ").replace(b"%", b"="))
    if len(decoded) != len(value) - 2 * value.count(b"%"):
        return None
    return decoded.decode("utf-8", "replace")


def _status(code: int) -> str:
    return f"{code} {HTTPStatus(code).phrase}"


def _plain(start_response: StartResponse, status: int, text: str) -> list[bytes]:
    start_response(_status(status), [("Content-Type", "text/plain"), ("Content-Length", str(len(text)))])
    return [text.encode()]


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
