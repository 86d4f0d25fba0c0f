"""Tests of the Slack fake itself, driven by the real slack_sdk / Bolt clients.

If the fake drifts from what slack_sdk sends or expects, every scenario test built on it
becomes fiction; these pin its behaviour with the real clients, not hand-written requests.
"""

from __future__ import annotations

import itertools
import json
import threading
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import SimpleNamespace
from typing import Any

import pytest
from slack_bolt import App, BoltRequest
from slack_bolt.adapter.socket_mode import SocketModeHandler
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from slack_sdk.http_retry import builtin_handlers
from slack_sdk.http_retry.builtin_handlers import RateLimitErrorRetryHandler
from slack_sdk.signature import SignatureVerifier
from slack_sdk.socket_mode.builtin import SocketModeClient
from slack_sdk.socket_mode.client import BaseSocketModeClient
from slack_sdk.socket_mode.request import SocketModeRequest
from slack_sdk.socket_mode.response import SocketModeResponse

from tests.slack_fake import FakeSlack, FakeSocketMode, SlackHttpClient, payloads

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


@pytest.fixture
def socket_mode(fake: FakeSlack) -> Iterator[FakeSocketMode]:
    with FakeSocketMode() as running:
        fake.attach_socket_mode(running)
        yield running


def test_builtin_socket_mode_client_connects_and_acks(fake: FakeSlack, socket_mode: FakeSocketMode) -> None:
    client = SocketModeClient(
        app_token="xapp-test", web_client=WebClient(base_url=fake.base_url, token="xoxb")
    )

    def ack(c: BaseSocketModeClient, req: SocketModeRequest) -> None:
        c.send_socket_mode_response(
            SocketModeResponse(envelope_id=req.envelope_id, payload={"seen": req.type})
        )

    client.socket_mode_request_listeners.append(ack)
    try:
        client.connect()
        socket_mode.wait_connected()
        assert fake.last("apps.connections.open").token == "xapp-test"
        event = payloads.message_event("hi", user="U1", channel="DU1")
        envelope_id = socket_mode.send_event(payloads.event_callback(event))
        assert socket_mode.wait_for_ack(envelope_id)["payload"] == {"seen": "events_api"}
        assert 0 < socket_mode.ack_seconds[envelope_id] < 5
        socket_mode.disconnect()  # Slack's refresh: the client reconnects on its own
        socket_mode.wait_connected(count=2)
        assert len(fake.calls_to("apps.connections.open")) == 2
        assert socket_mode.wait_for_ack(socket_mode.send_event(payloads.event_callback(event)))
    finally:
        client.close()


def test_bolt_app_over_socket_mode(fake: FakeSlack, socket_mode: FakeSocketMode) -> None:
    app = App(client=WebClient(base_url=fake.base_url, token="xoxb-test"), signing_secret=SECRET)
    seen_retries: list[Sequence[str] | None] = []

    @app.event("message")
    def on_message(event: dict[str, Any], say: Any, request: BoltRequest) -> None:
        seen_retries.append(request.headers.get("x-slack-retry-num"))  # Bolt >= 1.29 copies it
        say(text=f"echo {event['text']}")

    @app.command("/workshop")
    def on_command(ack: Any, command: dict[str, str]) -> None:
        ack(text=f"got {command['text']}")

    handler = SocketModeHandler(app, "xapp-test")
    try:
        handler.connect()
        socket_mode.wait_connected()
        event = payloads.message_event("hi", user="U1", channel="DU1")
        socket_mode.send_event(payloads.event_callback(event), retry_attempt=1, retry_reason="timeout")
        posted = fake.wait_for("chat.postMessage")[0].args
        assert (posted["channel"], posted["text"]) == ("DU1", "echo hi")
        envelope_id = socket_mode.send_command(payloads.slash_command("/workshop", "start"))
        assert socket_mode.wait_for_ack(envelope_id)["payload"] == {"text": "got start"}
        assert seen_retries == [["1"]]
    finally:
        handler.close()


Handle = Callable[[str, dict[str, str]], tuple[int, dict[str, Sequence[str]], str]]


@contextmanager
def _serve(handle: Handle) -> Iterator[str]:
    """``handle(body, headers)`` over real HTTP on 127.0.0.1 (Bolt's dev server binds 0.0.0.0)."""

    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args: Any) -> None:
            pass

        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers["Content-Length"])).decode()
            status, headers, text = handle(body, {k.lower(): v for k, v in self.headers.items()})
            self.send_response(status)
            for key, values in headers.items():
                for value in values:
                    self.send_header(key, value)
            self.send_header("Content-Length", str(len(text.encode())))
            self.end_headers()
            self.wfile.write(text.encode())

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, args=(0.01,), daemon=True).start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/slack/events"
    finally:
        server.shutdown()
        server.server_close()


