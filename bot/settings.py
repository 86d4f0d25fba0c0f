"""The one typed reader of the environment (and `.env`).

Everything else receives a `Settings` object, so tests build one explicitly and nothing
reads `os.environ` behind their back.
"""

from __future__ import annotations

import logging
from collections.abc import MutableMapping
from pathlib import Path

from pydantic import ValidationError, ValidationInfo, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

DEFAULT_SLACK_API_URL = "https://slack.com/api/"


LOG_LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL")  # said in the error; Python's aliases work too


class Settings(BaseSettings):
    """Configuration, documented in README's configuration table."""

    # `SLACK_CLIENT_ID=` (an empty value, as templates and compose files leave them) means unset,
    # in the environment and in `.env` alike.
    model_config = SettingsConfigDict(env_file=".env", env_file_encoding="utf-8", extra="ignore",
                                      env_ignore_empty=True)

    slack_bot_token: str | None = None
    slack_app_token: str | None = None
    slack_signing_secret: str | None = None
    slack_client_id: str | None = None
    slack_client_secret: str | None = None
    token_encryption_key: str | None = None  # Fernet key(s), comma-separated: the first encrypts
    slack_api_url: str = DEFAULT_SLACK_API_URL
    database_url: str = "sqlite:///workshop.db"
    prompts_dir: Path | None = None
    default_timezone: str = "UTC"
    governance_channel: str | None = None
    log_level: str = "INFO"
    admin_user_ids: str = ""
    conversation_idle_minutes: int = 60
    review_cadence_days: int = 90
    escalate_after_days: int = 7
    nudge_hour: int = 10
    nudge_end_hour: int = 17
    digest_weekday: int = 0
    one_cpu: bool = False  # `run` keeps its threads on one CPU (see README, "Performance")

    @field_validator("*", mode="before")
    @classmethod
    def _empty_is_unset(cls, value: object, info: ValidationInfo) -> object:
        """An empty or blank value counts as unset, whoever passed it (environment, `.env`, a test)."""
        if isinstance(value, str) and not value.strip():
            default = cls.model_fields[info.field_name].default if info.field_name else None
            return default
        return value

    @field_validator("slack_api_url")
    @classmethod
    def _trailing_slash(cls, value: str) -> str:
        return value if value.endswith("/") else value + "/"

    @field_validator("log_level")
    @classmethod
    def _level_name(cls, value: str) -> str:
        level = value.strip().upper()
        if level not in logging.getLevelNamesMapping():  # WARN, FATAL and NOTSET included
            raise ValueError(f"must be one of {', '.join(LOG_LEVELS)}")
        return level

    @property
    def admins(self) -> frozenset[str]:
        """Workspace admins allowed to edit anything (comma-separated user ids in the environment)."""
        return frozenset(part.strip() for part in self.admin_user_ids.split(",") if part.strip())

    @property
    def oauth_enabled(self) -> bool:
        return bool(self.slack_client_id and self.slack_client_secret)

    def missing_for(self, mode: str) -> list[str]:
        """Names of the variables a run mode needs but lacks, so the CLI can say exactly what to set."""
        needed = {"socket": ["SLACK_BOT_TOKEN", "SLACK_APP_TOKEN"], "http": ["SLACK_SIGNING_SECRET"]}[mode]
        if mode == "http" and not self.oauth_enabled:
            needed = [*needed, "SLACK_BOT_TOKEN"]
        return [name for name in needed if not getattr(self, name.lower())]


def drop_empty_environment(environ: MutableMapping[str, str]) -> None:
    """Remove empty variables from the process environment, so libraries that read it themselves
    agree with `Settings`: Bolt switches to its own file-based OAuth store whenever
    `SLACK_CLIENT_ID` and `SLACK_CLIENT_SECRET` merely exist, even empty."""
    ours = {name.upper() for name in Settings.model_fields}
    for name in [name for name, value in environ.items()
                 if not value.strip() and (name.startswith("SLACK_") or name in ours)]:
        del environ[name]


def load_settings(**overrides: object) -> Settings:
    """Read settings; raise `SettingsError` with a readable message instead of a traceback."""
    try:
        return Settings(**overrides)  # type: ignore[arg-type]
    except ValidationError as exc:
        problems = "; ".join(f"{'.'.join(map(str, e['loc'])).upper()}: {e['msg']}" for e in exc.errors())
        raise SettingsError(problems) from exc


class SettingsError(Exception):
    """Configuration that cannot work; the message is meant for the person running the bot."""
