"""Home tab listeners: publish on open."""

from __future__ import annotations

from typing import Any

from slack_bolt import App
from slack_sdk import WebClient

from bot.deps import Deps
from bot.home.views import build_home
from storage import empathy as sessions


def register(app: App, deps: Deps) -> None:
    def handle_home_opened(event: dict[str, Any], context: dict[str, Any], client: WebClient) -> None:
        if event.get("tab") not in (None, "home"):
            return
        user_id = event["user"]
        recent = sessions.list_recent_sessions(deps.engine, team_id=context.get("team_id") or "", limit=10)
        client.views_publish(user_id=user_id, view=build_home(deps.prompts, user_id=user_id, sessions=recent))

    app.event("app_home_opened")(handle_home_opened)
