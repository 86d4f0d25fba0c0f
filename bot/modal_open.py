"""Opening a modal after the ack, for every feature: if Slack refuses, the person is told.

`views.open` needs the click's trigger_id within 3 s; Slack may also be busy (`ratelimited`) or
the trigger already used. Silence would look like a dead button, so the person gets a short
ephemeral in plain words and can press again; nothing was lost.
"""

from __future__ import annotations

from typing import Any

from slack_sdk.errors import SlackApiError

from bot.private_reply import tell_user
from bot.request_context import RequestContext


def open_modal(ctx: RequestContext, view: dict[str, Any]) -> None:
    try:
        ctx.client.views_open(trigger_id=ctx.trigger_id, view=view)
    except SlackApiError as exc:
        tell_user(ctx.body, ctx.client, ctx.deps.prompts.part("errors/slack", "modal_failed",
                                                              error=exc.response.get("error")),
                  channel=ctx.channel_id)
