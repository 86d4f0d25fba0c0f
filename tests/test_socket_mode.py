"""Socket Mode losing Slack and getting it back: every way a connection ends, and a refused token.

The bot connects with `bot.socket_mode.connect_socket_mode`, exactly as `workshop-bot run` does,
to the local Socket Mode server, which then ends the connection as a network would (see
`DropKind`). The bot must be back within 5 s, use under 1 s of CPU meanwhile (slack_sdk's
builtin client spun a whole core for about a minute on a plain TCP close), answer the next
envelope, and tell the operator in one INFO line, with no ERROR for a routine reconnect.
"""

from __future__ import annotations

import logging
import time

import pytest

from bot.socket_mode import SocketModeRefused, connect_socket_mode
from tests.harness import BOT_TOKEN, Bot
from tests.slack_fake import FakeSlack, FakeSocketMode, payloads
from tests.slack_fake.socket_mode import DROP_KINDS, DropKind

RECONNECT_WITHIN = 5.0  # seconds: slash commands and buttons fail for users meanwhile
CPU_WHILE_AWAY = 1.0  # seconds of process CPU between the drop and the new connection
# The bot's side of the connection: websocket-client, slack_sdk's adapter client, and ours.
CONNECTION_LOGGERS = ("websocket", "slack_sdk.socket_mode.websocket_client", "workshop_bot.socket_mode")
REASONS: dict[DropKind, str] = {
    "reset": "connection reset",
    "plain_close": "closed without a WebSocket close frame",
    "close_frame": "closed by Slack, code 1001",
    "disconnect": "Slack asked to reconnect: refresh_requested",
}


def _help_is_answered(socket: FakeSocketMode) -> None:
    envelope = socket.send_command(payloads.slash_command("/empathy", "help"))
    assert "/empathy start" in socket.wait_for_ack(envelope, timeout=3)["payload"]["text"]


@pytest.mark.parametrize("how", DROP_KINDS)
def test_a_dropped_connection_is_back_within_seconds_with_one_info_line(
    bot: Bot, how: DropKind, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO)
    socket = bot.connect_socket_mode()
    # websocket-client sets its logger to the root level it saw at import (INFO under `run`)
    # whenever slack_sdk opens a client, so it is set here, after that.
    caplog.set_level(logging.INFO, logger="websocket")
    _help_is_answered(socket)
    connections = socket.connection_count
    caplog.clear()

    cpu_before = time.process_time()
    socket.drop(how)
    socket.wait_connected(timeout=RECONNECT_WITHIN, count=connections + 1)
    cpu = time.process_time() - cpu_before
    assert socket.dropped_at is not None
    away = socket.connected_at[-1] - socket.dropped_at
    _help_is_answered(socket)  # the new connection carries envelopes (and the client has opened it)

    print(f"{how}: reconnected in {away:.3f} s, {cpu:.3f} s CPU")
    assert away < RECONNECT_WITHIN
    assert cpu < CPU_WHILE_AWAY
    assert [r.getMessage() for r in caplog.records if r.levelno >= logging.ERROR] == []
    reconnects = [r for r in caplog.records if "reconnected to Slack" in r.getMessage()]
    assert len(reconnects) == 1, [r.getMessage() for r in caplog.records]
    connection_lines = [r for r in caplog.records if r.name in CONNECTION_LOGGERS and r.levelno >= logging.INFO]
    assert connection_lines == reconnects, "one line per reconnect, not the libraries' steps too"
    assert reconnects[0].levelno == logging.INFO and reconnects[0].name == "workshop_bot.socket_mode"
    assert REASONS[how] in reconnects[0].getMessage()
    assert socket.connected and len(socket._connections) == 1, "the old connection is gone"


def test_two_drops_in_a_row_are_each_recovered(bot: Bot, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO)
    socket = bot.connect_socket_mode()
    for count, how in enumerate(("plain_close", "reset"), start=2):
        socket.drop(how)
        socket.wait_connected(timeout=RECONNECT_WITHIN, count=count)
        _help_is_answered(socket)
    assert len([r for r in caplog.records if "reconnected to Slack" in r.getMessage()]) == 2
    assert [r.getMessage() for r in caplog.records if r.levelno >= logging.ERROR] == []


def test_an_app_token_slack_refuses_is_explained_before_connecting(
    bot: Bot, slack: FakeSlack, caplog: pytest.LogCaptureFixture
) -> None:
    socket = FakeSocketMode().start()
    slack.attach_socket_mode(socket)
    slack.valid_tokens = {BOT_TOKEN}  # a revoked app token
    try:
        with pytest.raises(SocketModeRefused) as refused:
            connect_socket_mode(bot.app, "xapp-revoked")
        assert refused.value.error == "invalid_auth"
        assert "SLACK_APP_TOKEN" in refused.value.advice and "App-Level Tokens" in refused.value.advice

        slack.valid_tokens = None
        with pytest.raises(SocketModeRefused) as wrong_kind:
            connect_socket_mode(bot.app, BOT_TOKEN)  # a bot token pasted into SLACK_APP_TOKEN
        assert wrong_kind.value.error == "not_allowed_token_type"
        assert "xoxb-" in wrong_kind.value.advice and BOT_TOKEN not in wrong_kind.value.advice
        assert socket.connection_count == 0
        assert [r.getMessage() for r in caplog.records if r.levelno >= logging.ERROR] == []
    finally:
        socket.stop()


def test_a_connection_still_opening_is_left_to_open(bot: Bot) -> None:
    """slack_sdk's monitor reconnects, on its tick, a session without a socket. One made a moment
    ago has none yet (its thread opens it at its next poll, up to 0.5 s later): replacing it
    closed the connection while it opened, and the envelope Slack sent on it was never acked."""
    socket = bot.connect_socket_mode()
    _help_is_answered(socket)
    client = bot.socket_client
    client.connect()  # as a reconnect does: a new session, whose socket is not open yet
    opening = client.current_session
    client._monitor_current_session()  # the monitor's tick, at that moment
    assert client.current_session is opening
    socket.wait_connected(count=2)
    _help_is_answered(socket)
    assert socket.connection_count == 2


def test_a_connection_that_falls_silent_is_replaced_after_a_missed_pong(
    bot: Bot, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO)
    socket = bot.connect_socket_mode(ping_interval=0.5, ping_timeout=0.25)  # production: 10 s and 5 s
    _help_is_answered(socket)
    caplog.clear()

    cpu_before = time.process_time()
    socket.fall_silent()
    socket.wait_connected(timeout=RECONNECT_WITHIN, count=2)
    cpu = time.process_time() - cpu_before
    assert socket.dropped_at is not None
    away = socket.connected_at[-1] - socket.dropped_at
    _help_is_answered(socket)

    print(f"silent: reconnected in {away:.3f} s, {cpu:.3f} s CPU")
    assert away < RECONNECT_WITHIN and cpu < CPU_WHILE_AWAY
    assert [r.getMessage() for r in caplog.records if r.levelno >= logging.ERROR] == []
    [reconnect] = [r for r in caplog.records if "reconnected to Slack" in r.getMessage()]
    assert "no answer to a ping" in reconnect.getMessage()
