"""Configuration for many workspaces: empty variables are unset, the token key is required and
explained, and rotating it keeps every installation readable."""

from __future__ import annotations

import logging
import subprocess
from pathlib import Path

import pytest
from cryptography.fernet import Fernet
from sqlalchemy import text
from sqlalchemy.engine import Engine

from bot.app import build_app
from bot.installations import reencrypt_tokens
from bot.settings import Settings, SettingsError
from bot.slack_client import make_web_client
from tests.harness import CLIENT_ID, CLIENT_SECRET, SIGNING_SECRET, Bot, FakeClock, make_settings
from tests.real_process import cli, free_port, healthy, slack_env, start, stop
from tests.slack_fake import FakeSlack, SlackHttpClient, payloads

OAUTH_ENV = {"SLACK_CLIENT_ID": CLIENT_ID, "SLACK_CLIENT_SECRET": CLIENT_SECRET, "SLACK_SIGNING_SECRET": "s"}


def test_empty_variables_count_as_unset(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("SLACK_CLIENT_ID", "SLACK_CLIENT_SECRET", "SLACK_BOT_TOKEN", "TOKEN_ENCRYPTION_KEY",
                 "SLACK_API_URL", "LOG_LEVEL", "DATABASE_URL"):
        monkeypatch.setenv(name, "")
    monkeypatch.setenv("SLACK_SIGNING_SECRET", "  ")

    settings = Settings(_env_file=None)  # type: ignore[call-arg]

    assert not settings.oauth_enabled
    assert settings.slack_bot_token is None and settings.slack_signing_secret is None
    assert settings.slack_api_url == "https://slack.com/api/" and settings.log_level == "INFO"
    assert settings.missing_for("http") == ["SLACK_SIGNING_SECRET", "SLACK_BOT_TOKEN"]


def test_an_unknown_log_level_is_refused_in_plain_words(tmp_path: Path, slack: FakeSlack) -> None:
    result = cli(tmp_path, "doctor", **slack_env(slack), LOG_LEVEL="verbose")

    assert result.returncode != 0 and "Traceback" not in result.stderr, result.stderr
    assert "LOG_LEVEL" in result.stderr and "DEBUG, INFO, WARNING, ERROR, CRITICAL" in result.stderr
    assert [make_settings(slack, log_level=name).log_level for name in ("warn", " Debug ", "fatal")] == \
        ["WARN", "DEBUG", "FATAL"], "Python's own names keep working"


def test_slack_sdk_builds_its_debug_lines_only_at_debug(slack: FakeSlack, caplog: pytest.LogCaptureFixture) -> None:
    """slack_sdk formats each request's whole JSON whenever its logger's own level is unset
    (a 60 kB ballot view per modal): the Web API client's logger has the app's level."""
    quiet = make_web_client(make_settings(slack, log_level="info"))
    quiet.auth_test()
    assert quiet.logger.level == logging.INFO
    assert not [r for r in caplog.records if r.name == "slack_sdk.web.base_client"]

    caplog.set_level(logging.DEBUG)
    loud = make_web_client(make_settings(slack, log_level="debug"))
    loud.auth_test()
    assert any("Sending a request" in r.getMessage() for r in caplog.records
               if r.name == "slack_sdk.web.base_client")


def test_an_empty_client_id_keeps_the_one_token_bot_working(
        tmp_path: Path, slack: FakeSlack, running: list[subprocess.Popen[str]]) -> None:
    """Bolt alone would see SLACK_CLIENT_ID and SLACK_CLIENT_SECRET (empty) and switch to its file
    store, where no workspace is installed: every request would be refused."""
    port = free_port()
    process = start(running, tmp_path, "run", "--http", "--host", "127.0.0.1", "--port", str(port),
                    **slack_env(slack), SLACK_CLIENT_ID="", SLACK_CLIENT_SECRET="", HOME=str(tmp_path))
    healthy(port)
    answer = SlackHttpClient(f"http://127.0.0.1:{port}/slack/events", SIGNING_SECRET).command(
        payloads.slash_command("/empathy", "help"))
    code, stderr = stop(process)

    assert answer.status == 200 and "/empathy start" in answer.json()["text"], answer.body_text
    assert code == 0 and "Traceback" not in stderr and " ERROR " not in stderr, stderr
    assert not (tmp_path / ".bolt-app-installation").exists()


def test_bolt_reading_client_credentials_behind_the_settings_is_refused(
        slack: FakeSlack, engine: Engine, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SLACK_CLIENT_ID", "")
    monkeypatch.setenv("SLACK_CLIENT_SECRET", "")

    with pytest.raises(SettingsError, match="set both"):
        build_app(make_settings(slack), engine)


def test_oauth_without_a_key_exits_2_and_says_how_to_make_one(tmp_path: Path) -> None:
    result = cli(tmp_path, "run", "--http", **OAUTH_ENV, TOKEN_ENCRYPTION_KEY="")

    assert result.returncode == 2
    assert "TOKEN_ENCRYPTION_KEY is not set" in result.stderr and "Fernet.generate_key()" in result.stderr
    assert "Traceback" not in result.stderr


def test_a_key_that_is_not_a_fernet_key_exits_2(tmp_path: Path) -> None:
    result = cli(tmp_path, "run", "--http", **OAUTH_ENV, TOKEN_ENCRYPTION_KEY="hunter2")

    assert result.returncode == 2
    assert "Fernet keys" in result.stderr and "Fernet.generate_key()" in result.stderr
    assert "Traceback" not in result.stderr


def test_rotating_the_key_keeps_every_installation(slack: FakeSlack, any_engine: Engine, clock: FakeClock) -> None:
    old, new = Fernet.generate_key().decode(), Fernet.generate_key().decode()
    slack.accept_oauth_client(CLIENT_ID, CLIENT_SECRET)
    oauth = {"slack_client_id": CLIENT_ID, "slack_client_secret": CLIENT_SECRET, "slack_bot_token": None}
    bot = Bot(slack=slack, engine=any_engine, clock=clock, token_encryption_key=old, **oauth)
    try:
        token = bot.install("T0ALPHA")
    finally:
        bot.close()

    assert reencrypt_tokens(make_settings(slack, token_encryption_key=f"{new},{old}"), any_engine) == 2
    with any_engine.connect() as connection:
        stored = connection.execute(text("SELECT bot_token FROM slack_bots")).scalar_one()
    assert Fernet(new.encode()).decrypt(stored.encode()).decode() == token
    bot = Bot(slack=slack, engine=any_engine, clock=clock, token_encryption_key=new, **oauth)
    try:
        assert bot.deps.client_for("T0ALPHA").token == token, "the old key can go once tokens are rewritten"
    finally:
        bot.close()
