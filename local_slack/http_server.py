"""The HTTP plumbing under FakeSlack, and the record of one call.

A real socket server (not a mocked transport) so slack_sdk's urllib code, headers, status
codes and retry handlers run exactly as against slack.com.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

Reply = tuple[int, dict[str, str], dict[str, Any] | bytes]
# route(path, query, headers, body) -> (status, headers, JSON dict or raw bytes)
Route = Callable[[str, str, dict[str, str], bytes], Reply]


@dataclass
class Call:
    """One request the fake received (``method`` is also "upload"/"response_url")."""

    method: str
    args: dict[str, Any]
    token: str | None
    time: float
    status: int = 200
    response: dict[str, Any] = field(default_factory=dict)
    path: str = ""
    received: float = 0.0  # when the request reached the fake (before its latency), time.time()


class _Handler(BaseHTTPRequestHandler):
    server: LocalServer
    protocol_version = "HTTP/1.1"

    def log_message(self, format: str, *args: Any) -> None:  # keep test output clean
        pass

    def do_GET(self) -> None:
        self.do_POST()

    def do_POST(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        path, _, query = self.path.partition("?")
        status, headers, payload = self.server.route(path, query, dict(self.headers.items()), body)
        data = payload if isinstance(payload, bytes) else json.dumps(payload).encode()
        self.send_response(status)
        if not isinstance(payload, bytes):
            headers.setdefault("Content-Type", "application/json; charset=utf-8")
        for key, value in headers.items():
            self.send_header(key, value)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)


class LocalServer(ThreadingHTTPServer):
    """Threaded server on 127.0.0.1 (random port) handing every request to ``route``."""

    daemon_threads = True
    request_queue_size = 1024  # Slack never refuses a connection: a burst of calls must not wait on SYN retries

    def __init__(self, route: Route) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.route = route
