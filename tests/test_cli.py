"""The `workshop-bot` command as an admin runs it: a real process, real signals, the local Slack."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import inspect

from bot.scopes import BOT_SCOPES
from storage.db import make_engine
from tests.harness import BOT_TOKEN, SIGNING_SECRET
from tests.real_process import cli, free_port, healthy, slack_env, start, stop
from tests.slack_fake import FakeSlack, FakeSocketMode, SlackHttpClient, payloads


def test_run_without_tokens_explains_how_to_set_up_and_exits_2(tmp_path: Path) -> None:
    result = cli(tmp_path, "run")

    assert result.returncode == 2
    assert "SLACK_BOT_TOKEN" in result.stderr and "SLACK_APP_TOKEN" in result.stderr
    assert "manifest.yml" in result.stderr
    assert "Traceback" not in result.stderr


def test_http_mode_needs_the_signing_secret(tmp_path: Path) -> None:
    result = cli(tmp_path, "run", "--http", SLACK_BOT_TOKEN=BOT_TOKEN)

    assert result.returncode == 2
    assert "SLACK_SIGNING_SECRET" in result.stderr and "Traceback" not in result.stderr


def test_rejected_token_is_reported_without_a_traceback(tmp_path: Path, slack: FakeSlack) -> None:
    slack.valid_tokens = {"xoxb-some-other-token"}
    result = cli(tmp_path, "run", **slack_env(slack))

    assert result.returncode == 2
    assert "invalid_auth" in result.stderr and "Traceback" not in result.stderr


def test_db_upgrade_creates_the_schema(tmp_path: Path) -> None:
    result = cli(tmp_path, "db", "upgrade")

    assert result.returncode == 0, result.stderr
    assert "revision" in result.stdout
    engine = make_engine(f"sqlite:///{tmp_path}/workshop.db")
    assert {"empathy_session", "persona", "review", "conversation"} <= set(inspect(engine).get_table_names())
    engine.dispose()


def test_doctor_passes_when_everything_is_in_place(tmp_path: Path, slack: FakeSlack) -> None:
    slack.granted_scopes = sorted(BOT_SCOPES)
    socket_mode = FakeSocketMode().start()
    slack.attach_socket_mode(socket_mode)
    assert cli(tmp_path, "db", "upgrade").returncode == 0

    result = cli(tmp_path, "doctor", **slack_env(slack))
    socket_mode.stop()

    assert result.returncode == 0, result.stdout + result.stderr
    assert "FAIL" not in result.stdout
    for name in ("bot token", "scopes", "app token", "signing secret", "database", "migrations"):
        assert f"[pass] {name}" in result.stdout


def test_doctor_lists_each_failure_and_exits_1(tmp_path: Path, slack: FakeSlack) -> None:
    slack.granted_scopes = ["chat:write", "commands"]

    result = cli(tmp_path, "doctor", **slack_env(slack))

    assert result.returncode == 1
    assert "[FAIL] scopes" in result.stdout and "users:read" in result.stdout
    assert "[pass] migrations: empty database: `workshop-bot run` creates the tables" in result.stdout, \
        "a fresh install is not a failure"
    assert "[pass] bot token" in result.stdout


def test_http_mode_serves_slack_and_health_then_stops_cleanly_on_sigterm(
    tmp_path: Path, slack: FakeSlack, running: list[subprocess.Popen[str]]
) -> None:
    process, answer = _http_bot_answering_help(running, tmp_path, slack)
    assert answer.status == 200 and "/empathy start" in answer.json()["text"]

    code, stderr = stop(process)
    assert code == 0, stderr
    assert "Traceback" not in stderr


def test_socket_mode_connects_and_stops_cleanly_on_sigterm(
    tmp_path: Path, slack: FakeSlack, running: list[subprocess.Popen[str]]
) -> None:
    socket_mode = FakeSocketMode().start()
    slack.attach_socket_mode(socket_mode)
    try:
        process = start(running, tmp_path, "run", **slack_env(slack))
        socket_mode.wait_connected(timeout=30)
        envelope = socket_mode.send_command(payloads.slash_command("/empathy", "help"))
        assert "/empathy start" in socket_mode.wait_for_ack(envelope, timeout=10)["payload"]["text"]

        code, stderr = stop(process)
        assert code == 0, stderr
        assert "Traceback" not in stderr
    finally:
        socket_mode.stop()


def test_run_with_an_app_token_slack_refuses_says_which_and_what_to_do(tmp_path: Path, slack: FakeSlack) -> None:
    slack.valid_tokens = {BOT_TOKEN}  # the bot token works; the app token was revoked
    result = cli(tmp_path, "run", **slack_env(slack))

    assert result.returncode == 2, result.stderr
    assert "SLACK_APP_TOKEN" in result.stderr and "invalid_auth" in result.stderr
    assert "App-Level Tokens" in result.stderr and "connections:write" in result.stderr
    assert "Traceback" not in result.stderr and " ERROR " not in result.stderr


def test_run_with_a_bot_token_as_app_token_says_it_is_the_wrong_kind(tmp_path: Path, slack: FakeSlack) -> None:
    result = cli(tmp_path, "run", **{**slack_env(slack), "SLACK_APP_TOKEN": BOT_TOKEN})

    assert result.returncode == 2, result.stderr
    assert "not_allowed_token_type" in result.stderr and "starts with xoxb-" in result.stderr
    assert BOT_TOKEN not in result.stderr, "never print a secret"
    assert "Traceback" not in result.stderr


def test_doctor_checks_the_app_token_even_without_a_bot_token(tmp_path: Path, slack: FakeSlack) -> None:
    slack.valid_tokens = {BOT_TOKEN}
    env = slack_env(slack)
    del env["SLACK_BOT_TOKEN"]

    result = cli(tmp_path, "doctor", **env)

    assert result.returncode == 1
    assert "[FAIL] bot token: SLACK_BOT_TOKEN is not set" in result.stdout
    assert "[FAIL] app token: apps.connections.open said invalid_auth" in result.stdout
    assert "SLACK_APP_TOKEN" in result.stdout and "None" not in result.stdout


def test_doctor_says_when_it_could_not_check_scopes_and_checks_the_secret_without_a_bot_token(
    tmp_path: Path, slack: FakeSlack
) -> None:
    slack.granted_scopes = None
    assert "[pass] scopes: could not check" in cli(tmp_path, "doctor", **slack_env(slack)).stdout

    env = {**slack_env(slack), "SLACK_SIGNING_SECRET": "xoxb-pasted-the-wrong-thing"}
    del env["SLACK_BOT_TOKEN"]
    result = cli(tmp_path, "doctor", **env)
    assert "[FAIL] bot token" in result.stdout
    assert "[FAIL] signing secret: SLACK_SIGNING_SECRET does not look like one" in result.stdout


def test_doctor_names_an_http_failure_instead_of_none(tmp_path: Path, slack: FakeSlack) -> None:
    slack.break_next("apps.connections.open", status=500)

    result = cli(tmp_path, "doctor", **slack_env(slack))

    assert "[pass] bot token" in result.stdout
    assert "[FAIL] app token: apps.connections.open said HTTP 500" in result.stdout
    assert "None" not in result.stdout


def test_socket_mode_run_is_back_after_a_dropped_connection_with_one_info_line(
    tmp_path: Path, slack: FakeSlack, running: list[subprocess.Popen[str]]
) -> None:
    socket_mode = FakeSocketMode().start()
    slack.attach_socket_mode(socket_mode)
    try:
        process = start(running, tmp_path, "run", **slack_env(slack))
        socket_mode.wait_connected(timeout=30)
        socket_mode.drop("plain_close")  # a proxy closing TCP without a WebSocket close frame
        socket_mode.wait_connected(timeout=5, count=2)
        envelope = socket_mode.send_command(payloads.slash_command("/empathy", "help"))
        assert "/empathy start" in socket_mode.wait_for_ack(envelope, timeout=3)["payload"]["text"]

        code, stderr = stop(process)
        assert code == 0, stderr
        assert stderr.count("INFO workshop_bot.socket_mode: connected to Slack in Socket Mode") == 1, stderr
        assert stderr.count("INFO workshop_bot.socket_mode: reconnected to Slack") == 1, stderr
        assert " ERROR " not in stderr and "Traceback" not in stderr, stderr
    finally:
        socket_mode.stop()


@pytest.mark.skipif(not hasattr(os, "sched_getaffinity") or len(os.sched_getaffinity(0)) < 2,
                    reason="needs a system that can keep a process on one of several CPUs")
def test_one_cpu_keeps_every_thread_of_the_running_bot_on_one_cpu(
    tmp_path: Path, slack: FakeSlack, running: list[subprocess.Popen[str]]
) -> None:
    process, answer = _http_bot_answering_help(running, tmp_path, slack, ONE_CPU="true", LOG_LEVEL="INFO")
    cpus = {_allowed_cpus(process.pid, thread) for thread in os.listdir(f"/proc/{process.pid}/task")}
    code, stderr = stop(process)

    assert answer.status == 200 and "/empathy start" in answer.json()["text"]
    assert len(cpus) == 1 and len(next(iter(cpus)).split(",")) == 1 and "-" not in next(iter(cpus)), cpus
    assert "(ONE_CPU)" in stderr and code == 0, stderr


def _http_bot_answering_help(running: list[subprocess.Popen[str]], tmp_path: Path, slack: FakeSlack,
                             **env: str) -> tuple[subprocess.Popen[str], Any]:
    """`workshop-bot run --http` started, healthy, and asked `/empathy help` once."""
    port = free_port()
    process = start(running, tmp_path, "run", "--http", "--host", "127.0.0.1", "--port", str(port),
                    **slack_env(slack), **env)
    healthy(port)
    return process, SlackHttpClient(f"http://127.0.0.1:{port}/slack/events", SIGNING_SECRET).command(
        payloads.slash_command("/empathy", "help"))


def _allowed_cpus(pid: int, thread: str) -> str:
    status = Path(f"/proc/{pid}/task/{thread}/status").read_text()
    return next(line.split(":", 1)[1].strip() for line in status.splitlines() if line.startswith("Cpus_allowed_list"))
