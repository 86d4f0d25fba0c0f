"""Show what became of a review on the messages that asked for it (chat.update), so an old DM
never offers buttons for a review that is already settled. Runs after the commit (`later`)."""

from __future__ import annotations

import logging
from typing import Any

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.deps import Deps
from bot.governance import groups, views
from bot.governance.health import describe
from bot.review_subjects import SubjectInfo
from bot.slack_client import NotInstalled
from storage import reviews as store
from storage.db import unit_of_work
from storage.models import Review

log = logging.getLogger(__name__)


def show_outcome(deps: Deps, client: WebClient, *, review: Review, info: SubjectInfo, outcome: str,
                 clicked: dict[str, Any], dm: tuple[str | None, str | None]) -> None:
    """Replace the actions with the outcome on the DM nudge (`dm`) and on the message clicked."""
    message = views.build_nudge_message(deps.prompts, review, info, now=deps.clock.now(), outcome=outcome)
    grouped = None
    if dm[0] and dm[1]:
        shown = review.model_copy(update={"channel_id": dm[0], "message_ts": dm[1]})
        with unit_of_work(deps.engine) as db:
            grouped = groups.rebuild(deps, db, shown, outcome=outcome)
    places = {dm}
    if clicked.get("type") == "message" and not clicked.get("is_ephemeral"):
        places.add((clicked.get("channel_id"), clicked.get("message_ts")))
    for channel, ts in places:
        if channel and ts:
            try:
                client.chat_update(channel=channel, ts=ts,
                                   **(grouped if grouped is not None and (channel, ts) == dm else message))
            except SlackApiError as exc:
                log.warning("could not update review message %s/%s: %s", channel, ts, exc.response.get("error"))


def update_nudge(deps: Deps, *, team_id: str, review_id: int, outcome: str, **context: object) -> None:
    """Replace the nudge's actions with one outcome line; quiet when there is no message to update."""
    with unit_of_work(deps.engine) as db:
        review = store.get_review(db, team_id=team_id, review_id=review_id)
        if review is None or not (review.channel_id and review.message_ts):
            return
        info = describe(deps, db, review.subject_type, team_id, review.subject_id)
        if info is None:  # a DM listing others keeps them; the gone item reads "closed"
            line = None
            message = views.build_closed_message(deps.prompts)
        else:
            line = views.build_outcome(deps.prompts, outcome, by=context.pop("by", info.owner_id), **context)
            message = views.build_nudge_message(deps.prompts, review, info, now=deps.clock.now(), outcome=line)
        message = groups.rebuild(deps, db, review, outcome=line) or message
    try:
        deps.client_for(team_id).chat_update(channel=review.channel_id, ts=review.message_ts, **message)
    except NotInstalled:
        return  # the workspace removed the app: nothing left to update
    except SlackApiError as exc:
        log.warning("could not update the nudge of review %s: %s", review_id, exc.response.get("error"))
