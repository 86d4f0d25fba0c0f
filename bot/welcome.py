"""A DM with nothing going on ("hi", "hello?") gets a short welcome with ways to start.

The Messages tab is on, so writing to the bot is the first thing many people do; silence would
look broken. Registered after every feature: a DM that answers a conversation is taken first.
"""

from __future__ import annotations

from typing import Any

from bot import blocks
from bot.deps import Deps
from bot.empathy import ids as empathy_ids
from bot.personas import ids as persona_ids
from bot.request_context import RequestContext
from prompts import Prompts
from storage.outbox import Outgoing

WELCOME = "welcome"


def is_a_person_writing_to_me(event: dict[str, Any]) -> bool:
    return (event.get("channel_type") == "im" and not event.get("bot_id") and not event.get("subtype")
            and not event.get("thread_ts") and bool(event.get("user")) and bool(event.get("channel")))


def build_welcome(prompts: Prompts, *, team_id: str, app_id: str) -> list[dict]:
    def t(macro: str) -> str:
        return prompts.part(WELCOME, macro)

    buttons = [blocks.button(t("new_persona"), persona_ids.NEW_FROM_HOME, style="primary"),
               blocks.button(t("new_session"), empathy_ids.START_FROM_HOME)]
    if app_id:
        buttons.append(blocks.button(t("my_reviews"), "welcome_open_home",
                                     url=f"slack://app?team={team_id}&id={app_id}&tab=home"))
    return blocks.message_blocks([blocks.section(t("text")), blocks.actions(*buttons)])


def handle_hello(ctx: RequestContext) -> None:
    event = ctx.event
    content = build_welcome(ctx.deps.prompts, team_id=ctx.team_id, app_id=str(ctx.body.get("api_app_id") or ""))
    ctx.enqueue(Outgoing("post", f"welcome:{event['channel']}:{event.get('ts')}", {
        "channel": event["channel"], "text": ctx.deps.prompts.part(WELCOME, "fallback"), "blocks": content}))


def handle_open_home(ack: Any) -> None:
    """The URL button opens the Home tab in Slack; Slack still sends the click, which needs an ack."""
    ack()


def register(app: Any, deps: Deps) -> None:
    app.event("message", matchers=[is_a_person_writing_to_me])(handle_hello)
    app.action("welcome_open_home")(handle_open_home)
