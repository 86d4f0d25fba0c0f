"""What happened, in order: the script's scenes and people, and what Slack received from the bot.

After each step the recorder takes the calls the local Slack recorded since the last step and
keeps the ones a person would see: posts (channel, thread, DM), board and card updates (the
last state of each message in the step), ephemeral answers, modals, the Home tab and files.
Lookups (`users.info`, `auth.test`...) are left out.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from local_slack import FakeSlack

SHOWN = {"chat.postMessage": "post", "chat.update": "update", "chat.postEphemeral": "ephemeral",
         "response_url": "ephemeral", "views.open": "modal", "views.push": "modal", "views.update": "modal",
         "views.publish": "home", "files.completeUploadExternal": "file"}


@dataclass
class Item:
    """One thing on the page: `kind` is person, post, update, ephemeral, modal, home or file."""

    kind: str
    place: str = ""  # channel, thread, dm
    who: str = ""  # a person's name (kind person), or the DM's person
    text: str = ""
    blocks: list[dict[str, Any]] = field(default_factory=list)
    view: dict[str, Any] | None = None
    files: list[tuple[str, bytes]] = field(default_factory=list)
    key: tuple[str, str] | None = None  # (channel, ts) of an updated message


@dataclass
class Scene:
    title: str
    text: str
    items: list[Item] = field(default_factory=list)


def _json(value: Any) -> Any:
    return json.loads(value) if isinstance(value, str) else value


class Recorder:
    """Builds the transcript from what the local Slack received."""

    def __init__(self, slack: FakeSlack, names: dict[str, str]) -> None:
        self.slack, self.names = slack, names
        self.scenes: list[Scene] = []
        self.show_home = False  # the Home tab is republished on every change: shown where the script asks
        self._seen = 0
        self._shown: dict[tuple[str, str], str] = {}  # (channel, ts) -> the blocks last shown

    def scene(self, title: str, text: str) -> None:
        self.collect()
        self.scenes.append(Scene(title, text))

    def person(self, user: str, text: str, place: str = "channel") -> None:
        self.collect()
        self.scenes[-1].items.append(Item("person", place, self.names.get(user, user), text))

    def answer(self, body: dict[str, Any]) -> None:
        """What the bot answered a slash command with (only its user sees it)."""
        self.collect()
        if body.get("text") or body.get("blocks"):
            self.scenes[-1].items.append(Item("ephemeral", "channel", text=str(body.get("text") or ""),
                                              blocks=list(_json(body.get("blocks")) or [])))

    def view_answer(self, view: dict[str, Any]) -> None:
        """A modal the bot answered a submission with (`response_action: update`)."""
        self.collect()
        self.scenes[-1].items.append(Item("modal", view=view, blocks=list(view.get("blocks", []))))

    def collect(self) -> None:
        calls = self.slack.calls[self._seen:]
        self._seen += len(calls)
        if not self.scenes:
            return
        items = self.scenes[-1].items
        for call in calls:
            kind = SHOWN.get(call.method)
            if kind is None or call.status != 200 or (call.method != "response_url" and not call.response.get("ok")):
                continue
            if kind == "home" and not self.show_home:
                continue
            item = self._item(kind, call.args)
            if kind in ("post", "update"):
                key = (str(call.args.get("channel")), str(call.args.get("ts") or call.response.get("ts")))
                content = json.dumps(item.blocks) + item.text
                if kind == "update" and self._shown.get(key) == content:
                    continue  # nothing a person would notice changed
                self._shown[key] = content
                if kind == "update":  # a board changes many times a scene: show where it ended
                    items[:] = [i for i in items if i.key != key]
                    item.key = key
            items.append(item)

    def _item(self, kind: str, args: dict[str, Any]) -> Item:
        if kind in ("modal", "home"):
            view = _json(args.get("view")) or {}
            return Item(kind, view=view, blocks=list(view.get("blocks", [])))
        if kind == "file":
            files = [(str(f.get("title") or f["id"]), self.slack.uploads.get(f["id"], b""))
                     for f in _json(args.get("files")) or []]
            return Item(kind, self._place(str(args.get("channel_id", "")), args.get("thread_ts")),
                        self._dm_person(str(args.get("channel_id", ""))), str(args.get("initial_comment") or ""),
                        files=files)
        channel = str(args.get("channel", ""))
        return Item(kind, self._place(channel, args.get("thread_ts")), self._dm_person(channel),
                    str(args.get("text") or ""), list(_json(args.get("blocks")) or []))

    def _place(self, channel: str, thread_ts: Any) -> str:
        if channel.startswith(("D", "U")):
            return "dm"
        return "thread" if thread_ts else "channel"

    def _dm_person(self, channel: str) -> str:
        user = channel[1:] if channel.startswith("D") else channel
        return self.names.get(user, "") if channel.startswith(("D", "U")) else ""
