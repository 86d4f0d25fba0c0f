"""The bot as Slack reaches it: signed HTTP requests and Socket Mode envelopes, good and bad.

Each round trip is the real one: a slash command opens a modal (views.open), the modal is
submitted (view_submission), and the bot posts to the channel (chat.postMessage).
"""

from __future__ import annotations

import json
import logging
import time
import urllib.request
from typing import Any

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from bot.empathy import ids
from storage.models import EmpathySession, ProcessedEvent
from tests.harness import Bot, FakeClock, eventually
from tests.slack_fake import FakeSlack, payloads


def _start_form(subject: str = "New admins") -> dict[str, Any]:
    return {
        ids.SUBJECT_BLOCK: {"value": subject},
        ids.GOAL_BLOCK: {"value": "Learn why setup stalls"},
        ids.DURATION_BLOCK: {"value": payloads.input_number(30)},
        ids.CANVAS_BLOCK: {"value": payloads.input_static_select("classic")},
        ids.OPTIONS_BLOCK: {"value": payloads.input_checkboxes(["anonymous"])},
        ids.VOTES_BLOCK: {"value": payloads.input_number(5)},
    }


def _sessions(bot: Bot) -> list[EmpathySession]:
    with Session(bot.engine) as db:
        return list(db.exec(select(EmpathySession)))


def _board_posts(slack: FakeSlack, channel: str) -> list[dict[str, Any]]:
    return [c.args for c in slack.calls_to("chat.postMessage") if c.args.get("channel") == channel]


def test_slash_command_modal_submission_and_board_over_http(bot: Bot, slack: FakeSlack) -> None:
    command = bot.http.command(payloads.slash_command("/empathy", "start", channel="C0GROWTH"))
    assert command.status == 200

    opened = slack.wait_for("views.open")[0].args
    view = opened["view"] if isinstance(opened["view"], dict) else json.loads(opened["view"])
    assert view["callback_id"] == ids.START_MODAL
    assert view["private_metadata"] == "C0GROWTH"

    submitted = bot.http.interactive(
        payloads.view_submission(ids.START_MODAL, _start_form(), private_metadata="C0GROWTH")
    )
    assert submitted.status == 200
    slack.wait_for("chat.postMessage")
    post = _board_posts(slack, "C0GROWTH")[0]
    assert "New admins" in json.dumps(post["blocks"])
    [stored] = eventually(lambda: [s for s in _sessions(bot) if s.board_ts])
    assert stored.channel_id == "C0GROWTH" and stored.anonymous and stored.board_ts


def test_the_same_round_trip_over_socket_mode(bot: Bot, slack: FakeSlack) -> None:
    socket = bot.connect_socket_mode()

    envelope = socket.send_command(payloads.slash_command("/empathy", "start", channel="C0SOCKET"))
    socket.wait_for_ack(envelope)
    slack.wait_for("views.open")

    envelope = socket.send_interactive(
        payloads.view_submission(ids.START_MODAL, _start_form("Night nurses"), private_metadata="C0SOCKET")
    )
    ack = socket.wait_for_ack(envelope)
    assert not ack.get("payload"), "a valid submission closes the modal (empty ack)"
    slack.wait_for("chat.postMessage")
    assert "Night nurses" in json.dumps(_board_posts(slack, "C0SOCKET")[0]["blocks"])
    assert [s.subject for s in _sessions(bot)] == ["Night nurses"]


def test_invalid_submission_gets_inline_errors_and_creates_nothing(bot: Bot, slack: FakeSlack) -> None:
    form = _start_form("")
    form[ids.DURATION_BLOCK] = {"value": payloads.input_number(500)}
    answer = bot.http.interactive(payloads.view_submission(ids.START_MODAL, form, private_metadata="C1"))

    assert answer.status == 200
    body = answer.json()
    assert body["response_action"] == "errors"
    assert set(body["errors"]) == {ids.SUBJECT_BLOCK, ids.DURATION_BLOCK}
    assert _sessions(bot) == []
    assert slack.calls_to("chat.postMessage") == []


