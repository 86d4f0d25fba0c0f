"""Benchmark: 50 participants add notes and vote in a burst, through signed HTTP.

Run by hand: `python tests/bench/bench_empathy_burst.py` (pytest ignores tests/bench). The bot
runs as in production (`workshop-bot run --http`: waitress, SQLite, the real clock, so board
refreshes coalesce as they would live) in its own process, against the local fake Slack in this
one. A bare Bolt app whose handlers only ack, on the same waitress server in its own process,
answers the very same kinds of requests in the same run, for comparison.
The fake Slack answers each Web API call after SLACK_LATENCY, and refuses a trigger_id older than
3 seconds, as Slack does; the requests are sent by raw_burst (a load generator that does not
queue behind itself).
Prints: ack latency p50/p99 for both, CPU per request, chat.update calls per 100 notes, the most
board updates in any one-second window, how long after the burst the board matched the database,
and how many modals opened in time.
"""

from __future__ import annotations

import multiprocessing
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from slack_bolt import App
from slack_sdk import WebClient
from sqlalchemy.engine import Engine

from bot.empathy import ballot_view, ids
from bot.http_server import make_server
from storage.db import make_engine, upgrade
from tests.bench import raw_burst
from tests.harness import BOT_TOKEN, SIGNING_SECRET, eventually
from tests.slack_fake import FakeSlack, SlackHttpClient, payloads
from tests.slack_fake import ids as slack_ids
from tests.test_empathy_support import Workshop

ROOT = Path(__file__).resolve().parents[2]
PEOPLE = [f"U0B{n:03d}" for n in range(50)]
SLACK_LATENCY = 0.2  # seconds per Web API call during the bursts, as from a server to Slack
Request = dict[str, Any]  # one interaction payload, sent signed as Slack would


def note_requests(w: Workshop, person: str, n: int) -> list[Request]:
    value = str(w.session_id)
    click = payloads.block_actions(ids.ADD_NOTE, value=value, user=person, channel=w.channel, message_ts=w.board_ts)
    form = {ids.NOTE_TEXT_BLOCK: {"value": f"first idea of {person}\nsecond idea of {person}"},
            ids.QUADRANT_BLOCK: {"value": payloads.input_static_select("says")}}
    submit = payloads.view_submission(ids.NOTE_MODAL, form, private_metadata=value, user=person,
                                      view_id=f"VNOTE{n:03d}")
    return [click, submit]


def vote_requests(w: Workshop, person: str, n: int, note_ids: list[int]) -> list[Request]:
    value = str(w.session_id)
    click = payloads.block_actions(ids.OPEN_BALLOT, value=value, user=person, channel=w.channel,
                                   message_ts=w.board_ts)
    picks = {note_ids[(n + k) % len(note_ids)]: c for k, c in enumerate((3, 1, 1))}
    values = {f"{ids.VOTE_BLOCK_PREFIX}{note}": {"value": payloads.input_static_select(str(c))}
              for note, c in picks.items()}
    submit = payloads.view_submission(ids.BALLOT_MODAL, values, user=person, view_id=f"VBALLOT{n:03d}",
                                      private_metadata=ballot_view.ballot_metadata(w.session_id, 1, 0))
    return [click, submit]


def burst(url: str, per_person: list[list[Request]]) -> tuple[list[float], float]:
    """Sent from a separate process, so the load generator competes with neither the bot nor
    the fake Slack (which lives in this process) for a Python interpreter."""
    context = multiprocessing.get_context("spawn")
    with context.Pool(1) as pool:
        return pool.apply(play_burst, (url, per_person))