def _bolt(app: App) -> Handle:
    def handle(body: str, headers: dict[str, Any]) -> tuple[int, dict[str, Sequence[str]], str]:
        response = app.dispatch(BoltRequest(body=body, headers=dict(headers)))
        return response.status, response.headers, response.body

    return handle


def test_signed_http_requests_reach_bolt(fake: FakeSlack) -> None:
    app = App(client=WebClient(base_url=fake.base_url, token="xoxb-test"), signing_secret=SECRET)

    @app.view("feedback")
    def on_submit(ack: Any, view: dict[str, Any]) -> None:
        values = view["state"]["values"]
        ack(response_action="errors", errors={"b": values["b"]["a"]["value"] + values["c"]["d"]["value"]})

    @app.action("go")
    def on_go(ack: Any, respond: Any) -> None:
        ack()
        respond(text="done")

    with _serve(_bolt(app)) as url:
        http = SlackHttpClient(url, SECRET)
        assert http.url_verification("xyz").json() == {"challenge": "xyz"}
        submitted = http.interactive(payloads.view_submission("feedback", {"b": {"a": "hi"}, "c": {"d": 2}}))
        assert submitted.json() == {"response_action": "errors", "errors": {"b": "hi2"}}
        assert http.interactive(payloads.block_actions("go", response_url=fake.response_url())).status == 200
        assert fake.wait_for("response_url")[0].args["text"] == "done"
        assert http.command(payloads.slash_command("/x"), bad_signature=True).status == 401
        assert http.command(payloads.slash_command("/x"), timestamp=1_600_000_000).status == 401
        assert http.command({}, raw_body="%%garbage").status == 404  # signed, but no listener
        assert submitted.seconds > 0


def test_signature_matches_slack_sdk_verifier() -> None:
    captured: list[tuple[dict[str, str], str]] = []

    def capture(body: str, headers: dict[str, str]) -> tuple[int, dict[str, Sequence[str]], str]:
        captured.append((headers, body))
        return 200, {}, ""

    with _serve(capture) as url:
        http = SlackHttpClient(url, SECRET)
        http.command(payloads.slash_command("/workshop", "a b&c"))
        http.event(payloads.event_callback({"type": "app_mention"}), retry_num=2)
        http.interactive(payloads.global_shortcut("new"), bad_signature=True)
    verifier = SignatureVerifier(SECRET)
    valid = [verifier.is_valid_request(body, headers) for headers, body in captured]
    assert valid == [True, True, False]
    assert captured[1][0]["x-slack-retry-num"] == "2"
    assert captured[1][0]["x-slack-retry-reason"] == "http_timeout"
    assert "text=a+b%26c" in captured[0][1]


def test_payload_shapes() -> None:
    submission = payloads.view_submission(
        "cb",
        {
            "a": {"x": "text", "n": 3, "c": ["one", "two"]},
            "b": {"s": payloads.input_static_select("v1"), "u": payloads.input_users_select("U9")},
        },
        private_metadata="meta",
    )
    values = submission["view"]["state"]["values"]
    assert values["a"]["x"] == {"type": "plain_text_input", "value": "text"}
    assert values["a"]["n"] == {"type": "number_input", "value": "3"}
    assert [o["value"] for o in values["a"]["c"]["selected_options"]] == ["one", "two"]
    assert values["b"]["s"]["selected_option"]["value"] == "v1"
    assert values["b"]["u"]["selected_user"] == "U9"
    assert submission["view"]["private_metadata"] == "meta"
    in_message = payloads.block_actions("go", value="1", message_ts="1.2", message_text="hi")
    assert in_message["container"]["message_ts"] == "1.2" and in_message["message"]["text"] == "hi"
    in_view = payloads.block_actions("go", view=submission["view"])
    assert "channel" not in in_view and in_view["container"] == {"type": "view", "view_id": "V0001"}
    assert payloads.new_ts() < payloads.new_ts()


def test_message_timestamps_always_increase_and_keep_slacks_shape() -> None:
    stamps = [payloads.new_ts() for _ in range(100_000)]
    as_ints = [tuple(int(part) for part in ts.split(".")) for ts in stamps]
    assert all(a < b for a, b in itertools.pairwise(as_ints))
    assert all(len(ts.split(".")[1]) == 6 for ts in stamps[:100])
