"""Odd envelopes over Socket Mode get what odd requests get over HTTP (tests/test_hostile_requests.py):
checked by bot.payload_shape before Bolt reads them, acknowledged (Slack does not deliver them
again), one warning line each, never a traceback; the bot keeps answering."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

import pytest

from bot.empathy import ids as empathy_ids
from tests.harness import Bot
from tests.slack_fake import payloads


def _without(body: dict[str, Any], *keys: str) -> dict[str, Any]:
    return {k: v for k, v in body.items() if k not in keys}


def _button() -> dict[str, Any]:
    return payloads.block_actions(empathy_ids.JOIN, value="1", user="U0ANA", channel="C0WORKSHOP",
                                  message_ts="1700000000.000100")


def _reply() -> dict[str, Any]:
    return payloads.event_callback(payloads.message_event("It is slow", user="U0BEN", channel="C0WORKSHOP",
                                                          channel_type="channel", thread_ts="1700000000.000100"))


def _note() -> dict[str, Any]:
    return payloads.view_submission(empathy_ids.NOTE_MODAL, {empathy_ids.NOTE_TEXT_BLOCK: {"value": "hi"}},
                                    private_metadata="1", user="U0ANA", view_id="V0001")


ODD: dict[str, tuple[str, Callable[[], Any]]] = {
    "payload null": ("interactive", lambda: None),
    "payload a list": ("interactive", lambda: [_button()]),
    "a button without a user": ("interactive", lambda: _without(_button(), "user")),
    "a user id that is a number": ("interactive", lambda: {**_button(), "user": {"id": 7}}),
    "actions an object": ("interactive", lambda: {**_button(), "actions": {"0": _button()["actions"][0]}}),
    "a view without a type": ("interactive", lambda: {**_note(), "view": _without(_note()["view"], "type")}),
    "a type that is a list": ("interactive", lambda: {**_button(), "type": ["block_actions"]}),
    "event null": ("events_api", lambda: {**_reply(), "event": None}),
    "an event type that is an object": ("events_api", lambda: {**_reply(), "event": {**_reply()["event"],
                                                                                      "type": {"a": 1}}}),
    "a message without a channel": ("events_api", lambda: {**_reply(), "event": _without(_reply()["event"],
                                                                                          "channel")}),
    "a command without a user": ("slash_commands", lambda: _without(payloads.slash_command("/empathy", "help"),
                                                                     "user_id")),
    "a command of type null": ("slash_commands", lambda: {**payloads.slash_command("/empathy", "help"),
                                                          "command": None}),
}


@pytest.mark.parametrize("case", list(ODD))
def test_an_odd_socket_mode_envelope_is_acked_with_one_warning_and_no_traceback(
        bot: Bot, case: str, caplog: pytest.LogCaptureFixture) -> None:
    socket = bot.connect_socket_mode()
    kind, build = ODD[case]
    caplog.set_level(logging.INFO)
    caplog.clear()

    envelope = socket.send(kind, build(), accepts_response_payload=kind == "slash_commands")
    assert "payload" not in socket.wait_for_ack(envelope)
    bot.settle()
    assert [r.getMessage() for r in caplog.records if r.exc_info] == []
    assert len([r for r in caplog.records if r.levelno >= logging.WARNING]) == 1, caplog.text
    answer = socket.wait_for_ack(socket.send_command(payloads.slash_command("/empathy", "help")))
    assert "/empathy start" in answer["payload"]["text"], "the bot keeps answering"
