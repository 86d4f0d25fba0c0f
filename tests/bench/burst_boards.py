"""When did each board show what the database holds? Read back from what reached the fake Slack.

The expected board is rendered here, from the database, by the bot's own `board.render` once the
burst is acked (every write is committed by then); it is compared with each `chat.update` the
fake received, without the phase line (its "minutes left" follows the clock, not the data).
"""

from __future__ import annotations

import json
import time
from collections import defaultdict
from datetime import UTC, datetime
from types import SimpleNamespace
from typing import Any

from sqlalchemy.engine import Engine
from sqlmodel import Session

from bot.empathy import board
from prompts import Prompts
from storage import empathy as store
from tests.bench.burst_rooms import Room
from tests.slack_fake import FakeSlack
from tests.test_empathy_support import as_dict

PHASE_BLOCK = 2  # header, goal, *phase*, counts, ...
Blocks = list[dict[str, Any]]


class _Now:
    def now(self) -> datetime:
        return datetime.now(UTC)


def _comparable(blocks: Any) -> str:
    shown = [b for i, b in enumerate(as_dict(blocks)) if i != PHASE_BLOCK]
    return json.dumps(shown, sort_keys=True)


def expected_boards(engine: Engine, prompts: Prompts, rooms: list[Room]) -> dict[str, str]:
    """Board ts -> the board the database says (comparable form)."""
    deps = SimpleNamespace(prompts=prompts, clock=_Now())
    out = {}
    with Session(engine) as db:
        for w in rooms:
            session = store.get_session(db, team_id=w.team, session_id=w.session_id)
            out[w.board_ts] = _comparable(board.render(deps, db, session))  # type: ignore[arg-type]
    return out


def wait_in_sync(slack: FakeSlack, rooms: list[Room], expected: dict[str, str], *, since: int,
                 acked: float, timeout: float = 60.0) -> float:
    """Seconds from `acked` (the last ack) until the last board showed `expected`, by when the
    matching chat.update reached the fake Slack; 0 for a board that needed none; inf on timeout."""
    synced: dict[str, float] = {}
    deadline = time.monotonic() + timeout
    while len(synced) < len(rooms) and time.monotonic() < deadline:
        for w in rooms:
            if w.board_ts in synced or _comparable(w.board()) != expected[w.board_ts]:
                continue
            matching = [c.received for c in slack.calls[since:] if c.method == "chat.update"
                        and c.args.get("ts") == w.board_ts and _comparable(c.args["blocks"]) == expected[w.board_ts]]
            synced[w.board_ts] = max(0.0, min(matching, default=acked) - acked)
        time.sleep(0.05)
    return max(synced.values()) if len(synced) == len(rooms) else float("inf")


def updates_per_board(slack: FakeSlack, rooms: list[Room], since: int) -> dict[str, list[float]]:
    """When each board's chat.update calls reached the fake Slack."""
    boards = {w.board_ts for w in rooms}
    times: dict[str, list[float]] = defaultdict(list)
    for call in slack.calls[since:]:
        if call.method == "chat.update" and call.args.get("ts") in boards:
            times[call.args["ts"]].append(call.received)
    return times
