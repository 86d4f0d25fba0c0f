"""Small helpers shared by the persona tests (what a person would type or click)."""

from __future__ import annotations

import json
from typing import Any

from bot.personas import lifecycle
from storage.models import Persona
from tests.harness import Bot

MAYA = {"name": "Maya", "role": "First-time buyer on mobile", "context": "Shops on the bus",
        "goals": ["Finish checkout fast"], "behaviors": ["Compares prices in three tabs"],
        "needs": ["Clear delivery dates"], "frustrations": ["Surprise fees at the end"],
        "quote": "Just tell me what it costs.", "unsure": "Whether she pays by card", "confidence": "low"}


def make_persona(bot: Bot, owner: str = "U0OWNER", team: str = "T0001", **values: Any) -> Persona:
    return lifecycle.create(bot.deps, team_id=team, user_id=owner, values={**MAYA, **values})


def view_of(call_args: dict[str, Any]) -> dict[str, Any]:
    view = call_args["view"]
    return view if isinstance(view, dict) else json.loads(view)


def blocks_text(blocks: Any) -> str:
    return json.dumps(blocks if not isinstance(blocks, str) else json.loads(blocks), ensure_ascii=False)


class Dm:
    """A person typing in their DM with the bot (message.im events), reading its answers."""

    def __init__(self, bot: Bot, user: str, thread_ts: str | None = None, team: str = "T0001") -> None:
        self.bot, self.user, self.thread_ts, self.team = bot, user, thread_ts, team
        self.channel = "D" + user

    def posts(self) -> list[dict[str, Any]]:
        """The bot's messages in this DM (in this thread, when the conversation is in one)."""
        return [c.args for c in self.bot.slack.calls_to("chat.postMessage")
                if c.args.get("channel") in (self.channel, self.user)
                and (self.thread_ts is None or c.args.get("thread_ts") == self.thread_ts)]

    def last(self) -> str:
        """The last message's text and blocks, as one searchable string."""
        post = self.posts()[-1]
        return post.get("text", "") + blocks_text(post.get("blocks") or [])

    def say(self, text: str, replies: int = 1) -> str:
        """Send one message and wait for the bot's `replies` answers; returns them joined."""
        from tests.harness import eventually
        from tests.slack_fake import payloads

        before = len(self.posts())
        event = payloads.message_event(text, user=self.user, channel=self.channel, thread_ts=self.thread_ts,
                                       team=self.team)
        assert self.bot.http.event(payloads.event_callback(event, team=self.team)).status == 200
        eventually(lambda: len(self.posts()) >= before + replies)
        new = self.posts()[before:]
        return "\n".join(p.get("text", "") + blocks_text(p.get("blocks") or []) for p in new)


def form_values(**values: Any) -> dict[str, dict[str, Any]]:
    """The persona form as Slack submits it; lists one item per line, like a person types them."""
    from tests.slack_fake import payloads

    merged = {**MAYA, "cadence_days": "90", "owner_id": "U0OWNER", **values}
    shaped: dict[str, dict[str, Any]] = {}
    for key, value in merged.items():
        if key in ("confidence", "kind"):
            shaped[key] = {"value": payloads.input_static_select(value)}
        elif key == "owner_id":
            shaped[key] = {"value": payloads.input_users_select(value)}
        else:
            shaped[key] = {"value": "\n".join(value) if isinstance(value, list) else value}
    return shaped


def q(engine: Any, function: Any, **kwargs: Any) -> Any:
    """A storage function in a unit of work of its own (storage takes the session first)."""
    from storage.db import unit_of_work

    with unit_of_work(engine) as db:
        return function(db, **kwargs)
