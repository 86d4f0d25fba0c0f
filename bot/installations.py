"""OAuth (many workspaces): slack_sdk's SQLAlchemy stores in the bot's own database.

Their tables belong to slack_sdk (`slack_installations`, `slack_bots`, `slack_oauth_states`)
and are created by it, outside our Alembic migrations.
"""

from __future__ import annotations

from slack_bolt.oauth.oauth_settings import OAuthSettings
from slack_sdk.oauth.installation_store.sqlalchemy import SQLAlchemyInstallationStore
from slack_sdk.oauth.state_store.sqlalchemy import SQLAlchemyOAuthStateStore
from sqlalchemy.engine import Engine

from bot.scopes import BOT_SCOPES
from bot.settings import Settings


def oauth_settings(settings: Settings, engine: Engine) -> OAuthSettings | None:
    if not settings.oauth_enabled:
        return None
    installation_store = SQLAlchemyInstallationStore(client_id=settings.slack_client_id, engine=engine)
    state_store = SQLAlchemyOAuthStateStore(expiration_seconds=600, engine=engine)
    installation_store.create_tables()
    state_store.create_tables()
    return OAuthSettings(
        client_id=settings.slack_client_id,
        client_secret=settings.slack_client_secret,
        scopes=list(BOT_SCOPES),
        installation_store=installation_store,
        state_store=state_store,
    )