def play_burst(url: str, per_person: list[list[Request]]) -> tuple[list[float], float]:
    """Everyone's requests signed first; then all people at once, each sending theirs in order
    (see raw_burst). Returns every request's ack latency and the burst's wall time."""
    for request in (r for requests in per_person for r in requests if "trigger_id" in r):
        request["trigger_id"] = slack_ids.trigger_id()  # clicked now: the 3 s to open a modal start here
    signed = [[raw_burst.signed_bytes(url, SIGNING_SECRET, r) for r in requests] for requests in per_person]
    latencies, statuses, seconds = raw_burst.play(url, signed)
    refused = [s for s in statuses if s != 200]
    assert not refused, f"not acked: HTTP {refused}"
    return latencies, seconds


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def serve_bare(port: int, api_url: str) -> None:
    """The bare Bolt app: the same waitress server, listeners that only ack (run in its own process)."""
    app = App(signing_secret=SIGNING_SECRET, client=WebClient(token=BOT_TOKEN, base_url=api_url),
              token_verification_enabled=False)
    for action in (ids.ADD_NOTE, ids.OPEN_BALLOT):
        app.action(action)(lambda ack: ack())
    for callback in (ids.NOTE_MODAL, ids.BALLOT_MODAL):
        app.view(callback)(lambda ack: ack())
    make_server(app, host="127.0.0.1", port=port, signing_secret=SIGNING_SECRET).run()


def spawn(args: list[str], env: dict[str, str], port: int) -> subprocess.Popen[bytes]:
    """A server process (the bot, or the bare app), ready when /healthz answers."""
    process = subprocess.Popen([sys.executable, *args], env={**os.environ, **env}, cwd=ROOT,
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=1).read()
            return process
        except OSError:
            time.sleep(0.05)
    process.kill()
    raise RuntimeError(f"{args} did not start")


class RemoteBot:
    """What Workshop needs of a bot, for the bot running as its own process (as in production)."""

    def __init__(self, port: int, engine: Engine) -> None:
        self.http = SlackHttpClient(f"http://127.0.0.1:{port}/slack/events", SIGNING_SECRET)
        self.engine = engine


def cpu_seconds(process: subprocess.Popen[bytes]) -> float:
    """User + system CPU the process has used so far (Linux /proc; NaN elsewhere)."""
    try:
        fields = Path(f"/proc/{process.pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return float("nan")
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))] * 1000


def max_per_second(times: list[float]) -> int:
    times = sorted(times)
    return max((sum(1 for u in times[i:] if u - t < 1.0) for i, t in enumerate(times)), default=0)


