"""The processes of the burst benchmark: the bot, the bare Bolt app, and the load generator.

The bot runs as in production (`workshop-bot run --http`: waitress, the real clock) and the bare
Bolt app (listeners that only ack) on the same waitress server, each in its own process, so CPU
and memory are read per process from /proc. The load generator is a third process: it competes
with neither server nor the fake Slack (in the benchmark's own process) for an interpreter.

Run as `python -m tests.bench.burst_procs --bare PORT API_URL` to serve the bare app.
"""

from __future__ import annotations

import multiprocessing
import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path
from typing import Any

from slack_bolt import App
from slack_sdk import WebClient

from bot.empathy import ids
from bot.http_server import make_server
from tests.bench import raw_burst
from tests.harness import BOT_TOKEN, SIGNING_SECRET
from tests.slack_fake import ids as slack_ids

ROOT = Path(__file__).resolve().parents[2]
Request = dict[str, Any]
BARE_ACTIONS = (ids.JOIN, ids.ADD_NOTE, ids.OPEN_BALLOT)
BARE_VIEWS = (ids.NOTE_MODAL, ids.BALLOT_MODAL)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _ack(ack: Any) -> None:
    ack()


def serve_bare(port: int, api_url: str) -> None:
    """The bare Bolt app: the same waitress server (`make_server`), listeners that only ack."""
    app = App(signing_secret=SIGNING_SECRET, client=WebClient(token=BOT_TOKEN, base_url=api_url),
              token_verification_enabled=False)
    for action in BARE_ACTIONS:
        app.action(action)(_ack)
    for callback in BARE_VIEWS:
        app.view(callback)(_ack)
    make_server(app, host="127.0.0.1", port=port, signing_secret=SIGNING_SECRET).run()


def spawn(args: list[str], env: dict[str, str], port: int) -> subprocess.Popen[bytes]:
    """A server process (the bot, or the bare app), ready when /healthz answers."""
    log = open(os.devnull, "wb") if not os.environ.get("BENCH_SERVER_LOG") else None  # noqa: SIM115
    process = subprocess.Popen([sys.executable, *args], env={**os.environ, **env}, cwd=ROOT,
                               stdout=log, stderr=log)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=1).read()
            return process
        except OSError:
            time.sleep(0.05)
    process.kill()
    raise RuntimeError(f"{args} did not start")


def stop(process: subprocess.Popen[bytes]) -> None:
    process.terminate()
    try:
        process.wait(timeout=30)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


def cpu_seconds(process: subprocess.Popen[bytes]) -> float:
    """User + system CPU the process has used so far (Linux /proc; NaN elsewhere)."""
    try:
        fields = Path(f"/proc/{process.pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return float("nan")
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def rss_mb(process: subprocess.Popen[bytes]) -> float:
    """Resident memory of the process (psutil when installed, else /proc/PID/status VmRSS)."""
    try:
        import psutil  # type: ignore[import-untyped]

        return psutil.Process(process.pid).memory_info().rss / 2**20
    except ImportError:
        pass
    try:
        status = Path(f"/proc/{process.pid}/status").read_text()
    except OSError:
        return float("nan")
    line = next((x for x in status.splitlines() if x.startswith("VmRSS:")), "VmRSS: nan kB")
    return float(line.split()[1]) / 1024


class LoadGenerator:
    """One process kept for the whole run (spawned once: a new interpreter per burst costs a second)."""

    def __enter__(self) -> LoadGenerator:
        self._pool = multiprocessing.get_context("spawn").Pool(1)
        return self

    def __exit__(self, *exc: object) -> None:
        self._pool.terminate()
        self._pool.join()

    def burst(self, url: str, per_person: list[list[Request]]) -> tuple[list[float], float, float]:
        """Every request's ack latency, the wall time (time.time()) the burst started and ended."""
        return self._pool.apply(play_burst, (url, per_person))


def play_burst(url: str, per_person: list[list[Request]]) -> tuple[list[float], float, float]:
    """Everyone's requests signed first; then all people at once (see raw_burst). A click's
    trigger_id is made just before the burst: the 3 s to open a modal start when it is sent."""
    for request in (r for requests in per_person for r in requests if r.get("type") == "block_actions"):
        request["trigger_id"] = slack_ids.trigger_id()
    signed = [[raw_burst.signed_bytes(url, SIGNING_SECRET, r) for r in requests] for requests in per_person]
    started = time.time()
    latencies, statuses, _ = raw_burst.play(url, signed, timeout=180.0)
    ended = time.time()
    refused = sorted({s for s in statuses if s != 200})
    assert not refused, f"not acked: HTTP {refused}"
    return latencies, started, ended


if __name__ == "__main__" and sys.argv[1:2] == ["--bare"]:
    serve_bare(int(sys.argv[2]), sys.argv[3])
