"""Reads over reviews: what the sweep must do now, and what Home and the digest show.

The sweep's reads are ranges of `ix_review_state_due` (state, due_at) or small state prefixes
(snoozed, in-flight claims), so their cost follows the number of reviews due, never the number
stored: done reviews and reviews due next quarter are never read. Every function takes the unit
of work's session first.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import and_, or_
from sqlmodel import Session, func, select

from storage.models import Review
from storage.states import OPEN_REVIEW_STATES, ReviewState

DIGEST = "digest"
_ACTIVE = tuple(state for state in OPEN_REVIEW_STATES if state != ReviewState.PENDING)


def due_nudges(db: Session, *, now: datetime, stale_before: datetime, limit: int) -> list[Review]:
    """Reviews to DM now: pending and due (not deferred), snoozes that ran out, abandoned claims.

    Up to `limit` of each kind, so abandoned claims another process still holds never crowd out
    the pending ones.
    """
    pending = (select(Review)
               .where(Review.state == ReviewState.PENDING, Review.due_at <= now,
                      or_(Review.snoozed_until.is_(None), Review.snoozed_until <= now))
               .order_by(Review.due_at).limit(limit))
    woken = select(Review).where(Review.state == ReviewState.SNOOZED, Review.snoozed_until <= now).limit(limit)
    abandoned = (select(Review).where(Review.state == ReviewState.SENDING, Review.sent_at <= stale_before)
                 .limit(limit))
    return [*db.exec(abandoned), *db.exec(woken), *db.exec(pending)]


def due_escalations(db: Session, *, overdue_before: datetime, stale_before: datetime, limit: int) -> list[Review]:
    """Sent (or unowned) reviews overdue past the escalation delay, and abandoned escalations."""
    overdue = (select(Review)
               .where(Review.state.in_((ReviewState.SENT, ReviewState.UNOWNED)), Review.due_at <= overdue_before)
               .order_by(Review.due_at).limit(limit))
    abandoned = (select(Review)
                 .where(Review.state == ReviewState.ESCALATING, Review.escalated_at <= stale_before).limit(limit))
    return [*db.exec(abandoned), *db.exec(overdue)]


def _due_now(now: datetime) -> object:
    return or_(Review.state.in_(_ACTIVE), and_(Review.state == ReviewState.PENDING, Review.due_at <= now))


def owner_reviews_due(db: Session, *, team_id: str, owner_id: str, now: datetime) -> list[Review]:
    """An owner's reviews that are due (whatever their nudge's state), oldest first."""
    return list(db.exec(
        select(Review)
        .where(Review.team_id == team_id, Review.owner_id == owner_id, Review.subject_type != DIGEST,
               _due_now(now))
        .order_by(Review.due_at, Review.id)
    ))


def team_reviews_overdue(db: Session, *, team_id: str, due_before: datetime, limit: int) -> tuple[list[Review], int]:
    """The workspace's open reviews due before `due_before`, oldest first, and how many in all
    (one nudged a minute ago is due, not yet overdue)."""
    where = (Review.team_id == team_id, Review.subject_type != DIGEST,
             Review.state.in_(OPEN_REVIEW_STATES), Review.due_at <= due_before)
    rows = list(db.exec(select(Review).where(*where).order_by(Review.due_at, Review.id).limit(limit)))
    total = db.exec(select(func.count()).select_from(Review).where(*where)).one()
    return rows, int(total)


def open_subjects(db: Session, *, team_id: str) -> list[tuple[str, int]]:
    """Every subject with an open review: each reviewable thing keeps its next cadence review open."""
    rows = db.exec(
        select(Review.subject_type, Review.subject_id)
        .where(Review.team_id == team_id, Review.subject_type != DIGEST, Review.state.in_(OPEN_REVIEW_STATES))
        .distinct()
        .order_by(Review.subject_type, Review.subject_id)
    ).all()
    return [(kind, int(subject_id)) for kind, subject_id in rows]


def teams_with_reviews(db: Session) -> list[str]:
    return list(db.exec(select(Review.team_id).distinct().order_by(Review.team_id)).all())


def open_reviews_for_subject(db: Session, *, team_id: str, subject_type: str, subject_id: int,
                             reason: str | None = None) -> list[Review]:
    query = select(Review).where(Review.team_id == team_id, Review.subject_type == subject_type,
                                 Review.subject_id == subject_id, Review.state.in_(OPEN_REVIEW_STATES))
    if reason is not None:
        query = query.where(Review.reason == reason)
    return list(db.exec(query.order_by(Review.due_at)))


def owner_subjects(db: Session, *, team_id: str, owner_id: str) -> list[tuple[str, int]]:
    """What one person owns: every reviewable subject keeps an open review in its owner's name."""
    rows = db.exec(
        select(Review.subject_type, Review.subject_id)
        .where(Review.team_id == team_id, Review.owner_id == owner_id, Review.subject_type != DIGEST,
               Review.state.in_(OPEN_REVIEW_STATES))
        .distinct()
        .order_by(Review.subject_type, Review.subject_id)
    ).all()
    return [(kind, int(subject_id)) for kind, subject_id in rows]


def ready_to_send(now: datetime, stale_before: datetime) -> object:
    """What the sweep may claim now: due pending reviews, woken snoozes, abandoned claims."""
    return or_(
        and_(Review.state == ReviewState.PENDING, Review.due_at <= now,
             or_(Review.snoozed_until.is_(None), Review.snoozed_until <= now)),
        and_(Review.state == ReviewState.SNOOZED, Review.snoozed_until <= now),
        and_(Review.state == ReviewState.SENDING, Review.sent_at <= stale_before),
    )


def due_group(db: Session, *, team_id: str, owner_id: str, now: datetime, stale_before: datetime, limit: int,
              reason: str | None = None) -> list[Review]:
    """One owner's due reviews (of one reason, when given), sent together as one DM.

    The same three kinds as `due_nudges`, narrowed to the owner, oldest id first.
    """
    query = select(Review).where(Review.team_id == team_id, Review.owner_id == owner_id,
                                 Review.subject_type != DIGEST, ready_to_send(now, stale_before))
    if reason is not None:
        query = query.where(Review.reason == reason)
    return list(db.exec(query.order_by(Review.id).limit(limit)))


def reviews_on_message(db: Session, *, channel_id: str, message_ts: str) -> list[Review]:
    """Every review one DM lists (a grouped nudge lists several), in the order it lists them."""
    return list(db.exec(
        select(Review).where(Review.channel_id == channel_id, Review.message_ts == message_ts).order_by(Review.id)))


def linked_changes_since(db: Session, *, team_id: str, subject_type: str, subject_id: int, since: datetime,
                         limit: int = 20) -> list[Review]:
    """Reviews a change to a linked item asked for since `since` (a review nudge says what changed
    since the last one), newest first. A linked review is due when its change happened."""
    return list(db.exec(
        select(Review)
        .where(Review.team_id == team_id, Review.subject_type == subject_type, Review.subject_id == subject_id,
               Review.reason == "linked", Review.due_at > since)
        .order_by(Review.due_at.desc())  # type: ignore[attr-defined]
        .limit(limit)
    ).all())
