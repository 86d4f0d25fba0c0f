"""One review sweep in its own process: `python -m tests.governance_sweep_process DB_URL SLACK_URL NOW START_AT`.

The two-process test starts two of these against one PostgreSQL schema; both wait for the same
wall-clock instant (START_AT, epoch seconds) so their sweeps really overlap.
"""

from __future__ import annotations

import sys
import time
from datetime import datetime

from bot.app import build_app
from bot.scheduler import run_due_work
from bot.settings import Settings
from storage.db import make_engine
from tests.harness import FakeClock


def main(db_url: str, slack_url: str, now: str, start_at: str) -> None:
    settings = Settings(slack_bot_token="xoxb-test-token", slack_signing_secret="s", slack_api_url=slack_url,
                        database_url=db_url, _env_file=None)  # type: ignore[call-arg]
    engine = make_engine(db_url)
    app = build_app(settings, engine, clock=FakeClock(datetime.fromisoformat(now)))
    time.sleep(max(0.0, float(start_at) - time.time()))
    run_due_work(app.deps)  # type: ignore[attr-defined]
    engine.dispose()


if __name__ == "__main__":
    main(*sys.argv[1:5])
