"""Reviews (nudges to owners), generic over what is reviewed: `subject_type` + `subject_id`.

Every change of a review's state is a compare-and-set `UPDATE ... WHERE id = ? AND state = ?`
(plus the claim stamp where one is held), so two processes, a retried request or a double click
can never both win the same transition. States (`storage.states.ReviewState`):

    pending  -> sending -> sent -> (escalating -> escalated)      the nudge's life
    snoozed  -> sending                                           woken at `snoozed_until`
    any open -> done | cancelled | unowned                        owner acted / subject gone

`sending` and `escalating` are claims: `sent_at` / `escalated_at` hold the claim time, which is
both the fencing token (only the claimer may finish) and the lease start (a claim older than
the lease was abandoned by a crashed process, and the sweep may take it over).

Every function takes the unit of work's session first and never commits: a request's writes
commit with its ack, a sweep's claim commits in its own short unit of work before the post.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import update
from sqlalchemy.orm.attributes import set_committed_value
from sqlmodel import Session

from storage import review_queries as queries
from storage.db import insert_new
from storage.models import Review
from storage.states import OPEN_REVIEW_STATES, ReviewState

CADENCE = "cadence"


def schedule_review(db: Session, *, team_id: str, subject_type: str, subject_id: int, owner_id: str, reason: str,
                    due_at: datetime, detail: str = "") -> int | None:
    """Add a pending review; its id, or None when that (subject, reason, due_at) is already scheduled.

    The unique constraint, not a read-then-write, decides (INSERT .. ON CONFLICT DO NOTHING): two
    processes scheduling the same review at once still leave exactly one row, and neither fails.
    """
    rows = insert_new(db, Review, [{
        "team_id": team_id, "subject_type": subject_type, "subject_id": subject_id, "owner_id": owner_id,
        "reason": reason, "detail": detail, "due_at": due_at, "state": ReviewState.PENDING}],
        returning=(Review.id,))
    return int(rows[0][0]) if rows else None


def schedule_next_cadence(db: Session, *, team_id: str, subject_type: str, subject_id: int, owner_id: str,
                          due_at: datetime, now: datetime) -> int | None:
    """The subject's one upcoming cadence review: earlier future ones are cancelled first.

    A subject reviewed twice (a click here, an edit there) must not keep two cadence nudges.
    """
    db.execute(
        update(Review)
        .where(Review.team_id == team_id, Review.subject_type == subject_type,
               Review.subject_id == subject_id, Review.reason == CADENCE,
               Review.state == ReviewState.PENDING, Review.due_at > now, Review.due_at != due_at)
        .values(state=ReviewState.CANCELLED, done_at=now)
        .execution_options(synchronize_session=False)
    )
    return schedule_review(db, team_id=team_id, subject_type=subject_type, subject_id=subject_id,
                           owner_id=owner_id, reason=CADENCE, due_at=due_at)


def get_review(db: Session, *, team_id: str, review_id: int) -> Review | None:
    row = db.get(Review, review_id)
    return row if row is not None and row.team_id == team_id else None


def transition(db: Session, *, review_id: int, from_states: tuple[ReviewState, ...], to_state: ReviewState,
               **values: Any) -> bool:
    """Compare-and-set: move the review to `to_state` only if it is still in one of `from_states`."""
    return _update(db, review_id, from_states, {"state": to_state, **values})


def close(db: Session, *, review_id: int, to_state: ReviewState, **values: Any) -> bool:
    """Settle an open review (done, snoozed, cancelled, back to pending): False if it was settled already."""
    return transition(db, review_id=review_id, from_states=OPEN_REVIEW_STATES, to_state=to_state, **values)


def claim_nudge(db: Session, *, review_id: int, from_state: ReviewState, now: datetime,
                held_since: datetime | None = None) -> bool:
    """Take a due review (pending or snoozed) for sending; with `held_since`, take over a
    `sending` claim abandoned at that time."""
    if from_state == ReviewState.SENDING:
        return _update(db, review_id, (ReviewState.SENDING,), {"sent_at": now}, Review.sent_at == held_since)
    return _update(db, review_id, (from_state,), {"state": ReviewState.SENDING, "sent_at": now})


def claim_group(db: Session, *, review_ids: list[int], now: datetime, stale_before: datetime) -> set[int]:
    """Take several due reviews (one owner's grouped nudge) in ONE compare-and-set statement.

    Returns the ids this statement claimed. Two sweeps racing for the same group serialize on
    the rows' locks, and the loser's re-checked condition no longer holds, so an owner's group
    is not split between two DMs.
    """
    if not review_ids:
        return set()
    result = db.execute(
        update(Review)
        .where(Review.id.in_(review_ids), queries.ready_to_send(now, stale_before))
        .values(state=ReviewState.SENDING, sent_at=now)
        .returning(Review.id)
        .execution_options(synchronize_session=False)
    )
    return {int(row[0]) for row in result}


def claim_escalation(db: Session, *, review_id: int, from_state: ReviewState, now: datetime,
                     held_since: datetime | None = None) -> bool:
    """Take an overdue review (sent or unowned) for posting to the governance channel."""
    if from_state == ReviewState.ESCALATING:
        return _update(db, review_id, (ReviewState.ESCALATING,), {"escalated_at": now},
                       Review.escalated_at == held_since)
    return _update(db, review_id, (from_state,), {"state": ReviewState.ESCALATING, "escalated_at": now})


def finish_sending(db: Session, *, review_id: int, claimed_at: datetime, channel_id: str, message_ts: str,
                   final_state: ReviewState = ReviewState.SENT) -> bool:
    """Record the posted nudge; False when our claim was lost (the owner acted meanwhile, or a
    lease expired): the message is still recorded so a later outcome can update it."""
    won = _update(db, review_id, (ReviewState.SENDING,),
                  {"state": final_state, "channel_id": channel_id, "message_ts": message_ts},
                  Review.sent_at == claimed_at)
    if not won:
        db.execute(update(Review).where(Review.id == review_id, Review.message_ts.is_(None))
                   .values(channel_id=channel_id, message_ts=message_ts)
                   .execution_options(synchronize_session=False))
    return won


def finish_escalating(db: Session, *, review_id: int, claimed_at: datetime) -> bool:
    return _update(db, review_id, (ReviewState.ESCALATING,), {"state": ReviewState.ESCALATED},
                   Review.escalated_at == claimed_at)


def release_escalation(db: Session, *, review_id: int, claimed_at: datetime,
                       back_to: ReviewState = ReviewState.SENT) -> bool:
    """The channel post failed: back to where it was, so the next sweep tries again."""
    return _update(db, review_id, (ReviewState.ESCALATING,), {"state": back_to}, Review.escalated_at == claimed_at)


def release(db: Session, *, review_id: int, claimed_at: datetime, back_to: ReviewState, retry_at: datetime) -> bool:
    """Give a sending claim back after a failed post, to be tried again at `retry_at`."""
    return _update(db, review_id, (ReviewState.SENDING,), {"state": back_to, "snoozed_until": retry_at},
                   Review.sent_at == claimed_at)


def defer(db: Session, *, review_id: int, state: ReviewState, until: datetime) -> bool:
    """Not now (outside the owner's working hours): look again at `until`."""
    return _update(db, review_id, (state,), {"snoozed_until": until})


def update_owner(db: Session, *, review_id: int, owner_id: str) -> None:
    db.execute(update(Review).where(Review.id == review_id).values(owner_id=owner_id)
               .execution_options(synchronize_session=False))


def cancel_open_for_subject(db: Session, *, team_id: str, subject_type: str, subject_id: int, now: datetime,
                            reasons: tuple[str, ...] | None = None) -> int:
    """Close every open review of a subject (retired, deleted); returns how many."""
    query = update(Review).where(
        Review.team_id == team_id, Review.subject_type == subject_type, Review.subject_id == subject_id,
        Review.state.in_(OPEN_REVIEW_STATES))
    if reasons is not None:
        query = query.where(Review.reason.in_(reasons))
    result = db.execute(query.values(state=ReviewState.CANCELLED, done_at=now)
                        .execution_options(synchronize_session=False))
    return result.rowcount or 0  # type: ignore[attr-defined]


def cancel_open_for_team(db: Session, *, team_id: str, now: datetime) -> int:
    """Close every open review of a workspace (it removed the app): nothing more is nudged there."""
    result = db.execute(update(Review).where(Review.team_id == team_id, Review.state.in_(OPEN_REVIEW_STATES))
                        .values(state=ReviewState.CANCELLED, done_at=now)
                        .execution_options(synchronize_session=False))
    return result.rowcount or 0  # type: ignore[attr-defined]


def reassign_open_for_subject(db: Session, *, team_id: str, subject_type: str, subject_id: int,
                              owner_id: str, reasons: tuple[str, ...] | None = None,
                              except_prefix: str = "") -> int:
    """Open reviews follow the subject to its new owner; not-yet-sent ones will DM that owner.

    `reasons` narrows it to those reasons; reviews whose reason starts with `except_prefix` stay
    with whoever has them (a link's reviews belong to the link's owner, not the subject's)."""
    query = update(Review).where(
        Review.team_id == team_id, Review.subject_type == subject_type, Review.subject_id == subject_id,
        Review.state.in_(OPEN_REVIEW_STATES), Review.owner_id != owner_id)
    if reasons is not None:
        query = query.where(Review.reason.in_(reasons))
    if except_prefix:
        query = query.where(~Review.reason.startswith(except_prefix, autoescape=True))
    result = db.execute(query.values(owner_id=owner_id).execution_options(synchronize_session=False))
    return result.rowcount or 0  # type: ignore[attr-defined]


def _update(db: Session, review_id: int, from_states: tuple[ReviewState, ...], values: dict[str, Any],
            *conditions: Any) -> bool:
    result = db.execute(
        update(Review).where(Review.id == review_id, Review.state.in_(from_states), *conditions).values(**values)
        .execution_options(synchronize_session=False)
    )
    won = result.rowcount == 1  # type: ignore[attr-defined]
    if won:
        row = db.identity_map.get(db.identity_key(Review, review_id))
        if row is not None:  # the row this unit of work already holds shows what it just wrote
            for key, value in values.items():
                set_committed_value(row, key, value)
    return won
