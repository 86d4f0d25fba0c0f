"""The one `WebClient` the app uses, with Slack's rate-limit retries switched on.

slack_sdk's `RateLimitErrorRetryHandler` is off by default; Bolt copies `base_url` and
`retry_handlers` into every per-request client, so configuring it here covers all calls.
"""

from __future__ import annotations

from slack_sdk import WebClient
from slack_sdk.http_retry.builtin_handlers import RateLimitErrorRetryHandler

from bot.settings import Settings


def make_web_client(settings: Settings, *, token: str | None = None) -> WebClient:
    client = WebClient(
        token=token if token is not None else settings.slack_bot_token,
        base_url=settings.slack_api_url,
        timeout=15,
    )
    client.retry_handlers.append(RateLimitErrorRetryHandler(max_retry_count=3))
    return client
