"""Web API clients: one per workspace, with Slack's rate-limit retries switched on.

slack_sdk's `RateLimitErrorRetryHandler` is off by default; Bolt copies `base_url` and
`retry_handlers` into every per-request client, so configuring it here covers all calls.
Work outside a request (timers, the outbox, nudges) asks `SlackClients.client_for(team_id)`:
with one bot token that is the app's client; with OAuth it is built from the workspace's
installation (looked up through the installation store's cache), kept while the token stays the
same, and forgotten when the app is uninstalled or Slack says the token is gone.
"""

from __future__ import annotations

import logging
import threading
from typing import Any

from slack_sdk import WebClient
from slack_sdk.http_retry.builtin_handlers import RateLimitErrorRetryHandler
from slack_sdk.oauth.installation_store import InstallationStore

from bot.settings import Settings


def make_web_client(settings: Settings, *, token: str | None = None) -> WebClient:
    client = WebClient(
        token=token if token is not None else settings.slack_bot_token,
        base_url=settings.slack_api_url,
        timeout=15,
        logger=_web_api_logger(settings.log_level),
    )
    client.retry_handlers.append(RateLimitErrorRetryHandler(max_retry_count=3))
    return client


def _web_api_logger(level: str) -> logging.Logger:
    """slack_sdk writes its debug line for every call (the request's whole JSON, a 60 kB ballot
    view, and the answer) whenever its logger's *own* level is unset, and only then does logging
    drop it: a sixth of the CPU of opening a ballot. Its level is the app's, set where every
    client is made (Bolt's per-request clients share this logger; it is one per process, so the
    last app built sets it), and LOG_LEVEL=DEBUG still shows those lines."""
    logger = logging.getLogger("slack_sdk.web.base_client")
    logger.setLevel(level)
    return logger


class NotInstalled(LookupError):
    """No installation (any more) for this workspace: its scheduled work is dropped quietly."""


# Slack's answers meaning "this token no longer works": the workspace may have uninstalled the app.
TOKEN_GONE = frozenset({"invalid_auth", "token_revoked", "account_inactive", "not_authed", "team_access_revoked"})


class SlackClients:
    def __init__(self, settings: Settings, default: WebClient,
                 installations: InstallationStore | None = None) -> None:
        self.settings = settings
        self.default = default
        self.installations = installations
        self._by_team: dict[str, WebClient] = {}
        self._lock = threading.Lock()

    @property
    def many_workspaces(self) -> bool:
        return self.installations is not None

    def client_for(self, team_id: str) -> WebClient:
        """`team_id`'s client; NotInstalled when the workspace has no installation (any more)."""
        if self.installations is None:
            return self.default
        bot = self.installations.find_bot(enterprise_id=None, team_id=team_id)  # cached by the store
        if bot is None or not bot.bot_token:
            self._drop(team_id)
            raise NotInstalled(team_id)
        with self._lock:
            client = self._by_team.get(team_id)
            if client is None or client.token != bot.bot_token:  # first use, or installed again
                client = self._by_team[team_id] = make_web_client(self.settings, token=bot.bot_token)
            return client

    def forget(self, team_id: str) -> None:
        """Look the workspace up afresh next time (uninstalled, or its token was refused)."""
        self._drop(team_id)
        forget: Any = getattr(self.installations, "forget", None)
        if forget is not None:
            forget(team_id)

    def still_installed(self, team_id: str, error: str | None) -> bool:
        """After Slack refused a call with `error`: False when that was because the workspace is
        gone (its work then ends quietly), True when the installation is still there."""
        if self.installations is None or error not in TOKEN_GONE:
            return True
        self.forget(team_id)
        try:
            self.client_for(team_id)
        except NotInstalled:
            return False
        return True

    def _drop(self, team_id: str) -> None:
        with self._lock:
            self._by_team.pop(team_id, None)
