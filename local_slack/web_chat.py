"""chat.*, reactions.* and files.* for the fake Web API.

Answers carry what bots chain on (``ts``, ``message``, ``upload_url``/``file_id``), and
the Slack error codes for the mistakes bots make (no text, not in channel, past post_at).
"""

from __future__ import annotations

import json
import time
from typing import Any

from .ids import APP_ID, BOT_USER_ID, TEAM_DOMAIN, new_ts
from .web_state import BOT_ID, TEAM_ID, Answer, SlackError, WorkspaceState, dm_channel, need


class ChatMethods(WorkspaceState):
    """Handlers for chat.*, reactions.* and files.* (mixed into Workspace)."""

    # -- chat ---------------------------------------------------------------------------
    def _channel_for_post(self, args: dict[str, Any]) -> str:
        channel = str(need(args, "channel", "channel_not_found"))
        if channel[0] in "UW":  # posting to a user id lands in the DM with them
            channel = dm_channel(channel)
        info = self.channels.get(channel, {})
        if info is None:
            raise SlackError("channel_not_found")
        if info.get("is_archived"):
            raise SlackError("is_archived")
        if info.get("is_member") is False and not info.get("is_private"):
            raise SlackError("not_in_channel")
        return channel

    def _message(self, args: dict[str, Any], ts: str) -> dict[str, Any]:
        message = {
            "type": "message",
            "user": BOT_USER_ID,
            "bot_id": BOT_ID,
            "app_id": APP_ID,
            "text": args.get("text", ""),
            "ts": ts,
            "team": TEAM_ID,
        }
        for key in ("blocks", "attachments", "thread_ts", "metadata"):
            if args.get(key) is not None:
                message[key] = args[key]
        return message

    def chat_post_message(self, args: dict[str, Any]) -> Answer:
        channel = self._channel_for_post(args)
        if not (args.get("text") or args.get("blocks") or args.get("attachments")):
            raise SlackError("no_text")
        ts = new_ts()
        message = self._message(args, ts)
        self.messages[(channel, ts)] = message
        return {"channel": channel, "ts": ts, "message": message}

    def conversations_history(self, args: dict[str, Any]) -> Answer:
        """Top-level messages of a channel, newest first (replies stay in their threads)."""
        channel = str(need(args, "channel", "channel_not_found"))
        found = [m for (c, ts), m in self.messages.items() if c == channel
                 and m.get("thread_ts", ts) == ts and _newer(ts, args.get("oldest"))]
        return self._page(channel, sorted(found, key=lambda m: float(m["ts"]), reverse=True), args)

    def conversations_replies(self, args: dict[str, Any]) -> Answer:
        """The thread's parent and its replies, oldest first."""
        channel = str(need(args, "channel", "channel_not_found"))
        parent = str(need(args, "ts", "thread_not_found"))
        if (channel, parent) not in self.messages:
            raise SlackError("thread_not_found")
        found = [m for (c, ts), m in self.messages.items() if c == channel and (
            ts == parent or (m.get("thread_ts") == parent and _newer(ts, args.get("oldest"))))]
        return self._page(channel, sorted(found, key=lambda m: float(m["ts"])), args)

    def _page(self, channel: str, found: list[dict[str, Any]], args: dict[str, Any]) -> Answer:
        """Metadata only when asked for, as Slack does."""
        limit = int(args.get("limit") or 100)
        keep = str(args.get("include_all_metadata")).lower() in ("1", "true")
        messages = [m if keep else {k: v for k, v in m.items() if k != "metadata"} for m in found[:limit]]
        return {"channel": channel, "messages": messages, "has_more": len(found) > limit}

    def chat_update(self, args: dict[str, Any]) -> Answer:
        channel = str(need(args, "channel", "channel_not_found"))
        ts = str(need(args, "ts", "message_not_found"))
        message = self.messages.get((channel, ts)) or self._message({}, ts)
        for key in ("text", "blocks", "attachments", "metadata"):
            if key in args:
                message[key] = args[key]
        message["edited"] = {"user": BOT_USER_ID, "ts": new_ts()}
        self.messages[(channel, ts)] = message
        return {"channel": channel, "ts": ts, "text": message.get("text", ""), "message": message}

    def chat_post_ephemeral(self, args: dict[str, Any]) -> Answer:
        self._channel_for_post(args)
        need(args, "user", "user_not_found")
        if not (args.get("text") or args.get("blocks") or args.get("attachments")):
            raise SlackError("no_text")
        return {"message_ts": new_ts()}

    def chat_delete(self, args: dict[str, Any]) -> Answer:
        channel = str(need(args, "channel", "channel_not_found"))
        ts = str(need(args, "ts", "message_not_found"))
        self.messages.pop((channel, ts), None)
        return {"channel": channel, "ts": ts}

    def chat_schedule_message(self, args: dict[str, Any]) -> Answer:
        channel = self._channel_for_post(args)
        post_at = int(need(args, "post_at", "invalid_time"))
        if post_at <= time.time():
            raise SlackError("time_in_past")
        if post_at > time.time() + 120 * 86400:
            raise SlackError("time_too_far")
        if not (args.get("text") or args.get("blocks") or args.get("attachments")):
            raise SlackError("no_text")
        scheduled_id = self._id("Q")
        message = self._message(args, "")
        message.pop("ts")
        self.scheduled[scheduled_id] = {"channel": channel, "post_at": post_at, "message": message}
        return {
            "channel": channel,
            "scheduled_message_id": scheduled_id,
            "post_at": post_at,
            "message": message,
        }

    def chat_delete_scheduled_message(self, args: dict[str, Any]) -> Answer:
        scheduled_id = need(args, "scheduled_message_id", "invalid_scheduled_message_id")
        if self.scheduled.pop(str(scheduled_id), None) is None:
            raise SlackError("invalid_scheduled_message_id")
        return {}

    def chat_get_permalink(self, args: dict[str, Any]) -> Answer:
        channel = str(need(args, "channel", "channel_not_found"))
        ts = str(need(args, "message_ts", "message_not_found"))
        link = f"https://{TEAM_DOMAIN}.slack.com/archives/{channel}/p{ts.replace('.', '')}"
        return {"channel": channel, "permalink": link}

    # -- reactions ----------------------------------------------------------------------
    def _reaction(self, args: dict[str, Any]) -> tuple[str, str, str]:
        channel = str(need(args, "channel", "no_item_specified"))
        ts = str(need(args, "timestamp", "no_item_specified"))
        return channel, ts, str(need(args, "name", "invalid_name"))

    def reactions_add(self, args: dict[str, Any]) -> Answer:
        key = self._reaction(args)
        if key in self.reactions:
            raise SlackError("already_reacted")
        self.reactions.add(key)
        return {}

    def reactions_remove(self, args: dict[str, Any]) -> Answer:
        key = self._reaction(args)
        if key not in self.reactions:
            raise SlackError("no_reaction")
        self.reactions.discard(key)
        return {}

    # -- files --------------------------------------------------------------------------
    def files_get_upload_url(self, args: dict[str, Any]) -> Answer:
        filename = str(need(args, "filename", "invalid_arguments"))
        length = int(need(args, "length", "invalid_arguments"))
        file_id = self._id("F")
        self.files[file_id] = {"id": file_id, "name": filename, "title": filename, "length": length}
        return {"upload_url": f"{self.base_url}/upload/{file_id}", "file_id": file_id}

    def files_complete_upload(self, args: dict[str, Any]) -> Answer:
        files = need(args, "files", "invalid_arguments")
        if isinstance(files, str):
            files = json.loads(files)
        done = []
        for entry in files:
            known = self.files.get(entry.get("id", ""))
            if known is None or entry["id"] not in self.uploads:
                raise SlackError("file_not_found")
            known["title"] = entry.get("title") or known["title"]
            known["channel"] = args.get("channel_id") or args.get("channels")
            done.append({"id": known["id"], "title": known["title"], "name": known["name"]})
        return {"files": done}

    def files_upload_legacy(self, args: dict[str, Any]) -> Answer:
        raise SlackError("method_deprecated")


def _newer(ts: str, oldest: Any) -> bool:
    return oldest in (None, "") or float(ts) > float(oldest)
