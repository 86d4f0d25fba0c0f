"""SlackHttpClient: deliver payloads to an app in HTTP mode, signed exactly as Slack signs.

Bolt verifies ``X-Slack-Signature`` over the raw body, so tests must produce the real
bodies (form-encoded commands, ``payload=<json>`` interactions, JSON events) and real
signatures; the knobs (stale timestamp, bad signature, raw body) cover the rejection
paths. Uses only the standard library; every Response records elapsed seconds.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from .ids import VERIFICATION_TOKEN

FORM = "application/x-www-form-urlencoded"
JSON = "application/json"


def sign(signing_secret: str, timestamp: str, body: str | bytes) -> str:
    """``v0=`` + hex HMAC-SHA256(secret, ``v0:{ts}:{body}``)."""
    raw = body if isinstance(body, bytes) else body.encode("utf-8")
    base = b"v0:" + timestamp.encode() + b":" + raw
    return "v0=" + hmac.new(signing_secret.encode(), base, hashlib.sha256).hexdigest()


@dataclass
class Response:
    status: int
    headers: dict[str, str]  # lower-cased names
    body_text: str
    seconds: float

    def json(self) -> Any:
        return json.loads(self.body_text)


class SlackHttpClient:
    """POSTs signed Slack requests to ``url`` (e.g. ``http://127.0.0.1:PORT/slack/events``)."""

    def __init__(self, url: str, signing_secret: str, *, timeout: float = 10.0) -> None:
        self.url = url
        self.signing_secret = signing_secret
        self.timeout = timeout

    def command(self, form: dict[str, str], **options: Any) -> Response:
        """A slash command: the form fields of payloads.slash_command, form-encoded."""
        return self.post(urlencode(form), FORM, **options)

    def interactive(self, payload: dict[str, Any], **options: Any) -> Response:
        """Any interaction (block_actions, view_submission, shortcuts): ``payload=<json>``."""
        return self.post(urlencode({"payload": json.dumps(payload)}), FORM, **options)

    def event(
        self,
        callback: dict[str, Any],
        *,
        retry_num: int | None = None,
        retry_reason: str = "http_timeout",
        **options: Any,
    ) -> Response:
        """An Events API delivery; ``retry_num`` adds Slack's redelivery headers."""
        headers = dict(options.pop("headers", None) or {})
        if retry_num is not None:
            headers["X-Slack-Retry-Num"] = str(retry_num)
            headers["X-Slack-Retry-Reason"] = retry_reason
        return self.post(json.dumps(callback), JSON, headers=headers, **options)

    def url_verification(self, challenge: str, **options: Any) -> Response:
        body = {"token": VERIFICATION_TOKEN, "challenge": challenge, "type": "url_verification"}
        return self.post(json.dumps(body), JSON, **options)

    def post(
        self,
        body: str | bytes,
        content_type: str,
        *,
        timestamp: int | str | None = None,
        bad_signature: bool = False,
        raw_body: str | bytes | None = None,
        headers: dict[str, str] | None = None,
    ) -> Response:
        """Sign and send; ``raw_body`` replaces the body (signed as given)."""
        data = raw_body if raw_body is not None else body
        data = data if isinstance(data, bytes) else data.encode("utf-8")
        ts = str(int(time.time()) if timestamp is None else timestamp)
        signature = sign(self.signing_secret, ts, data)
        if bad_signature:
            signature = "v0=" + "0" * 64
        all_headers = {
            "Content-Type": content_type,
            "X-Slack-Request-Timestamp": ts,
            "X-Slack-Signature": signature,
            "User-Agent": "Slackbot 1.0 (+https://api.slack.com/robots)",
            **(headers or {}),
        }
        request = urllib.request.Request(self.url, data=data, headers=all_headers, method="POST")
        started = time.perf_counter()
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as reply:
                status, reply_headers, text = reply.status, reply.headers, reply.read()
        except urllib.error.HTTPError as error:
            status, reply_headers, text = error.code, error.headers, error.read()
        seconds = time.perf_counter() - started
        return Response(
            status=status,
            headers={k.lower(): v for k, v in reply_headers.items()},
            body_text=text.decode("utf-8", "replace"),
            seconds=seconds,
        )
