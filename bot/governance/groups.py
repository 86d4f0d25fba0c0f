"""Grouped nudges: each sweep reaches an owner with ONE DM listing all their due items, each with
its own actions, not one DM per item. A manual trigger (`/persona review-all REASON`) says its
reason once at the top; a mix of reasons (cadence, a change, a linked item) says each item's.

Every review keeps its own row, claim and outcome (the database still decides, per review);
the rows a DM lists all point at that DM (`channel_id`, `message_ts`), so the message is
rebuilt from the database after any action and shows each item's outcome. A message holds at
most 50 blocks (and Slack's size limit): an owner with more items sees the first ones and is
pointed to the Home tab, which pages all their reviews.
"""

from __future__ import annotations

import json
from datetime import datetime

from slack_sdk.models.blocks import Block
from sqlmodel import Session

from bot import blocks
from bot.deps import Deps
from bot.governance import ids, views
from bot.governance.health import describe
from bot.governance.links import is_link
from bot.review_subjects import SubjectInfo
from prompts import Prompts
from storage import review_queries as queries
from storage.models import Review
from storage.states import ReviewState

NUDGE = views.NUDGE
Item = tuple[Review, SubjectInfo | None]


def is_grouped(review: Review) -> bool:
    """A manual trigger's review: its DM names the trigger once, at the top."""
    return review.reason.startswith("manual:")


def settled_outcome(prompts: Prompts, review: Review, info: SubjectInfo | None, now: datetime) -> str | None:
    """The outcome line of an item that was handled earlier; None while it still asks for action."""
    if info is None or review.state == ReviewState.CANCELLED:
        return views.build_outcome(prompts, "closed")
    if review.state == ReviewState.DONE:
        if is_link(review):
            return views.build_outcome(prompts, "link_checked", by=review.owner_id, journey=info.title,
                                       persona=views.review_detail(review).get("persona", ""))
        if not info.active:
            return views.build_outcome(prompts, "retired", by=review.owner_id)
        if info.next_review_at is not None:
            return views.build_outcome(prompts, "reviewed", by=review.owner_id, hypothesis=info.hypothesis,
                                       next=views.slack_date(info.next_review_at))
        return views.build_outcome(prompts, "updated", by=review.owner_id)
    if review.state == ReviewState.SNOOZED and review.snoozed_until is not None and review.snoozed_until > now:
        return views.build_outcome(prompts, "snoozed", by=review.owner_id,
                                   until=views.slack_date(review.snoozed_until, with_time=True))
    return None


def build_group_message(prompts: Prompts, items: list[Item], *, now: datetime,
                        outcomes: dict[int, str] | None = None) -> dict:
    """chat.postMessage / chat.update arguments for one owner's grouped nudge.

    Items are listed in order while they fit in 50 blocks and Slack's message size; the rest
    are counted and left to the Home tab.
    """
    outcomes = outcomes or {}
    first = items[0][0]
    one_trigger = is_grouped(first) and all(review.reason == first.reason for review, _ in items)
    if one_trigger:
        detail = views.review_detail(first)
        text = detail.get("text") or first.reason.removeprefix("manual:")
        heading = prompts.part(NUDGE, "group_heading", text=text, by=detail.get("by", ""), count=len(items))
    else:
        heading = prompts.part(NUDGE, "sweep_heading", count=len(items))
    head = [blocks.section(heading)]
    listed: list[Block] = []
    shown: list[int] = []
    for review, info in items:
        if info is None:
            part: list[Block] = [blocks.context(views.build_outcome(prompts, "closed"))]
        else:
            outcome = outcomes.get(review.id) or settled_outcome(prompts, review, info, now)
            part = views.build_review(prompts, review, info, now=now, outcome=outcome, why=not one_trigger)
        more = len(items) - len(shown) - 1
        tail = [blocks.context(prompts.part(NUDGE, "group_more", more=more))] if more else []
        if not _fits([*head, *listed, *part, *tail]):
            break
        listed.extend(part)
        shown.append(review.id)
    more = len(items) - len(shown)
    tail = [blocks.context(prompts.part(NUDGE, "group_more", more=more))] if more else []
    return {
        "text": prompts.part(NUDGE, "group_fallback", count=len(items)),
        "blocks": blocks.message_blocks([*head, *listed, *tail]),
        "metadata": {"event_type": ids.NUDGE_EVENT,
                     "event_payload": {"review_id": shown[0] if shown else first.id, "review_ids": shown}},
    }


def _fits(candidate: list[Block]) -> bool:
    if len(candidate) > blocks.MESSAGE_BLOCKS:
        return False
    return len(json.dumps([b.to_dict() for b in candidate])) <= blocks.MESSAGE_CHARS


def rebuild(deps: Deps, db: Session, review: Review, *, outcome: str | None) -> dict | None:
    """The grouped DM that lists `review`, rebuilt from the database with `outcome` on that item;
    None when the DM lists `review` alone (it is a single nudge).

    `review` is included even when its row no longer points at the DM (a reassigned review
    moves on to its new owner's DM), so the click shows its outcome where it was made.
    """
    if not (review.channel_id and review.message_ts):
        return None
    rows = queries.reviews_on_message(db, channel_id=review.channel_id, message_ts=review.message_ts)
    rows = sorted([*(r for r in rows if r.id != review.id), review], key=lambda r: r.id or 0)
    if len(rows) < 2:
        return None
    items = [(row, describe(deps, db, row.subject_type, row.team_id, row.subject_id)) for row in rows]
    return build_group_message(deps.prompts, items, now=deps.clock.now(),
                               outcomes={review.id: outcome} if outcome else None)
