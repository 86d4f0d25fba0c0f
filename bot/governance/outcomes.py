"""Show what became of a review on the nudge that asked for it (chat.update), so an old DM never
offers buttons for a review that is already settled."""

from __future__ import annotations

import logging

from slack_sdk.errors import SlackApiError

from bot.deps import Deps
from bot.governance import groups, views
from storage import reviews as store

log = logging.getLogger(__name__)


def update_nudge(deps: Deps, *, team_id: str, review_id: int, outcome: str, **context: object) -> None:
    """Replace the nudge's actions with one outcome line; quiet when there is no message to update."""
    review = store.get_review(deps.engine, team_id=team_id, review_id=review_id)
    if review is None or not (review.channel_id and review.message_ts):
        return
    subject = deps.subjects.get(review.subject_type)
    info = subject.describe(team_id, review.subject_id) if subject is not None else None
    if info is None:
        message = views.build_closed_message(deps.prompts)
    else:
        line = views.build_outcome(deps.prompts, outcome, by=context.pop("by", info.owner_id), **context)
        message = views.build_nudge_message(deps.prompts, review, info, now=deps.clock.now(), outcome=line)
        if groups.is_grouped(review):
            message = groups.rebuild(deps, review, outcome=line) or message
    try:
        deps.client.chat_update(channel=review.channel_id, ts=review.message_ts, **message)
    except SlackApiError as exc:
        log.warning("could not update the nudge of review %s: %s", review_id, exc.response.get("error"))
