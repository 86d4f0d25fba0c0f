"""Tests of the Slack fake itself, driven by the real slack_sdk / Bolt clients.

If the fake drifts from what slack_sdk sends or expects, every scenario test built on it
becomes fiction; these pin its behaviour with the real clients, not hand-written requests.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from types import SimpleNamespace
from typing import Any

import pytest
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from slack_sdk.http_retry import builtin_handlers
from slack_sdk.http_retry.builtin_handlers import RateLimitErrorRetryHandler

from tests.slack_fake import FakeSlack

SECRET = "s3cr3t"
SECTION = {"type": "section", "text": {"type": "mrkdwn", "text": "hello"}}


@pytest.fixture
def fake() -> Iterator[FakeSlack]:
    with FakeSlack() as running:
        yield running


@pytest.fixture
def client(fake: FakeSlack) -> WebClient:
    return WebClient(base_url=fake.base_url, token="xoxb-test")


def test_post_message_is_answered_and_recorded(fake: FakeSlack, client: WebClient) -> None:
    first = client.chat_postMessage(channel="C1", text="hi", blocks=[SECTION])
    second = client.chat_postMessage(channel="C1", text="again", thread_ts=first["ts"])
    assert first["ok"] and first["channel"] == "C1" and first["message"]["blocks"] == [SECTION]
    assert float(second["ts"]) > float(first["ts"]) and second["message"]["thread_ts"] == first["ts"]
    call = fake.last("chat.postMessage")
    assert (call.token, call.args["text"], call.status) == ("xoxb-test", "again", 200)
    assert [c.method for c in fake.wait_for("chat.postMessage", count=2)] == ["chat.postMessage"] * 2
    fake.assert_no_block_kit_errors()


def test_form_encoded_json_fields_are_decoded(fake: FakeSlack, client: WebClient) -> None:
    params = {"channel": "C1", "text": "t", "blocks": json.dumps([SECTION])}
    client.api_call("chat.postMessage", params=params)  # form body, blocks as a JSON string
    assert fake.last("chat.postMessage").args["blocks"] == [SECTION]


@pytest.mark.parametrize(
    ("blocks", "error"),
    [
        ([{"type": "divider"}] * 51, "invalid_blocks"),
        ([{"type": "section", "text": {"type": "mrkdwn", "text": "x" * 3001}}], "invalid_blocks"),
        ([{"type": "no_such_block"}], "invalid_blocks"),
        ([{"type": "section", "fields": [{"type": "mrkdwn", "text": "x" * 2001}]}], "invalid_blocks"),
        ([{"type": "actions", "elements": [{"type": "buttn", "action_id": "a"}]}], "invalid_blocks"),
        ([{"type": "section", "text": {"type": "mrkdwn", "text": "x" * 2900}}] * 5, "msg_blocks_too_long"),
    ],
)
def test_invalid_blocks_are_rejected(fake: FakeSlack, client: WebClient, blocks: Any, error: str) -> None:
    with pytest.raises(SlackApiError) as raised:
        client.chat_postMessage(channel="C1", text="t", blocks=blocks)
    assert raised.value.response["error"] == error
    assert fake.block_kit_errors
    with pytest.raises(AssertionError):
        fake.assert_no_block_kit_errors()


def test_views_are_validated_and_keep_their_id(fake: FakeSlack, client: WebClient) -> None:
    modal = {"type": "modal", "title": {"type": "plain_text", "text": "Workshop"}, "blocks": [SECTION]}
    opened = client.views_open(trigger_id="t", view=modal)["view"]
    updated = client.views_update(view_id=opened["id"], view=modal)["view"]
    assert opened["id"].startswith("V") and updated["id"] == opened["id"] and updated["hash"]
    home = client.views_publish(user_id="U1", view={"type": "home", "blocks": []})["view"]
    assert client.views_publish(user_id="U1", view={"type": "home", "blocks": []})["view"]["id"] == home["id"]
    fake.assert_no_block_kit_errors()
    too_long = {**modal, "title": {"type": "plain_text", "text": "x" * 25}}
    with pytest.raises(SlackApiError) as raised:
        client.views_open(trigger_id="t", view=too_long)
    assert raised.value.response["error"] == "invalid_arguments"
    with pytest.raises(SlackApiError):
        client.views_push(trigger_id="t", view={**modal, "blocks": [{"type": "nope"}]})
    assert len(fake.block_kit_errors) == 2


def test_rate_limit_is_retried_by_the_retry_handler(fake: FakeSlack, monkeypatch: pytest.MonkeyPatch) -> None:
    sleeps: list[float] = []
    # The handler sleeps Retry-After + random jitter (< 1 s); record it instead of waiting.
    monkeypatch.setattr(builtin_handlers, "time", SimpleNamespace(sleep=sleeps.append))
    retrying = WebClient(
        base_url=fake.base_url, token="xoxb", retry_handlers=[RateLimitErrorRetryHandler(max_retry_count=1)]
    )
    fake.rate_limit_next("chat.postMessage", retry_after=3)
    assert retrying.chat_postMessage(channel="C1", text="hi")["ok"]
    assert [c.status for c in fake.calls_to("chat.postMessage")] == [429, 200]
    assert 3 <= sleeps[0] < 4
    assert fake.calls[0].response == {"ok": False, "error": "ratelimited"}


def test_rate_limit_retry_without_patching(fake: FakeSlack) -> None:
    handler = RateLimitErrorRetryHandler(max_retry_count=1)
    retrying = WebClient(base_url=fake.base_url, token="xoxb", retry_handlers=[handler])
    fake.rate_limit_next("users.info", retry_after=0)  # real sleep: 0 s + jitter < 1 s
    assert retrying.users_info(user="U1")["ok"]
    fake.rate_limit_next("users.info", retry_after=7)
    with pytest.raises(SlackApiError) as raised:
        WebClient(base_url=fake.base_url, token="xoxb").users_info(user="U1")
    assert raised.value.response.status_code == 429
    assert raised.value.response.headers["Retry-After"] == "7"


def test_fail_next_then_recover(fake: FakeSlack, client: WebClient) -> None:
    fake.fail_next("chat.update", error="message_not_found", times=2)
    for _ in range(2):
        with pytest.raises(SlackApiError, match="message_not_found"):
            client.chat_update(channel="C1", ts="1.2", text="x")
    assert client.chat_update(channel="C1", ts="1.2", text="x")["text"] == "x"
    assert len(fake.calls_to("chat.update")) == 3


def test_files_upload_v2_stores_bytes(fake: FakeSlack, client: WebClient) -> None:
    result = client.files_upload_v2(content=b"\x89PNG...", filename="x.png", channel="C1", title="Map")
    file_id = result["file"]["id"]
    assert fake.uploads[file_id] == b"\x89PNG..."
    assert result["file"]["title"] == "Map"
    assert fake.last("files.completeUploadExternal").args["channel_id"] == "C1"


def test_directory_methods(fake: FakeSlack, client: WebClient) -> None:
    fake.users["U2"] = {"real_name": "Ana", "tz": "America/New_York"}
    fake.users["U3"] = None
    user = client.users_info(user="U2")["user"]
    assert user["real_name"] == "Ana" and user["tz_offset"] in (-18000, -14400)
    assert client.users_info(user="U1")["user"]["tz"] == "Europe/London"
    with pytest.raises(SlackApiError, match="user_not_found"):
        client.users_info(user="U3")
    assert client.conversations_open(users="U1")["channel"]["id"] == "DU1"
    fake.channels["C9"] = {"is_member": False}
    with pytest.raises(SlackApiError, match="not_in_channel"):
        client.chat_postMessage(channel="C9", text="x")
    client.conversations_join(channel="C9")
    assert client.chat_postMessage(channel="C9", text="x")["ok"]
    assert "archives/C9/p" in client.chat_getPermalink(channel="C9", message_ts="1.000002")["permalink"]
    client.reactions_add(channel="C9", timestamp="1.2", name="tada")
    with pytest.raises(SlackApiError, match="already_reacted"):
        client.reactions_add(channel="C9", timestamp="1.2", name="tada")
    with pytest.raises(SlackApiError, match="unknown_method"):
        client.api_call("conversations.kick_everyone", params={"channel": "C9"})
    assert client.conversations_members(channel="C9")["members"] == ["UBOT"]
    fake.override("conversations.members", {"members": ["U1"]})
    assert client.conversations_members(channel="C9")["members"] == ["U1"]
    with pytest.raises(SlackApiError, match="not_authed"):
        WebClient(base_url=fake.base_url).auth_test()
    fake.granted_scopes[:] = ["chat:write", "commands"]
    assert client.auth_test().headers["x-oauth-scopes"] == "chat:write,commands"


def test_wait_for_reports_what_was_seen(fake: FakeSlack, client: WebClient) -> None:
    client.auth_test()
    with pytest.raises(AssertionError, match=r"auth\.test"):
        fake.wait_for("chat.postMessage", timeout=0.05)