def main() -> None:
    with FakeSlack() as slack, tempfile.TemporaryDirectory() as tmp:
        url = f"sqlite:///{tmp}/bench.db"
        engine = make_engine(url)
        upgrade(engine)
        bot_port, bare_port = free_port(), free_port()
        env = {"SLACK_BOT_TOKEN": BOT_TOKEN, "SLACK_SIGNING_SECRET": SIGNING_SECRET, "DATABASE_URL": url,
               "SLACK_API_URL": slack.base_url, "LOG_LEVEL": "WARNING"}
        bot_process = spawn(["-m", "bot.cli", "run", "--http", "--host", "127.0.0.1", "--port", str(bot_port)],
                            env, bot_port)
        bare_process = spawn([__file__, "--bare", str(bare_port), slack.base_url], env, bare_port)
        bare_url = f"http://127.0.0.1:{bare_port}/slack/events"
        bot_url = f"http://127.0.0.1:{bot_port}/slack/events"
        try:
            w = Workshop(RemoteBot(bot_port, engine), slack, channel="C0BENCH").start()  # type: ignore[arg-type]
            w.control(ids.NEXT_PHASE)
            eventually(lambda: w.phase_index() == 1)
            burst(bare_url, [note_requests(w, PEOPLE[0], 99)[:1]])  # Bolt's first request asks auth.test
            time.sleep(1.1)  # let the phase change's board refresh age out of the interval
            slack.latency, slack.workspace.trigger_ttl = SLACK_LATENCY, 3.0
            opens_before = len(slack.calls_to("views.open"))

            cpu_bare = -cpu_seconds(bare_process)
            notes_bare, _ = burst(bare_url, [note_requests(w, p, n) for n, p in enumerate(PEOPLE)])
            cpu_bare += cpu_seconds(bare_process)
            before = len(slack.calls_to("chat.update"))
            cpu_bot = -cpu_seconds(bot_process)
            notes_bot, seconds = burst(bot_url, [note_requests(w, p, n) for n, p in enumerate(PEOPLE)])
            ended = time.time()  # the burst process has returned: every request was acked
            eventually(lambda: len(w.notes()) == 100, timeout=10)
            eventually(lambda: "*Says* (100)" in w.board_text(), timeout=5)
            consistent_after = time.time() - ended
            cpu_bot += cpu_seconds(bot_process)
            time.sleep(1.5)
            updates = [c.time for c in slack.calls_to("chat.update")[before:] if c.args.get("ts") == w.board_ts]

            for phase in range(1, 7):
                w.control(ids.NEXT_PHASE, phase=phase)
                eventually(lambda phase=phase: w.phase_index() == phase + 1)
            invited = lambda: sum(1 for c in slack.calls_to("chat.postEphemeral")  # noqa: E731
                                  if ids.OPEN_BALLOT in str(c.args.get("blocks")))
            eventually(lambda: invited() == 50, timeout=10)  # people vote from their invitation
            time.sleep(1.1)
            note_ids = [n.id for n in w.notes()]
            cpu_bare -= cpu_seconds(bare_process)
            votes_bare, _ = burst(bare_url, [vote_requests(w, p, n, note_ids) for n, p in enumerate(PEOPLE)])
            cpu_bare += cpu_seconds(bare_process)
            cpu_bot -= cpu_seconds(bot_process)
            votes_bot, _ = burst(bot_url, [vote_requests(w, p, n, note_ids) for n, p in enumerate(PEOPLE)])
            eventually(lambda: sum(w.votes().values()) == 250, timeout=10)
            cpu_bot += cpu_seconds(bot_process)
            eventually(lambda: len(slack.calls_to("views.open")) - opens_before == 100, timeout=10)
            opens = slack.calls_to("views.open")[opens_before:]
        finally:
            for process in (bot_process, bare_process):
                process.terminate()
                process.wait(timeout=10)
    ours, bare = notes_bot + votes_bot, notes_bare + votes_bare
    print(f"requests: {len(ours)} to the bot, {len(bare)} to bare Bolt, all acked (HTTP 200); 50 people at once")
    for label, bot_side, bare_side in (("all", ours, bare), ("notes", notes_bot, notes_bare),
                                       ("votes", votes_bot, votes_bare)):
        print(f"ack latency {label:5}  bot p50 {pct(bot_side, .5):6.1f} ms  p99 {pct(bot_side, .99):6.1f} ms   "
              f"bare Bolt p50 {pct(bare_side, .5):6.1f} ms  p99 {pct(bare_side, .99):6.1f} ms   "
              f"p50 ratio {statistics.median(bot_side) / statistics.median(bare_side):.2f}x")
    print(f"CPU per request, the ack and all work after it: bot {cpu_bot / len(ours) * 1000:.1f} ms, "
          f"bare Bolt {cpu_bare / len(bare) * 1000:.1f} ms")
    print(f"notes burst: 100 notes in {seconds:.2f} s; chat.update calls on the board: {len(updates)} per 100 notes; "
          f"at most {max_per_second(updates)} in any one second")
    print(f"board matched the database {consistent_after:.2f} s after the last ack")
    expired = sum(1 for call in opens if call.response.get("error") == "expired_trigger_id")
    print(f"modals (Add note, ballot) opened: {sum(1 for call in opens if call.response.get('ok'))} of 100, "
          f"{expired} too late (trigger_id older than 3 s); each Slack API call took {SLACK_LATENCY * 1000:.0f} ms")


if __name__ == "__main__":
    if sys.argv[1:2] == ["--bare"]:
        serve_bare(int(sys.argv[2]), sys.argv[3])
    else:
        main()
