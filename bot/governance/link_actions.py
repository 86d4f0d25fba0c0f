"""The answers to a persona-journey link's review (`links`): "Still true", "Open the layer" and
"Hand the link to…".

Like the other review answers (`actions`): read and settle through `ctx.db`, ack (which commits),
then update every place showing the review. Snoozing a link review is `actions.handle_snooze`.
"""

from __future__ import annotations

from slack_bolt import Ack

from bot.governance import links, views
from bot.governance.actions import answer, hand_review, load, may_own, settle
from bot.request_context import RequestContext
from storage.states import ReviewState


def handle_link_checked(ack: Ack, ctx: RequestContext) -> None:
    """The link owner (or the journey's owner, an admin) says the layer still holds: review done."""
    clicked = load(ctx, link=True)
    outcome = None
    if clicked is not None and settle(ctx, clicked, ReviewState.DONE, done_at=ctx.now()):
        detail = views.review_detail(clicked.review)
        outcome = views.build_outcome(ctx.deps.prompts, "link_checked", by=ctx.user_id,
                                      persona=detail.get("persona", ""), journey=clicked.info.title)
    answer(ack, ctx, clicked, outcome, also_home=(clicked.review.owner_id,) if clicked is not None else ())


def handle_link_open(ack: Ack, ctx: RequestContext) -> None:
    """The layer to check, opened to fill (the subject's `open_link`, else its editor); the review
    stays open until someone answers "Still true"."""
    clicked = load(ctx, link=True)
    answer(ack, ctx, clicked, None)
    if clicked is None:
        return
    review = clicked.review
    open_link = getattr(clicked.subject, "open_link", None)
    if callable(open_link):
        ctx.later(open_link, ctx.client, trigger_id=ctx.trigger_id, team_id=ctx.team_id,
                  subject_id=review.subject_id, link_id=links.link_id_of(review), user_id=ctx.user_id)
    else:
        ctx.later(clicked.subject.open_editor, ctx.client, trigger_id=ctx.trigger_id, team_id=ctx.team_id,
                  subject_id=review.subject_id, user_id=ctx.user_id)


def handle_link_reassign(ack: Ack, ctx: RequestContext) -> None:
    """"Hand the link to…": the new keeper takes the link and this review (its keeper left, or
    should not keep it). The subject hands the link over (`reassign_link`), which moves the
    link's other open reviews too."""
    clicked = load(ctx, link=True)
    new_owner = str(ctx.action.get("selected_user") or "")
    keeper = links.current(ctx.deps, ctx.db, clicked.review) if clicked is not None else None
    hand_over = getattr(clicked.subject, "reassign_link", None) if clicked is not None else None
    if clicked is None or keeper is None or not callable(hand_over) \
            or not may_own(ctx, new_owner, current=keeper.owner_id):
        answer(ack, ctx, None, None)
        return
    review = clicked.review
    previous = hand_review(ctx, clicked, new_owner)
    if previous is None:
        answer(ack, ctx, None, None)
        return
    hand_over(ctx.db, team_id=ctx.team_id, subject_id=review.subject_id, link_id=links.link_id_of(review),
              new_owner_id=new_owner, by_user_id=ctx.user_id, now=ctx.now())
    outcome = views.build_outcome(ctx.deps.prompts, "link_reassigned", by=ctx.user_id, to=new_owner,
                                  persona=keeper.persona, journey=keeper.journey)
    answer(ack, ctx, clicked, outcome, also_home=(new_owner, keeper.owner_id), dm=previous)
