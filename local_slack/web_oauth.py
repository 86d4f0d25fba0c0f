"""OAuth installs: `oauth.v2.access` as Slack answers it, one distinct bot token per workspace.

A test plays the person clicking "Allow" with `FakeSlack.approve_install(team_id)`, which
returns the `code` Slack would put in the redirect to the app's `/slack/oauth_redirect`; the
app exchanges it with `oauth.v2.access` (client id and secret in HTTP Basic auth, or in the
form, as Slack accepts both). A code works once and for ten minutes. Each token knows its
workspace, so `auth.test` answers with that workspace's ids and a call's token says which
workspace it was made for. `revoke(team_id)` is what uninstalling does to the tokens.
"""

from __future__ import annotations

import base64
import secrets
import threading
import time
from dataclasses import dataclass
from typing import Any

from .web_state import Answer, SlackError

CODE_SECONDS = 600


@dataclass(frozen=True)
class Grant:
    team_id: str
    team_name: str
    user_id: str
    scopes: str
    bot_user_id: str
    bot_id: str


class OAuthMethods:
    """Mixed into Workspace: client credentials, codes, and the tokens they became."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.oauth_client: tuple[str, str] | None = None  # (client_id, client_secret) Slack knows
        self.codes: dict[str, tuple[Grant, float]] = {}
        self.grants: dict[str, Grant] = {}  # bot token -> what it was granted for
        self.revoked: set[str] = set()

    def approve_install(self, team_id: str, *, team_name: str = "", user_id: str = "U0INSTALLER",
                        scopes: str = "") -> str:
        n = len(self.codes) + 1
        grant = Grant(team_id, team_name or f"Workspace {team_id}", user_id, scopes, f"UBOT{team_id}",
                      f"B{team_id}{n}")
        code = f"{n}.{secrets.token_hex(8)}"
        self.codes[code] = (grant, time.time())
        return code

    def tokens_of(self, team_id: str) -> set[str]:
        return {token for token, grant in self.grants.items() if grant.team_id == team_id}

    def team_of(self, token: str | None) -> str | None:
        grant = self.grants.get(token or "")
        return grant.team_id if grant else None

    def revoke(self, team_id: str) -> None:
        self.revoked |= self.tokens_of(team_id)

    def oauth_v2_access(self, args: dict[str, Any], authorization: str | None) -> Answer:
        client_id, client_secret = _credentials(args, authorization)
        if self.oauth_client is None or client_id != self.oauth_client[0]:
            raise SlackError("invalid_client_id")
        if client_secret != self.oauth_client[1]:
            raise SlackError("bad_client_secret")
        issued = self.codes.pop(str(args.get("code") or ""), None)
        if issued is None or time.time() - issued[1] > CODE_SECONDS:
            raise SlackError("invalid_code")
        grant = issued[0]
        token = f"xoxb-{grant.team_id}-{secrets.token_hex(6)}-{secrets.token_urlsafe(18)}"
        self.grants[token] = grant
        return {
            "access_token": token, "token_type": "bot", "scope": grant.scopes,
            "bot_user_id": grant.bot_user_id, "app_id": "A0001",
            "team": {"name": grant.team_name, "id": grant.team_id}, "enterprise": None,
            "authed_user": {"id": grant.user_id}, "is_enterprise_install": False,
        }

    def auth_for(self, token: str | None) -> Answer | None:
        """`auth.test`'s workspace fields for an OAuth token (None: the single-workspace defaults)."""
        grant = self.grants.get(token or "")
        if grant is None:
            return None
        return {"team": grant.team_name, "team_id": grant.team_id, "user_id": grant.bot_user_id,
                "bot_id": grant.bot_id}


def _credentials(args: dict[str, Any], authorization: str | None) -> tuple[str, str]:
    if authorization and authorization.lower().startswith("basic "):
        try:
            pair = base64.b64decode(authorization[6:].strip()).decode()
        except ValueError:
            return "", ""
        client_id, _, client_secret = pair.partition(":")
        return client_id, client_secret
    return str(args.get("client_id") or ""), str(args.get("client_secret") or "")


class OAuthControls:
    """FakeSlack's side of installs (mixed into FakeSlack): what a test scripts and reads."""

    _cond: threading.Condition
    workspace: Any

    def _oauth(self, args: dict[str, Any], authorization: str | None) -> tuple[int, dict[str, str], dict[str, Any]]:
        try:
            return 200, {}, {"ok": True, **self.workspace.oauth_v2_access(args, authorization)}
        except SlackError as exc:
            return 200, {}, {"ok": False, "error": exc.code}

    def accept_oauth_client(self, client_id: str, client_secret: str) -> None:
        """The app's credentials, as registered with Slack: `oauth.v2.access` checks them."""
        self.workspace.oauth_client = (client_id, client_secret)

    def approve_install(self, team_id: str, **grant: str) -> str:
        """A person in `team_id` clicked Allow: the `code` Slack puts in the redirect to the app."""
        with self._cond:
            return self.workspace.approve_install(team_id, **grant)

    def tokens_of(self, team_id: str) -> set[str]:
        with self._cond:
            return self.workspace.tokens_of(team_id)

    def team_of(self, token: str | None) -> str | None:
        with self._cond:
            return self.workspace.team_of(token)

    def revoke(self, team_id: str) -> None:
        """What uninstalling does to a workspace's tokens: Slack refuses them from now on."""
        with self._cond:
            self.workspace.revoke(team_id)

