"""Socket Mode, the default run mode: the one place that checks the app token and connects.

`workshop-bot run` and the test harness both call `connect_socket_mode`, so tests exercise
exactly what production runs.

Why Bolt's websocket-client adapter and not its default (`slack_sdk.socket_mode.builtin`):
the builtin client treats an empty `recv()` (the peer closed TCP without a WebSocket close
frame, as proxies, load balancers and crashed hosts do) as "no data yet" and spins on it,
one CPU core busy, until failed pings drop the connection about a minute later (upstream
python-slack-sdk #1246 fixed it, #1269 reverted the fix). websocket-client raises
`WebSocketConnectionClosedException` on an empty `recv()`, so its run loop ends, slack_sdk's
`on_close` fetches a new URL and the next connection is up within about half a second.
`socket_mode_client` makes Slack's `disconnect` and our own `close()` take that same path,
and replaces a connection that stops answering pings.

The app token is checked with `apps.connections.open` before anything connects: a token
Slack refuses is a person's job, said once in words (`SocketModeRefused`), not a traceback.
"""

from __future__ import annotations

from slack_bolt import App
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.socket_mode_client import PING_INTERVAL, PING_TIMEOUT, HangUpSocketModeHandler
from bot.socket_mode_log import LIBRARY_LOGGER, watch_connection

APP_TOKEN_PAGE = "https://api.slack.com/apps -> your app -> Basic Information -> App-Level Tokens"
# Answers of apps.connections.open that mean the token itself is wrong (revoked, of another
# kind, of another app, without its scope): retrying cannot help.
TOKEN_ERRORS = frozenset({
    "invalid_auth", "not_authed", "not_allowed_token_type", "token_revoked", "token_expired",
    "account_inactive", "missing_scope", "no_permission", "invalid_token",
})
OTHER_TOKEN_KINDS = {"xoxb-": "a bot token", "xoxp-": "a user token", "xoxe-": "a refresh token"}


class SocketModeRefused(Exception):
    """Slack would not open a Socket Mode connection; `advice` tells the operator what to do."""

    def __init__(self, error: str, advice: str) -> None:
        super().__init__(f"apps.connections.open said {error}")
        self.error = error
        self.advice = advice


def slack_error(exc: SlackApiError) -> str:
    """Slack's error code, or the HTTP status when the answer had none (never "None")."""
    response = exc.response
    return str(response.get("error") or f"HTTP {response.status_code}")


def app_token_advice(error: str, app_token: str) -> str:
    """What the operator should do about SLACK_APP_TOKEN after apps.connections.open said `error`."""
    create = f"Generate an app-level token with the scope connections:write at {APP_TOKEN_PAGE}"
    if error == "not_allowed_token_type" or not app_token.startswith("xapp-"):
        prefix = app_token[:5]
        kind = OTHER_TOKEN_KINDS.get(prefix, "not an app-level token")
        return (f"SLACK_APP_TOKEN holds {kind} (it starts with {prefix}), but Socket Mode needs the app's "
                f"app-level token (xapp-...). {create}, and set SLACK_APP_TOKEN to it.")
    if error == "missing_scope":
        return f"SLACK_APP_TOKEN lacks the scope connections:write. {create}, and set SLACK_APP_TOKEN to it."
    if error in TOKEN_ERRORS:
        return (f"SLACK_APP_TOKEN was revoked, or belongs to another app. {create}, "
                "and set SLACK_APP_TOKEN to it.")
    return ("Slack could not open a Socket Mode connection just now: try again in a minute, and check "
            "https://status.slack.com if it persists.")


def open_connection_url(client: WebClient, app_token: str) -> str:
    """A Socket Mode URL from `apps.connections.open`, or `SocketModeRefused` saying why not."""
    try:
        return str(client.apps_connections_open(app_token=app_token)["url"])
    except SlackApiError as exc:
        error = slack_error(exc)
        raise SocketModeRefused(error, app_token_advice(error, app_token)) from exc
    except OSError as exc:
        raise SocketModeRefused(
            f"nothing (cannot reach {client.base_url}: {exc})",
            "Check the network and SLACK_API_URL, then try again.",
        ) from exc


def connect_socket_mode(app: App, app_token: str, *, ping_interval: float = PING_INTERVAL,
                        ping_timeout: float = PING_TIMEOUT) -> HangUpSocketModeHandler:
    """Check the app token, then connect `app` over Socket Mode; reconnects happen on their own.

    Raises `SocketModeRefused` when Slack refuses the token. The first URL comes from our own
    check, so a refusal never reaches slack_sdk (which would log it as an ERROR first). The
    ping settings are Slack's to keep (tests shorten them to see a silent connection replaced).
    """
    url = open_connection_url(app.client, app_token)
    handler = HangUpSocketModeHandler(app, app_token, logger=LIBRARY_LOGGER, ping_interval=ping_interval,
                                      ping_timeout=ping_timeout)
    watch_connection(handler.client)
    handler.client.wss_uri = url
    handler.connect()
    return handler
