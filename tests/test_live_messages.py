"""Live messages (boards, cards) share their workspace's chat.update budget and all catch up.

The budget is made small and fast here (3 at once, then 10 a second) so the test runs in a
fraction of a second of real time; the logic is the one that paces 40 a minute in production.
"""

from __future__ import annotations

import pytest

from bot import live_messages
from bot.live_messages import Update
from tests.harness import Bot
from tests.slack_fake import FakeSlack


@pytest.fixture
def small_budget(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(live_messages, "BURST", 3)
    monkeypatch.setattr(live_messages, "PER_MINUTE", 600)


def test_more_boards_than_the_budget_all_show_their_latest_state(
    bot: Bot, slack: FakeSlack, small_budget: None
) -> None:
    client = bot.deps.client
    posted = [client.chat_postMessage(channel="C0ROOM", text=f"board {i}")["ts"] for i in range(8)]
    state = {ts: 0 for ts in posted}

    def render(ts: str) -> list[Update]:
        text = f"board {ts} at {state[ts]}"
        return [Update("C0ROOM", ts, [{"type": "section", "text": {"type": "mrkdwn", "text": text}}], text)]

    for round_ in range(1, 4):  # every board changes three times, faster than the budget allows
        for ts in posted:
            state[ts] = round_
            bot.deps.live.refresh("T0001", f"board:{ts}", lambda ts=ts: render(ts))
    bot.settle()
    assert all(slack.messages[("C0ROOM", ts)]["text"] == f"board {ts} at 3" for ts in posted)
    updates = slack.calls_to("chat.update")
    assert 8 <= len(updates) < 24, "changes coalesce: never one update per change"