def test_wrong_or_stale_signature_is_refused_and_changes_nothing(bot: Bot, slack: FakeSlack) -> None:
    form = payloads.slash_command("/empathy", "start")

    assert bot.http.command(form, bad_signature=True).status == 401
    assert bot.http.command(form, timestamp=int(time.time()) - 6 * 60).status == 401
    submission = payloads.view_submission(ids.START_MODAL, _start_form(), private_metadata="C1")
    assert bot.http.interactive(submission, bad_signature=True).status == 401

    assert slack.calls == []
    assert _sessions(bot) == []


def test_malformed_json_gets_400_and_the_bot_keeps_serving(bot: Bot) -> None:
    json_type, form_type = "application/json", "application/x-www-form-urlencoded"
    assert bot.http.post(b'{"type": "event_callback", ', json_type).status == 400
    assert bot.http.post(b"payload=%7Bnot+json", form_type).status == 400
    assert bot.http.post(b"{oops", json_type, bad_signature=True).status == 401

    assert bot.http.command(payloads.slash_command("/empathy", "help")).status == 200


def test_unknown_button_gets_a_polite_ephemeral_answer(bot: Bot, slack: FakeSlack) -> None:
    action = payloads.block_actions("retired_button_from_2025", value="x", message_ts="1700000000.000100",
                                    response_url=slack.response_url("actions"))
    assert bot.http.interactive(action).status == 200

    [reply] = slack.wait_for("response_url")
    assert reply.args["response_type"] == "ephemeral"
    assert "no longer active" in reply.args["text"]


def test_an_unreachable_response_url_is_a_warning_not_an_unhandled_error(
        bot: Bot, slack: FakeSlack, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.WARNING)
    action = payloads.block_actions("retired_button_from_2025", value="x", message_ts="1700000000.000100",
                                    response_url="http://127.0.0.1:9/gone")
    assert bot.http.interactive(action).status == 200
    eventually(lambda: any("could not tell" in r.getMessage() for r in caplog.records))
    ours = [r for r in caplog.records if r.name.startswith(("bot", "workshop_bot"))]
    assert [r.getMessage() for r in ours if r.levelno >= logging.ERROR] == []


def test_redelivered_event_is_processed_once(bot: Bot, slack: FakeSlack) -> None:
    callback = payloads.event_callback(payloads.app_home_opened("U0042"))

    first = bot.http.event(callback)
    again = bot.http.event(callback, retry_num=1, retry_reason="http_timeout")
    assert (first.status, again.status) == (200, 200)

    slack.wait_for("views.publish")
    time.sleep(0.2)  # a second publish, if the redelivery were processed, would land by now
    assert len(slack.calls_to("views.publish")) == 1
    with Session(bot.engine) as db:
        assert len(list(db.exec(select(ProcessedEvent)))) == 1


def test_slack_rate_limit_is_retried_after_retry_after(bot: Bot, slack: FakeSlack) -> None:
    slack.rate_limit_next("views.open", retry_after=1)
    bot.http.command(payloads.slash_command("/empathy", "start"))

    calls = slack.wait_for("views.open", count=2, timeout=8)
    assert [c.status for c in calls] == [429, 200]


def test_help_lists_what_the_bot_can_do(bot: Bot, slack: FakeSlack) -> None:
    for text in ("", "help", "frobnicate"):
        answer = bot.http.command(payloads.slash_command("/empathy", text))
        assert answer.status == 200
        body = answer.json()
        assert body["response_type"] == "ephemeral"
        assert "/empathy start" in body["text"]
    assert "frobnicate" in body["text"]


def test_oauth_install_route_is_served_when_oauth_is_configured(
    slack: FakeSlack, engine: Engine, clock: FakeClock
) -> None:
    bot = Bot(slack=slack, engine=engine, clock=clock, slack_client_id="111.222", slack_client_secret="shh")
    try:
        with urllib.request.urlopen(f"{bot.url}/slack/install", timeout=5) as reply:
            page = reply.read().decode()
        assert reply.status == 200
        assert "https://slack.com/oauth/v2/authorize?state=" in page and "client_id=111.222" in page
        with urllib.request.urlopen(f"{bot.url}/healthz", timeout=5) as reply:
            assert reply.read() == b"ok"
    finally:
        bot.close()
