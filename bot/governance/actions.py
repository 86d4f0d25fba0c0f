"""The five one-click answers to a review, from a DM nudge, an escalation or App Home.

Each handler reads the review and its subject through `ctx.db`, settles the review with a
compare-and-set (a double click or a second admin gets a polite "already handled"), changes the
subject through its `ReviewSubject` in the same unit of work, and acks: the ack commits all of
it. Only then, on `ctx.later`, is every place showing the review updated: the DM nudge, the
message clicked, the Home tabs concerned.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import timedelta

from slack_bolt import Ack

from bot.governance import ids, links, views
from bot.governance.outcomes import show_outcome
from bot.home.publish import publish
from bot.modal_open import open_modal
from bot.modal_values import ModalValues
from bot.numbers import row_id
from bot.owners import refusal
from bot.private_reply import tell_user
from bot.request_context import RequestContext
from bot.review_subjects import ReviewSubject, SubjectInfo
from storage import reviews as store
from storage.models import Review
from storage.states import OPEN_REVIEW_STATES, ReviewState

ERRORS = "governance/errors"


@dataclass
class Clicked:
    """What one click is about: the open review, its subject, and what the subject is now."""

    review: Review
    subject: ReviewSubject
    info: SubjectInfo


def review_id_of(ctx: RequestContext) -> int | None:
    """Selects carry no value of ours: the block id (`review:<id>`) says which review, else the value."""
    raw = str(ctx.action.get("block_id") or "").removeprefix(ids.REVIEW_BLOCK_PREFIX)
    return row_id(raw) or row_id(ctx.value.rpartition(":")[2])


def say(ctx: RequestContext, macro: str, **context: object) -> None:
    """After the ack: an answer only the clicker sees."""
    ctx.later(tell_user, ctx.body, ctx.client, ctx.deps.prompts.part(ERRORS, macro, **context))


def load(ctx: RequestContext, review_id: int | None = None, *, link: bool | None = False) -> Clicked | None:
    """The open review clicked, if the clicker may act on it; otherwise they are told why.

    `link`: the action answers a link review (True), any other review (False), or either (None).
    A link review is answered by the link's owner as it is now, or whoever manages the subject.
    """
    review_id = review_id if review_id is not None else review_id_of(ctx)
    review = store.get_review(ctx.db, team_id=ctx.team_id, review_id=review_id) if review_id is not None else None
    if review is None or review.state not in OPEN_REVIEW_STATES:
        say(ctx, "already_handled")
        return None
    subject = ctx.deps.subjects.get(review.subject_type)
    info = subject.describe(ctx.db, team_id=ctx.team_id, subject_id=review.subject_id) if subject else None
    owner = links.owner_of(ctx.deps, ctx.db, review, info) if info is not None else None
    if subject is None or info is None or not info.active or owner is None:
        store.close(ctx.db, review_id=review.id, to_state=ReviewState.CANCELLED, done_at=ctx.now())
        say(ctx, "gone")
        return None
    is_link = links.is_link(review)
    if (link is not None and is_link != link) or not (
            (is_link and ctx.user_id == owner)
            or subject.may_manage(ctx.db, team_id=ctx.team_id, subject_id=review.subject_id, user_id=ctx.user_id)):
        say(ctx, "not_allowed_link" if is_link else "not_allowed", info=info, owner=owner)
        return None
    return Clicked(review, subject, info)


def settle(ctx: RequestContext, clicked: Clicked, to_state: ReviewState, **values: object) -> bool:
    if store.close(ctx.db, review_id=clicked.review.id, to_state=to_state, **values):
        return True
    say(ctx, "already_handled")
    return False


def answer(ack: Ack, ctx: RequestContext, clicked: Clicked | None, outcome: str | None,
           *, also_home: tuple[str, ...] = (), dm: tuple[str | None, str | None] | None = None,
           container: dict | None = None) -> None:
    """Ack (which commits), then show the outcome and refresh the Home tabs concerned."""
    ack()
    if clicked is not None and outcome is not None:
        review = clicked.review
        ctx.later(show_outcome, ctx.deps, ctx.client, review=review, info=clicked.info, outcome=outcome,
                  clicked=container if container is not None else ctx.body.get("container") or {},
                  dm=dm or (review.channel_id, review.message_ts))
    for user_id in dict.fromkeys((ctx.user_id, *also_home)):
        ctx.later(publish, ctx.deps, ctx.client, team_id=ctx.team_id, user_id=user_id)


def handle_still_accurate(ack: Ack, ctx: RequestContext) -> None:
    clicked = load(ctx)
    if clicked is not None and clicked.info.hypothesis:  # "Still our best guess": what did we learn?
        view = views.build_learned_modal(ctx.deps.prompts, clicked.review, clicked.info,
                                         clicked=ctx.body.get("container") or {})
        ack()
        ctx.later(open_modal, ctx, view)
        return
    outcome = None
    if clicked is not None and settle(ctx, clicked, ReviewState.DONE, done_at=ctx.now()):
        next_at = clicked.subject.mark_reviewed(ctx.db, team_id=ctx.team_id, subject_id=clicked.review.subject_id,
                                                user_id=ctx.user_id, now=ctx.now())
        outcome = views.build_outcome(ctx.deps.prompts, "reviewed", by=ctx.user_id, next=views.slack_date(next_at))
    answer(ack, ctx, clicked, outcome)


def handle_learned_submit(ack: Ack, ctx: RequestContext) -> None:
    """A hypothesis kept as the best guess, with what we learned as the review's note."""
    learned = " ".join(ModalValues(ctx.view).text(ids.LEARNED_BLOCK).split())[:300]
    if not learned:
        ack(response_action="errors", errors={ids.LEARNED_BLOCK: ctx.deps.prompts.part(ERRORS, "learned_empty")})
        return
    meta = _json(ctx.private_metadata)
    raw = meta.get("review")
    clicked = load(ctx, raw) if isinstance(raw, int) else None
    outcome = None
    if clicked is not None and settle(ctx, clicked, ReviewState.DONE, done_at=ctx.now()):
        next_at = clicked.subject.mark_reviewed(ctx.db, team_id=ctx.team_id, subject_id=clicked.review.subject_id,
                                                user_id=ctx.user_id, now=ctx.now(), note=learned)
        outcome = views.build_outcome(ctx.deps.prompts, "best_guess", by=ctx.user_id, learned=learned,
                                      next=views.slack_date(next_at))
    answer(ack, ctx, clicked, outcome, container=meta.get("clicked") if isinstance(meta.get("clicked"), dict)
           else {})


