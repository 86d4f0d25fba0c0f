"""Slash-command routing: `/empathy start ...` -> the handler features registered for `start`.

Features add subcommands; the router owns the listener for each slash command, so `help`,
no arguments and unknown words all get the same ephemeral help, whatever the feature.
"""

from __future__ import annotations

import shlex
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from slack_bolt import Ack, App
from slack_sdk import WebClient

from bot import blocks
from prompts import Prompts

if TYPE_CHECKING:
    from bot.request_context import RequestContext


@dataclass(frozen=True)
class CommandCall:
    """One slash-command invocation, parsed."""

    command: str
    name: str
    args: list[str]
    raw_args: str
    ack: Ack
    ctx: RequestContext

    @property
    def body(self) -> dict[str, Any]:
        return self.ctx.body

    @property
    def client(self) -> WebClient:
        return self.ctx.client

    @property
    def user_id(self) -> str:
        return str(self.body.get("user_id") or "")

    @property
    def team_id(self) -> str:
        return self.ctx.team_id

    @property
    def channel_id(self) -> str:
        return str(self.body.get("channel_id") or "")

    @property
    def trigger_id(self) -> str:
        return self.ctx.trigger_id


@dataclass(frozen=True)
class Subcommand:
    name: str
    usage: str
    summary: str
    handler: Callable[[CommandCall], None]


class CommandRouter:
    def __init__(self, prompts: Prompts) -> None:
        self.prompts = prompts
        self.routes: dict[str, dict[str, Subcommand]] = {}

    def add(self, command: str, name: str, handler: Callable[[CommandCall], None], *, usage: str = "",
            summary: str) -> None:
        """`name` "" takes every text no other subcommand of `command` names (but `help`)."""
        self.routes.setdefault(command, {})[name] = Subcommand(name, usage, summary, handler)

    def register(self, app: App) -> None:
        for command in self.routes:
            app.command(command)(self.dispatch)

    def dispatch(self, ack: Ack, ctx: RequestContext) -> None:
        command = str(ctx.body.get("command") or "")
        text = str(ctx.body.get("text") or "").strip()
        try:
            words = shlex.split(text)
        except ValueError:
            words = text.split()
        name = words[0].lower() if words else ""
        sub = self.routes.get(command, {}).get(name)
        whole = self.routes.get(command, {}).get("") if sub is None and name != "help" else None
        if whole is not None:  # a command that takes its whole text (`/review-all REASON`)
            whole.handler(CommandCall(command, "", words, text, ack, ctx))
            return
        if sub is None:
            ack(**self.help_message(command, unknown=name if name not in ("", "help") else None))
            return
        raw_args = text[len(words[0]):].strip() if words else ""
        sub.handler(CommandCall(command, name, words[1:], raw_args, ack, ctx))

    def help_message(self, command: str | None = None, *, unknown: str | None = None) -> dict[str, Any]:
        """The ephemeral help: every command the bot knows, with the asked-for one first."""
        commands = sorted(self.routes, key=lambda c: (c != command, c))
        text = self.prompts.render(
            "help",
            commands=[(c, list(self.routes[c].values())) for c in commands],
            unknown=unknown,
            command=command,
        )
        return {"text": blocks.clip(text, 3000), "blocks": blocks.message_blocks([blocks.section(text)]),
                "response_type": "ephemeral"}
