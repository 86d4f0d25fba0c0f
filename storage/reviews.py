"""Reviews (nudges to owners), generic over what is reviewed: `subject_type` + `subject_id`.

Every change of a review's state is a compare-and-set `UPDATE ... WHERE id = ? AND state = ?`
(plus the claim stamp where one is held), so two processes, a retried request or a double click
can never both win the same transition. States:

    pending  -> sending -> sent -> (escalating -> escalated)      the nudge's life
    snoozed  -> sending                                           woken at `snoozed_until`
    any open -> done | cancelled | unowned                        owner acted / subject gone

`sending` and `escalating` are claims: `sent_at` / `escalated_at` hold the claim time, which is
both the fencing token (only the claimer may finish) and the lease start (a claim older than
the lease was abandoned by a crashed process, and the sweep may take it over).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import update
from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session

from storage import review_queries as queries
from storage.models import Review

OPEN_STATES = ("pending", "sending", "sent", "snoozed", "escalating", "escalated", "unowned")


def schedule_review(
    engine: Engine,
    *,
    team_id: str,
    subject_type: str,
    subject_id: int,
    owner_id: str,
    reason: str,
    due_at: datetime,
    detail: str = "",
) -> Review | None:
    """Add a pending review; None when that (subject, reason, due_at) is already scheduled.

    The unique constraint, not a read-then-write, decides: two processes scheduling the same
    review at once still leave exactly one row.
    """
    row = Review(team_id=team_id, subject_type=subject_type, subject_id=subject_id, owner_id=owner_id,
                 reason=reason, detail=detail, due_at=due_at)
    with Session(engine, expire_on_commit=False) as session:
        session.add(row)
        try:
            session.commit()
        except IntegrityError:
            session.rollback()
            return None
    return row


def schedule_next_cadence(
    engine: Engine, *, team_id: str, subject_type: str, subject_id: int, owner_id: str, due_at: datetime,
    now: datetime,
) -> Review | None:
    """The subject's one upcoming cadence review: earlier future ones are cancelled first.

    A subject reviewed twice (a click here, an edit there) must not keep two cadence nudges.
    """
    with Session(engine) as session:
        session.execute(
            update(Review)
            .where(Review.team_id == team_id, Review.subject_type == subject_type,
                   Review.subject_id == subject_id, Review.reason == "cadence",
                   Review.state == "pending", Review.due_at > now, Review.due_at != due_at)
            .values(state="cancelled", done_at=now)
        )
        session.commit()
    return schedule_review(engine, team_id=team_id, subject_type=subject_type, subject_id=subject_id,
                           owner_id=owner_id, reason="cadence", due_at=due_at)


def get_review(engine: Engine, *, team_id: str, review_id: int) -> Review | None:
    with Session(engine) as session:
        row = session.get(Review, review_id)
        return row if row is not None and row.team_id == team_id else None


def transition(
    engine: Engine, *, review_id: int, from_states: tuple[str, ...], to_state: str, **values: Any
) -> bool:
    """Compare-and-set: move the review to `to_state` only if it is still in one of `from_states`."""
    return _update(engine, review_id, from_states, {"state": to_state, **values})


def claim_nudge(engine: Engine, *, review_id: int, from_state: str, now: datetime,
                held_since: datetime | None = None) -> bool:
    """Take a due review (pending or snoozed) for sending; with `held_since`, take over a
    `sending` claim abandoned at that time."""
    if from_state == "sending":
        return _update(engine, review_id, ("sending",), {"sent_at": now}, Review.sent_at == held_since)
    return _update(engine, review_id, (from_state,), {"state": "sending", "sent_at": now})


def claim_group(engine: Engine, *, review_ids: list[int], now: datetime, stale_before: datetime) -> set[int]:
    """Take several due reviews (one owner's grouped nudge) in ONE compare-and-set statement.

    Returns the ids this statement claimed. Two sweeps racing for the same group serialize on
    the rows' locks, and the loser's re-checked condition no longer holds, so an owner's group
    is not split between two DMs.
    """
    if not review_ids:
        return set()
    with Session(engine) as session:
        result = session.execute(
            update(Review)
            .where(Review.id.in_(review_ids), queries.ready_to_send(now, stale_before))
            .values(state="sending", sent_at=now)
            .returning(Review.id)
        )
        claimed = {int(row[0]) for row in result}
        session.commit()
    return claimed


def claim_escalation(engine: Engine, *, review_id: int, from_state: str, now: datetime,
                     held_since: datetime | None = None) -> bool:
    """Take an overdue review (sent or unowned) for posting to the governance channel."""
    if from_state == "escalating":
        return _update(engine, review_id, ("escalating",), {"escalated_at": now},
                       Review.escalated_at == held_since)
    return _update(engine, review_id, (from_state,), {"state": "escalating", "escalated_at": now})


def finish_sending(engine: Engine, *, review_id: int, claimed_at: datetime, channel_id: str,
                   message_ts: str, final_state: str = "sent") -> bool:
    """Record the posted nudge; False when our claim was lost (the owner acted meanwhile, or a
    lease expired): the message is still recorded so a later outcome can update it."""
    won = _update(engine, review_id, ("sending",),
                  {"state": final_state, "channel_id": channel_id, "message_ts": message_ts},
                  Review.sent_at == claimed_at)
    if not won:
        with Session(engine) as session:
            session.execute(update(Review).where(Review.id == review_id, Review.message_ts.is_(None))
                            .values(channel_id=channel_id, message_ts=message_ts))
            session.commit()
    return won


def finish_escalating(engine: Engine, *, review_id: int, claimed_at: datetime) -> bool:
    return _update(engine, review_id, ("escalating",), {"state": "escalated"},
                   Review.escalated_at == claimed_at)


def release_escalation(engine: Engine, *, review_id: int, claimed_at: datetime,
                       back_to: str = "sent") -> bool:
    """The channel post failed: back to where it was, so the next sweep tries again."""
    return _update(engine, review_id, ("escalating",), {"state": back_to}, Review.escalated_at == claimed_at)


def release(engine: Engine, *, review_id: int, claimed_at: datetime, back_to: str,
            retry_at: datetime) -> bool:
    """Give a sending claim back after a failed post, to be tried again at `retry_at`."""
    return _update(engine, review_id, ("sending",), {"state": back_to, "snoozed_until": retry_at},
                   Review.sent_at == claimed_at)


def defer(engine: Engine, *, review_id: int, state: str, until: datetime) -> bool:
    """Not now (outside the owner's working hours): look again at `until`."""
    return _update(engine, review_id, (state,), {"snoozed_until": until})


def update_owner(engine: Engine, *, review_id: int, owner_id: str) -> None:
    with Session(engine) as session:
        session.execute(update(Review).where(Review.id == review_id).values(owner_id=owner_id))
        session.commit()


def cancel_open_for_subject(engine: Engine, *, team_id: str, subject_type: str, subject_id: int,
                            now: datetime, reasons: tuple[str, ...] | None = None) -> int:
    """Close every open review of a subject (retired, deleted); returns how many."""
    query = update(Review).where(
        Review.team_id == team_id, Review.subject_type == subject_type, Review.subject_id == subject_id,
        Review.state.in_(OPEN_STATES))
    if reasons is not None:
        query = query.where(Review.reason.in_(reasons))
    with Session(engine) as session:
        result = session.execute(query.values(state="cancelled", done_at=now))
        session.commit()
        return result.rowcount or 0


def reassign_open_for_subject(engine: Engine, *, team_id: str, subject_type: str, subject_id: int,
                              owner_id: str) -> int:
    """Open reviews follow the subject to its new owner; not-yet-sent ones will DM that owner."""
    with Session(engine) as session:
        result = session.execute(
            update(Review)
            .where(Review.team_id == team_id, Review.subject_type == subject_type,
                   Review.subject_id == subject_id, Review.state.in_(OPEN_STATES),
                   Review.owner_id != owner_id)
            .values(owner_id=owner_id)
        )
        session.commit()
        return result.rowcount or 0


def _update(engine: Engine, review_id: int, from_states: tuple[str, ...], values: dict[str, Any],
            *conditions: Any) -> bool:
    with Session(engine) as session:
        result = session.execute(
            update(Review).where(Review.id == review_id, Review.state.in_(from_states), *conditions)
            .values(**values)
        )
        session.commit()
        return result.rowcount == 1
