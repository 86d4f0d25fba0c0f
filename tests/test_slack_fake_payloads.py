"""The local Slack's signed HTTP client and request payloads, checked against Bolt and
slack_sdk: a signed request reaches a Bolt app, the signature is the one slack_sdk verifies, the
payloads have Slack's shapes, and message timestamps keep Slack's form."""

from __future__ import annotations

import itertools
import threading
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
from slack_bolt import App, BoltRequest
from slack_sdk import WebClient
from slack_sdk.signature import SignatureVerifier

from tests.slack_fake import FakeSlack, SlackHttpClient, payloads

SECRET = "s3cr3t"


@pytest.fixture
def fake() -> Iterator[FakeSlack]:
    with FakeSlack() as running:
        yield running


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
