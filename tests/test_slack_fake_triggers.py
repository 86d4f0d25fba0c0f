"""The local Slack judges a trigger_id as Slack does: by its age when the views.open arrives.

The burst benchmark counts modals opened late from these answers, so a call that merely waited
for the fake's own lock (other calls being answered) must not be counted against the bot.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator

import pytest
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from local_slack.ids import trigger_id
from tests.slack_fake import FakeSlack

VIEW = {"type": "modal", "title": {"type": "plain_text", "text": "Hi"},
        "blocks": [{"type": "section", "text": {"type": "mrkdwn", "text": "hello"}}]}


@pytest.fixture
def fake() -> Iterator[FakeSlack]:
    with FakeSlack() as running:
        yield running


def test_an_old_trigger_id_is_refused_as_expired(fake: FakeSlack) -> None:
    fake.workspace.trigger_ttl = 3.0
    stale = f"{int((time.time() - 4) * 1000)}000.1000000001.{'ab' * 16}"
    with pytest.raises(SlackApiError) as refused:
        WebClient(base_url=fake.base_url, token="xoxb-test").views_open(trigger_id=stale, view=VIEW)
    assert refused.value.response["error"] == "expired_trigger_id"
    assert [c.response.get("error") for c in fake.calls] == ["expired_trigger_id"]


def test_a_call_that_arrived_in_time_opens_though_slack_was_busy(fake: FakeSlack) -> None:
    fake.workspace.trigger_ttl = 0.3
    fresh = trigger_id()
    answered = threading.Event()
    opened: list[bool] = []

    def open_view() -> None:
        opened.append(WebClient(base_url=fake.base_url, token="xoxb-test").views_open(
            trigger_id=fresh, view=VIEW)["ok"])
        answered.set()

    with fake._cond:  # the fake busy answering other calls for longer than the trigger lives
        threading.Thread(target=open_view).start()
        assert not answered.wait(0.6)
    assert answered.wait(5) and opened == [True]
