"""The workspace behind the fake Web API: one handler per supported method.

Answers carry the fields Slack really returns because bots chain calls on them (post ->
update by ts, views.open -> views.update by id); errors use Slack's codes. Methods not
listed in ``handlers`` answer ``unknown_method`` (see FakeSlack.override to add one).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from .web_chat import ChatMethods
from .web_directory import DirectoryMethods
from .web_oauth import OAuthMethods
from .web_state import Answer, SlackError, dm_channel

__all__ = ["SlackError", "Workspace", "dm_channel"]


class Workspace(OAuthMethods, ChatMethods, DirectoryMethods):
    """State (WorkspaceState) plus the method table FakeSlack dispatches on."""

    def __init__(self, base_url: str) -> None:
        super().__init__(base_url)
        self.handlers: dict[str, Callable[[dict[str, Any]], Answer]] = {
            "auth.test": self.auth_test,
            "chat.postMessage": self.chat_post_message,
            "chat.update": self.chat_update,
            "chat.postEphemeral": self.chat_post_ephemeral,
            "chat.delete": self.chat_delete,
            "chat.scheduleMessage": self.chat_schedule_message,
            "chat.deleteScheduledMessage": self.chat_delete_scheduled_message,
            "chat.getPermalink": self.chat_get_permalink,
            "conversations.history": self.conversations_history,
            "conversations.replies": self.conversations_replies,
            "views.open": self.views_open,
            "views.push": self.views_open,
            "views.update": self.views_update,
            "views.publish": self.views_publish,
            "conversations.open": self.conversations_open,
            "conversations.info": self.conversations_info,
            "conversations.join": self.conversations_join,
            "conversations.members": self.conversations_members,
            "users.info": self.users_info,
            "reactions.add": self.reactions_add,
            "reactions.remove": self.reactions_remove,
            "files.getUploadURLExternal": self.files_get_upload_url,
            "files.completeUploadExternal": self.files_complete_upload,
            "files.upload": self.files_upload_legacy,
            "apps.connections.open": self.apps_connections_open,
        }

    def _id(self, prefix: str) -> str:
        return f"{prefix}{next(self._serial):04d}"
