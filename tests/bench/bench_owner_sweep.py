"""Benchmark: the review sweep against a slow Slack (run by hand, prints figures; asserts nothing).

    python tests/bench/bench_owner_sweep.py           # sample of the old way: 100 reviews, extrapolated
    python tests/bench/bench_owner_sweep.py --full    # the old way over all 1,000 (about 4 minutes)

1,000 due reviews across 100 owners (10 each), the local Slack answering every call after 200 ms.
The sweep as built (one DM per owner listing their due items, owners' DMs side by side on the
app's executor, a few per workspace) against the old way measured in the same run: one DM per
review, one at a time, through a bare slack_sdk WebClient (users.info once per owner, then
chat.postMessage per review), which is what the sweep did before.
"""

from __future__ import annotations

import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from bot.app import build_app
from bot.governance import nudges
from bot.scheduler import run_due_work
from bot.slack_client import make_web_client
from tests.bench.bench_review_sweep import NOW, OWNERS, populate, sqlite_engine
from tests.harness import FakeClock, make_settings
from tests.slack_fake import FakeSlack

DUE = 1_000
LATENCY = 0.2


def peak_in_flight(calls: list) -> int:
    """Most Slack calls under way at once (from when each reached the fake to when it answered)."""
    edges = sorted([(c.received, 1) for c in calls] + [(c.time, -1) for c in calls])
    peak = now = 0
    for _, step in edges:
        now += step
        peak = max(peak, now)
    return peak


def sweep_as_built(directory: str) -> None:
    engine = sqlite_engine(directory, "built")
    populate(engine, stored=DUE, due=DUE)
    with FakeSlack() as slack:
        slack.latency = LATENCY
        app = build_app(make_settings(slack), engine, clock=FakeClock(NOW))
        t0 = time.perf_counter()
        run_due_work(app.deps)  # type: ignore[attr-defined]
        elapsed = time.perf_counter() - t0
        app.deps.stop()  # type: ignore[attr-defined]
        posts = [c for c in slack.calls_to("chat.postMessage") if c.response.get("ok")]
        listed = sum(len((c.args.get("metadata") or {}).get("event_payload", {}).get("review_ids") or [1])
                     for c in posts if isinstance(c.args.get("metadata"), dict))
        print(f"as built:   {DUE:,} due across {OWNERS} owners, Slack at {LATENCY * 1000:.0f} ms/call: "
              f"{elapsed:6.1f} s, {len(posts)} DMs (listing {listed} items, the rest on Home), "
              f"{len(slack.calls)} Slack calls, at most {peak_in_flight(slack.calls)} at once "
              f"(bounds: {nudges.SEND_AT_ONCE} in all, {nudges.PER_WORKSPACE} per workspace)", flush=True)
    engine.dispose()


def one_at_a_time(reviews: int) -> float:
    """The old way, bare: users.info per new owner, one chat.postMessage per review, in a row."""
    with FakeSlack() as slack:
        slack.latency = LATENCY
        client = make_web_client(make_settings(slack))
        seen: set[str] = set()
        t0 = time.perf_counter()
        for i in range(1, reviews + 1):
            owner = f"U{(i - 1) % (reviews // 10):05d}"  # 10 reviews per owner, as in the sweep
            if owner not in seen:
                seen.add(owner)
                client.users_info(user=owner)
            client.chat_postMessage(channel=owner, text=f"Time to review Persona {i}")
        elapsed = time.perf_counter() - t0
        print(f"old way:    {reviews:,} reviews across {len(seen)} owners, one DM each, in a row: {elapsed:6.1f} s, "
              f"{len(slack.calls)} Slack calls", flush=True)
    return elapsed


def main() -> None:
    with tempfile.TemporaryDirectory() as directory:
        sweep_as_built(directory)
    if "--full" in sys.argv:
        one_at_a_time(DUE)
    else:
        sample = one_at_a_time(DUE // 10)
        print(f"old way:    {DUE:,} reviews extrapolated from the sample: about {sample * 10:.0f} s "
              f"(--full measures it)", flush=True)


if __name__ == "__main__":
    main()
