"""`workshop-bot doctor`: a pass/fail list a person can act on, before anything goes wrong live."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from slack_sdk.errors import SlackApiError
from sqlalchemy import text

from bot.scopes import BOT_SCOPES
from bot.settings import Settings
from bot.slack_client import make_web_client
from bot.socket_mode import SocketModeRefused, open_connection_url, slack_error


@dataclass(frozen=True)
class Check:
    name: str
    ok: bool
    detail: str


def expected_scopes(manifest: Path = Path("manifest.yml")) -> tuple[set[str], str]:
    """Scopes from `manifest.yml` when it is here (a clone), else the ones the code ships with."""
    if manifest.is_file():
        import yaml

        data = yaml.safe_load(manifest.read_text())
        return set(data["oauth_config"]["scopes"]["bot"]), str(manifest)
    return set(BOT_SCOPES), "built-in scope list"


def run_checks(settings: Settings, *, manifest: Path = Path("manifest.yml")) -> list[Check]:
    return [*_slack_checks(settings, manifest), *_database_checks(settings)]


def _slack_checks(settings: Settings, manifest: Path) -> list[Check]:
    """The bot token (and its scopes), then the app token: each is checked whatever the other says."""
    return [*_bot_token_checks(settings, manifest), _app_token_check(settings), _signing_secret_check(settings)]


def _bot_token_checks(settings: Settings, manifest: Path) -> list[Check]:
    if not settings.slack_bot_token:
        return [Check("bot token", False, "SLACK_BOT_TOKEN is not set")]
    client = make_web_client(settings)
    try:
        auth = client.auth_test()
    except SlackApiError as exc:
        return [Check("bot token", False, f"auth.test said {slack_error(exc)}")]
    except OSError as exc:
        return [Check("bot token", False, f"cannot reach {settings.slack_api_url}: {exc}")]
    header = auth.headers.get("x-oauth-scopes")
    granted = {s.strip() for s in (header or "").split(",") if s.strip()}
    wanted, source = expected_scopes(manifest)
    missing = sorted(wanted - granted)
    identity = Check("bot token", True, f"bot {auth.get('user')} in team {auth.get('team')}")
    if header is None:
        return [identity, Check("scopes", True, "could not check: Slack's answer did not list the token's scopes")]
    return [
        identity,
        Check("scopes", not missing,
              f"all {len(wanted)} scopes of {source} granted" if not missing
              else f"missing {', '.join(missing)}: reinstall the app after updating it from {source}"),
    ]


def _app_token_check(settings: Settings) -> Check:
    """Socket Mode's token, asked the way `run` asks (apps.connections.open); HTTP mode needs none."""
    if not settings.slack_app_token:
        if settings.slack_signing_secret:
            return Check("app token", True, "not set: fine for HTTP mode (SLACK_SIGNING_SECRET is set)")
        return Check("app token", False,
                     "SLACK_APP_TOKEN (Socket Mode) or SLACK_SIGNING_SECRET (HTTP mode) is needed")
    try:
        open_connection_url(make_web_client(settings, token=""), settings.slack_app_token)
    except SocketModeRefused as exc:
        return Check("app token", False, f"{exc}: {exc.advice}")
    return Check("app token", True, "Socket Mode connections allowed")


def _signing_secret_check(settings: Settings) -> Check:
    """HTTP mode's secret: Slack's are 32 hex characters, so a pasted token or id is caught here."""
    secret = settings.slack_signing_secret
    if not secret:
        return Check("signing secret", True, "not set: fine for Socket Mode (HTTP mode needs SLACK_SIGNING_SECRET)")
    if len(secret) != 32 or any(c not in "0123456789abcdef" for c in secret.lower()):
        return Check("signing secret", False, "SLACK_SIGNING_SECRET does not look like one (32 hex characters, "
                                              "under Basic Information > App Credentials)")
    return Check("signing secret", True, "set, and shaped like Slack's")


def _database_checks(settings: Settings) -> list[Check]:
    from storage.db import make_engine, migration_state

    engine = make_engine(settings.database_url)
    try:
        with engine.connect() as connection:
            connection.execute(text("SELECT 1"))
        current, head = migration_state(engine)
    except Exception as exc:
        return [Check("database", False, f"cannot use {engine.url.render_as_string()}: {exc}")]
    finally:
        engine.dispose()
    return [
        Check("database", True, f"{engine.url.drivername} reachable"),
        _migrations(current, head),
    ]


def _migrations(current: str | None, head: str | None) -> Check:
    """An empty database is how every install starts, and `run` creates the tables: not a failure."""
    if current == head:
        return Check("migrations", True, f"at {current}")
    if current is None:
        return Check("migrations", True, f"empty database: `workshop-bot run` creates the tables (revision {head}), "
                                         "or `workshop-bot db upgrade` now")
    return Check("migrations", False, f"at {current}, code needs {head}: run `workshop-bot db upgrade` "
                                      "(`workshop-bot run` also applies them when it starts)")
