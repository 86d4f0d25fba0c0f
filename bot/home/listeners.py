"""Home tab listeners: publish on open, page through reviews due."""

from __future__ import annotations

from typing import Any

from slack_bolt import Ack, App
from slack_sdk import WebClient

from bot.deps import Deps
from bot.governance.owners import owner_directory
from bot.home import ids
from bot.home.publish import HomePublisher


def register(app: App, deps: Deps) -> None:
    home = HomePublisher(deps, owner_directory(deps))

    def handle_home_opened(event: dict[str, Any], context: dict[str, Any], client: WebClient) -> None:
        if event.get("tab") not in (None, "home"):
            return
        home.publish(client, team_id=context.get("team_id") or "", user_id=event["user"])

    def handle_page(ack: Ack, body: dict[str, Any], client: WebClient) -> None:
        ack()
        value = body["actions"][0].get("value") or "0"
        team_id = (body.get("team") or {}).get("id") or ""
        home.publish(client, team_id=team_id, user_id=body["user"]["id"], page=int(value) if value.isdigit() else 0)

    app.event("app_home_opened")(handle_home_opened)
    app.action(ids.REVIEWS_PREV)(handle_page)
    app.action(ids.REVIEWS_NEXT)(handle_page)