def _json(text: str) -> dict:
    try:
        value = json.loads(text or "{}")
    except ValueError:
        return {}
    return value if isinstance(value, dict) else {}


def handle_update_now(ack: Ack, ctx: RequestContext) -> None:
    clicked = load(ctx)
    answer(ack, ctx, clicked, None)
    if clicked is not None:
        ctx.later(clicked.subject.open_editor, ctx.client, trigger_id=ctx.trigger_id, team_id=ctx.team_id,
                  subject_id=clicked.review.subject_id, user_id=ctx.user_id)


def handle_snooze(ack: Ack, ctx: RequestContext) -> None:
    days = ids.SNOOZE_OPTIONS.get(ctx.value.partition(":")[0])
    clicked = load(ctx, link=None) if days is not None else None  # a link review snoozes like any other
    outcome = None
    if clicked is not None and days is not None:
        until = ctx.now() + timedelta(days=days)
        if settle(ctx, clicked, ReviewState.SNOOZED, snoozed_until=until):
            outcome = views.build_outcome(ctx.deps.prompts, "snoozed", by=ctx.user_id,
                                          until=views.slack_date(until, with_time=True))
    answer(ack, ctx, clicked, outcome)


def handle_reassign(ack: Ack, ctx: RequestContext) -> None:
    clicked = load(ctx)
    new_owner = str(ctx.action.get("selected_user") or "")
    if clicked is None or not may_own(ctx, new_owner, current=clicked.info.owner_id):
        answer(ack, ctx, None, None)
        return
    review = clicked.review
    previous = hand_review(ctx, clicked, new_owner)
    if previous is None:
        answer(ack, ctx, None, None)
        return
    clicked.subject.reassign(ctx.db, team_id=ctx.team_id, subject_id=review.subject_id, new_owner_id=new_owner,
                             by_user_id=ctx.user_id, now=ctx.now())
    store.reassign_open_for_subject(ctx.db, team_id=ctx.team_id, subject_type=review.subject_type,
                                    subject_id=review.subject_id, owner_id=new_owner,
                                    except_prefix=links.PREFIX)  # a link's reviews stay with its owner
    answer(ack, ctx, clicked, views.build_outcome(ctx.deps.prompts, "reassigned", by=ctx.user_id, to=new_owner),
           also_home=(new_owner,), dm=previous)  # the old DM shows where it went


def hand_review(ctx: RequestContext, clicked: Clicked, new_owner: str) -> tuple[str | None, str | None] | None:
    """The review passes to `new_owner`, pending, with no DM yet (the next sweep sends theirs).
    Returns where the old DM was (to show where it went), or None when it was handled meanwhile."""
    review = clicked.review
    previous = (review.channel_id, review.message_ts)
    if not settle(ctx, clicked, ReviewState.PENDING, owner_id=new_owner, snoozed_until=None, channel_id=None,
                  message_ts=None):
        return None
    return previous


def may_own(ctx: RequestContext, new_owner: str, *, current: str) -> bool:
    """A person still in the workspace (users.info, cached: the one Slack read before the ack),
    and not the one who owns it already."""
    if new_owner == current:
        say(ctx, "same_owner", user=new_owner)
        return False
    reason = refusal(ctx.deps, team_id=ctx.team_id, user_id=new_owner)
    if reason is not None:
        ctx.later(tell_user, ctx.body, ctx.client,
                  ctx.deps.prompts.part("errors/owner", "refused", user=new_owner, reason=reason))
        return False
    return True


def handle_retire(ack: Ack, ctx: RequestContext) -> None:
    clicked = load(ctx)
    outcome = None
    if clicked is not None and settle(ctx, clicked, ReviewState.DONE, done_at=ctx.now()):
        review = clicked.review
        clicked.subject.retire(ctx.db, team_id=ctx.team_id, subject_id=review.subject_id, by_user_id=ctx.user_id,
                               now=ctx.now())
        store.cancel_open_for_subject(ctx.db, team_id=ctx.team_id, subject_type=review.subject_type,
                                      subject_id=review.subject_id, now=ctx.now())
        outcome = views.build_outcome(ctx.deps.prompts, "retired", by=ctx.user_id)
    answer(ack, ctx, clicked, outcome)
