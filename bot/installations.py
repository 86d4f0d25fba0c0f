"""OAuth (many workspaces): slack_sdk's SQLAlchemy stores in the bot's own database.

Their tables belong to slack_sdk (`slack_installations`, `slack_bots`, `slack_oauth_states`)
and are created by it, outside our Alembic migrations. Tokens in them are encrypted
(bot.token_crypto). Lookups are cached in memory by slack_sdk's `CacheableInstallationStore`,
with an expiry added: with several replicas, an install or uninstall handled by one reaches
the others' caches within `CACHE_SECONDS` (and at once where a Slack answer says the token is
gone, see `SlackClients.still_installed`).
"""

from __future__ import annotations

import logging
import os
import threading
import time
from typing import Any

from slack_bolt.authorization.authorize import InstallationStoreAuthorize
from slack_bolt.oauth.oauth_settings import OAuthSettings
from slack_sdk.oauth.installation_store import Bot, Installation
from slack_sdk.oauth.installation_store.cacheable_installation_store import CacheableInstallationStore
from slack_sdk.oauth.installation_store.sqlalchemy import SQLAlchemyInstallationStore
from slack_sdk.oauth.state_store.sqlalchemy import SQLAlchemyOAuthStateStore
from sqlalchemy import MetaData, Table, inspect, select, update
from sqlalchemy.engine import Engine

from bot.scopes import BOT_SCOPES
from bot.settings import Settings, SettingsError
from bot.token_crypto import KEY_HELP, BadKey, EncryptedToken, TokenCipher

TOKEN_COLUMNS = ("bot_token", "bot_refresh_token", "user_token", "user_refresh_token")
CACHE_SECONDS = 60.0


class EncryptedInstallationStore(SQLAlchemyInstallationStore):
    """slack_sdk's store with its token columns encrypting (same tables, same queries)."""

    def __init__(self, *, client_id: str, engine: Engine, cipher: TokenCipher) -> None:
        self.cipher = cipher
        super().__init__(client_id=client_id, engine=engine)
        for table in (self.bots, self.installations):
            _encrypt_columns(table, cipher)


def _encrypt_columns(table: Table, cipher: TokenCipher) -> None:
    for name in TOKEN_COLUMNS:
        if name in table.c:
            table.c[name].type = EncryptedToken(cipher)


class ExpiringInstallationStore(CacheableInstallationStore):
    """slack_sdk's memory cache, each entry kept at most `ttl` seconds."""

    def __init__(self, installation_store: SQLAlchemyInstallationStore, *, ttl: float = CACHE_SECONDS) -> None:
        super().__init__(installation_store)
        self.ttl = ttl
        self._stamps: dict[tuple[str, str], float] = {}
        self._lock = threading.Lock()

    def find_bot(self, *, enterprise_id: str | None, team_id: str | None,
                 is_enterprise_install: bool | None = False) -> Bot | None:
        self._expire("bot", f"{enterprise_id or ''}-{'' if is_enterprise_install else team_id or ''}",
                      self.cached_bots)
        return super().find_bot(enterprise_id=enterprise_id, team_id=team_id,
                                is_enterprise_install=is_enterprise_install)

    def find_installation(self, *, enterprise_id: str | None, team_id: str | None, user_id: str | None = None,
                          is_enterprise_install: bool | None = False) -> Installation | None:
        team = "" if is_enterprise_install else team_id or ""
        self._expire("installation", f"{enterprise_id or ''}-{team}-{user_id or ''}", self.cached_installations)
        return super().find_installation(enterprise_id=enterprise_id, team_id=team_id, user_id=user_id,
                                         is_enterprise_install=is_enterprise_install)

    def forget(self, team_id: str) -> None:
        """Drop what is cached for a workspace (its token was refused, or it was uninstalled here)."""
        with self._lock:
            self.cached_bots.pop(f"-{team_id}", None)
            for key in [k for k in self.cached_installations if k.startswith(f"-{team_id}-")]:
                self.cached_installations.pop(key, None)

    def _expire(self, kind: str, key: str, cache: dict[str, Any]) -> None:
        now = time.monotonic()
        with self._lock:
            stamp = self._stamps.get((kind, key))
            if stamp is None or now - stamp > self.ttl:
                cache.pop(key, None)
                self._stamps[(kind, key)] = now


def cipher_for(settings: Settings) -> TokenCipher:
    """The cipher of TOKEN_ENCRYPTION_KEY; SettingsError (with what to do) when it is unusable."""
    if not settings.token_encryption_key:
        raise SettingsError(KEY_HELP)
    try:
        return TokenCipher(settings.token_encryption_key)
    except BadKey as exc:
        raise SettingsError(f"{exc}.\n\n{KEY_HELP.split(chr(10), 2)[2]}") from exc


def oauth_settings(settings: Settings, engine: Engine) -> OAuthSettings | None:
    if not settings.oauth_enabled:
        return None
    store = EncryptedInstallationStore(client_id=settings.slack_client_id or "", engine=engine,
                                       cipher=cipher_for(settings))
    state_store = SQLAlchemyOAuthStateStore(expiration_seconds=600, engine=engine)
    store.create_tables()
    state_store.create_tables()
    return OAuthSettings(
        client_id=settings.slack_client_id,
        client_secret=settings.slack_client_secret,
        scopes=list(BOT_SCOPES),
        installation_store=ExpiringInstallationStore(store),
        installation_store_bot_only=True,  # bot tokens only: the bot asks for no user scopes
        state_store=state_store,
    )


def bolt_would_use_its_own_oauth() -> bool:
    """Bolt reads SLACK_CLIENT_ID/SECRET from `os.environ` itself and, when both merely exist (even
    empty), installs its file-based OAuth store, under which every request fails. The CLI drops
    empty variables first (bot.settings.drop_empty_environment); this catches any other way."""
    return os.environ.get("SLACK_CLIENT_ID") is not None and os.environ.get("SLACK_CLIENT_SECRET") is not None


def authorize(oauth: OAuthSettings, logger: logging.Logger) -> InstallationStoreAuthorize:
    """Bolt's own authorize, with its cache of `auth.test` answers on (keyed by token, so a new
    install's token is checked afresh and an uninstalled workspace is refused by the store)."""
    return InstallationStoreAuthorize(
        logger=logger, installation_store=oauth.installation_store, client_id=oauth.client_id,
        client_secret=oauth.client_secret, bot_only=True, cache_enabled=True)


def reencrypt_tokens(settings: Settings, engine: Engine) -> int:
    """Rewrite every stored token under the first key of TOKEN_ENCRYPTION_KEY (after adding a new
    key in front of the old one); plain tokens from before encryption are encrypted. Returns how
    many values were rewritten."""
    cipher = cipher_for(settings)
    metadata = MetaData()
    tables = [SQLAlchemyInstallationStore.build_bots_table(metadata, "slack_bots"),
              SQLAlchemyInstallationStore.build_installations_table(metadata, "slack_installations")]
    existing = set(inspect(engine).get_table_names())
    tables = [table for table in tables if table.name in existing]
    rewritten = 0
    try:
        with engine.begin() as connection:  # all or nothing
            for table in tables:
                columns = [table.c[name] for name in TOKEN_COLUMNS if name in table.c]
                for row in connection.execute(select(table.c.id, *columns)).mappings():
                    values = {c.name: cipher.rotate(row[c.name]) for c in columns if row[c.name]}
                    if values:
                        connection.execute(update(table).where(table.c.id == row["id"]).values(**values))
                        rewritten += len(values)
    except BadKey as exc:
        raise SettingsError(str(exc)) from exc
    return rewritten
