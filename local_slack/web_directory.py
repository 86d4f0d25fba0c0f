"""auth.test, apps.connections.open, views.*, conversations.* and users.info.

Views get stable ids and fresh hashes (bots update by ``view.id``); users.info returns a
real time zone with its current offset because scheduling code depends on it.
"""

from __future__ import annotations

import secrets
import time
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from .ids import APP_ID, BOT_USER_ID, TEAM_DOMAIN
from .web_state import BOT_ID, DEFAULT_TZ, TEAM_ID, Answer, SlackError, WorkspaceState, dm_channel, need


class DirectoryMethods(WorkspaceState):
    """Handlers for auth, Socket Mode, views, conversations and users (mixed into Workspace)."""

    # -- auth / socket mode ------------------------------------------------------------
    def auth_test(self, args: dict[str, Any]) -> Answer:
        return {
            "url": f"https://{TEAM_DOMAIN}.slack.com/",
            "team": "Workshop",
            "user": "workshop-bot",
            "team_id": TEAM_ID,
            "user_id": BOT_USER_ID,
            "bot_id": BOT_ID,
            "is_enterprise_install": False,
            **(self.auth_for(self.token) or {}),  # type: ignore[attr-defined]  # OAuthMethods
        }

    def apps_connections_open(self, args: dict[str, Any]) -> Answer:
        if not (self.token or "").startswith("xapp-"):
            raise SlackError("not_allowed_token_type")
        if self.socket_mode_url is None:
            raise SlackError("invalid_auth")
        return {"url": self.socket_mode_url}

    # -- views --------------------------------------------------------------------------
    def _store_view(self, view: dict[str, Any], view_id: str, root: str | None = None) -> dict[str, Any]:
        stored = {
            "id": view_id,
            "team_id": TEAM_ID,
            "type": view.get("type", "modal"),
            "blocks": view.get("blocks", []),
            "private_metadata": view.get("private_metadata", ""),
            "callback_id": view.get("callback_id", ""),
            "state": {"values": {}},
            "hash": f"{int(time.time())}.{secrets.token_hex(4)}",
            "title": view.get("title"),
            "clear_on_close": view.get("clear_on_close", False),
            "notify_on_close": view.get("notify_on_close", False),
            "close": view.get("close"),
            "submit": view.get("submit"),
            "previous_view_id": None,
            "root_view_id": root or view_id,
            "app_id": APP_ID,
            "external_id": view.get("external_id", ""),
            "app_installed_team_id": TEAM_ID,
            "bot_id": BOT_ID,
        }
        self.views[view_id] = stored
        return stored

    def views_open(self, args: dict[str, Any]) -> Answer:
        need(args, "trigger_id", "invalid_trigger_id")  # its age is judged on arrival (FakeSlack._api)
        view = need(args, "view", "invalid_arguments")
        return {"view": self._store_view(view, self._id("V"))}

    def views_update(self, args: dict[str, Any]) -> Answer:
        view = need(args, "view", "invalid_arguments")
        view_id = args.get("view_id")
        if not view_id:
            external = args.get("external_id") or "\0"
            view_id = next((v["id"] for v in self.views.values() if v["external_id"] == external), None)
        if not view_id:
            raise SlackError("not_found")
        root = self.views.get(view_id, {}).get("root_view_id")
        return {"view": self._store_view(view, str(view_id), root)}

    def views_publish(self, args: dict[str, Any]) -> Answer:
        user = str(need(args, "user_id", "user_not_found"))
        view = need(args, "view", "invalid_arguments")
        view_id = self._home_views.setdefault(user, self._id("V"))
        return {"view": self._store_view(view, view_id)}

    # -- conversations / users ------------------------------------------------------------
    def _channel_info(self, channel: str) -> dict[str, Any]:
        override = self.channels.get(channel, {})
        if override is None:
            raise SlackError("channel_not_found")
        if channel.startswith("D"):
            info = {"id": channel, "is_im": True, "user": channel[1:], "is_open": True}
        else:
            info = {
                "id": channel,
                "name": "general",
                "is_channel": True,
                "is_private": False,
                "is_member": True,
                "is_archived": False,
                "is_im": False,
            }
        info.update({"created": 1700000000, "context_team_id": TEAM_ID})
        return {**info, **override}

    def conversations_open(self, args: dict[str, Any]) -> Answer:
        users = [u for u in str(args.get("users") or "").split(",") if u]
        if args.get("channel"):
            return {"channel": self._channel_info(str(args["channel"]))}
        if not users:
            raise SlackError("users_list_not_supplied")
        channel = dm_channel(users[0]) if len(users) == 1 else "G" + secrets.token_hex(4).upper()
        return {"channel": {"id": channel}, "no_op": True, "already_open": True}

    def conversations_info(self, args: dict[str, Any]) -> Answer:
        return {"channel": self._channel_info(str(need(args, "channel", "channel_not_found")))}

    def conversations_members(self, args: dict[str, Any]) -> Answer:
        """A channel's ``members`` override (everyone in it); the bot alone when none is set."""
        info = self._channel_info(str(need(args, "channel", "channel_not_found")))
        return {"members": list(info.get("members") or [BOT_USER_ID]), "response_metadata": {"next_cursor": ""}}

    def conversations_join(self, args: dict[str, Any]) -> Answer:
        channel = str(need(args, "channel", "channel_not_found"))
        info = self._channel_info(channel)
        self.channels[channel] = {**(self.channels.get(channel) or {}), "is_member": True}
        return {"channel": {**info, "is_member": True}}

    def users_info(self, args: dict[str, Any]) -> Answer:
        user_id = str(need(args, "user", "user_not_found"))
        override = self.users.get(user_id, {})
        if override is None:
            raise SlackError("user_not_found")
        name = "workshop-bot" if user_id == BOT_USER_ID else user_id.lower()
        real_name = override.get("real_name", f"User {user_id}")
        tz = override.get("tz", DEFAULT_TZ)
        offset = ZoneInfo(tz).utcoffset(datetime.now()) if tz else None
        user = {
            "id": user_id,
            "team_id": TEAM_ID,
            "name": name,
            "real_name": real_name,
            "deleted": False,
            "is_bot": user_id == BOT_USER_ID,
            "is_admin": False,
            "tz": tz,
            "tz_label": tz,
            "tz_offset": int(offset.total_seconds()) if offset is not None else 0,
            "profile": {"real_name": real_name, "display_name": name, "team": TEAM_ID},
            **override,
        }
        return {"user": user}
