"""Web API clients: one per workspace, with Slack's rate-limit retries switched on.

slack_sdk's `RateLimitErrorRetryHandler` is off by default; Bolt copies `base_url` and
`retry_handlers` into every per-request client, so configuring it here covers all calls.
Work outside a request (timers, the outbox, nudges) asks `SlackClients.client_for(team_id)`:
with one bot token that is the app's client; with OAuth it is built from the workspace's
installation, once, and forgotten when the app is uninstalled or its tokens are revoked.
"""

from __future__ import annotations

import threading

from slack_sdk import WebClient
from slack_sdk.http_retry.builtin_handlers import RateLimitErrorRetryHandler
from slack_sdk.oauth.installation_store import InstallationStore

from bot.settings import Settings


def make_web_client(settings: Settings, *, token: str | None = None) -> WebClient:
    client = WebClient(
        token=token if token is not None else settings.slack_bot_token,
        base_url=settings.slack_api_url,
        timeout=15,
    )
    client.retry_handlers.append(RateLimitErrorRetryHandler(max_retry_count=3))
    return client


class NotInstalled(LookupError):
    """No installation (any more) for this workspace: its scheduled work is dropped quietly."""


class SlackClients:
    def __init__(self, settings: Settings, default: WebClient,
                 installations: InstallationStore | None = None) -> None:
        self.settings = settings
        self.default = default
        self.installations = installations
        self._by_team: dict[str, WebClient] = {}
        self._lock = threading.Lock()

    def client_for(self, team_id: str) -> WebClient:
        if self.installations is None:
            return self.default
        with self._lock:
            client = self._by_team.get(team_id)
        if client is not None:
            return client
        bot = self.installations.find_bot(enterprise_id=None, team_id=team_id)
        if bot is None or not bot.bot_token:
            raise NotInstalled(team_id)
        client = make_web_client(self.settings, token=bot.bot_token)
        with self._lock:
            self._by_team[team_id] = client
        return client

    def forget(self, team_id: str) -> None:
        with self._lock:
            self._by_team.pop(team_id, None)
