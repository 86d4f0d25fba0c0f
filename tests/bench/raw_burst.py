"""A burst of signed Slack requests from one thread on non-blocking sockets.

A client of 50 Python threads on urllib spends milliseconds of its own interpreter per request,
and on a 2-core box those queue behind each other: what it reports as "ack latency" is partly
its own waiting. Here every request is built and signed before the burst starts, the burst is a
single `selectors` loop, and the clock stops when the last byte of the answer is read, so the
figures are the server's (the same for the bot and for bare Bolt).
"""

from __future__ import annotations

import json
import selectors
import socket
import time
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode, urlsplit

from tests.slack_fake.signed_http import FORM, sign

Request = dict[str, Any]


def signed_bytes(url: str, signing_secret: str, payload: Request) -> bytes:
    """One interaction as Slack sends it (`payload=<json>`, form-encoded, signed), as raw HTTP/1.1."""
    parts = urlsplit(url)
    body = urlencode({"payload": json.dumps(payload)}).encode()
    ts = str(int(time.time()))
    head = (f"POST {parts.path} HTTP/1.1\r\nHost: {parts.netloc}\r\nContent-Type: {FORM}\r\n"
            f"Content-Length: {len(body)}\r\nX-Slack-Request-Timestamp: {ts}\r\n"
            f"X-Slack-Signature: {sign(signing_secret, ts, body)}\r\nConnection: close\r\n\r\n")
    return head.encode() + body


@dataclass
class _Person:
    requests: list[bytes]
    sent_at: float = 0.0
    answer: bytearray = field(default_factory=bytearray)


def _status_and_done(answer: bytearray) -> tuple[int, bool]:
    """The HTTP status, and whether the whole body (per Content-Length) has arrived."""
    end = answer.find(b"\r\n\r\n")
    if end < 0:
        return 0, False
    head = answer[:end].decode("latin-1").split("\r\n")
    status = int(head[0].split()[1])
    length = next((int(line.split(":", 1)[1]) for line in head[1:] if line.lower().startswith("content-length:")), None)
    return status, length is not None and len(answer) - end - 4 >= length


def play(url: str, per_person: list[list[bytes]], *, timeout: float = 30.0) -> tuple[list[float], list[int], float]:
    """Send each person's requests in order, all people at once. Returns each request's latency,
    each answer's HTTP status, and the burst's wall time."""
    parts = urlsplit(url)
    address = (parts.hostname or "127.0.0.1", parts.port or 80)
    selector = selectors.DefaultSelector()
    latencies: list[float] = []
    statuses: list[int] = []

    def send_next(person: _Person) -> None:
        sock = socket.create_connection(address)
        person.answer = bytearray()
        person.sent_at = time.perf_counter()
        sock.sendall(person.requests.pop(0))
        sock.setblocking(False)
        selector.register(sock, selectors.EVENT_READ, person)

    started = time.perf_counter()
    for requests in per_person:
        send_next(_Person(list(requests)))
    deadline = started + timeout
    while selector.get_map() and time.perf_counter() < deadline:
        for key, _ in selector.select(timeout=1.0):
            sock, person = key.fileobj, key.data
            chunk = sock.recv(65536)  # type: ignore[union-attr]
            person.answer += chunk
            status, done = _status_and_done(person.answer)
            if not (done or not chunk):
                continue
            latencies.append(time.perf_counter() - person.sent_at)
            statuses.append(status)
            selector.unregister(sock)
            sock.close()  # type: ignore[union-attr]
            if person.requests:
                send_next(person)
    if selector.get_map():
        raise TimeoutError(f"{len(selector.get_map())} requests unanswered after {timeout} s")
    return latencies, statuses, time.perf_counter() - started
