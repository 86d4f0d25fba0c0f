"""The local Slack's Socket Mode server, driven by slack_sdk's own Socket Mode client and by a
Bolt app over it: envelopes reach the app and its acks come back as Slack expects."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any

import pytest
from slack_bolt import App, BoltRequest
from slack_bolt.adapter.socket_mode import SocketModeHandler
from slack_sdk import WebClient
from slack_sdk.socket_mode.builtin import SocketModeClient
from slack_sdk.socket_mode.client import BaseSocketModeClient
from slack_sdk.socket_mode.request import SocketModeRequest
from slack_sdk.socket_mode.response import SocketModeResponse

from tests.slack_fake import FakeSlack, FakeSocketMode, payloads

SECRET = "s3cr3t"


@pytest.fixture
def fake() -> Iterator[FakeSlack]:
    with FakeSlack() as running:
        yield running



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
