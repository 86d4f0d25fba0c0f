"""What the review machinery needs from anything that can be reviewed (persona, later journey).

Governance works only through this protocol, so a new reviewable kind plugs in by registering
an implementation in `deps.subjects[kind]`, without any change to governance itself.

Every method takes the unit of work's session first (in a request: `ctx.db`), so what a click
changes on the subject commits with the review's own transition, at the ack, or not at all.
Implementations never commit, and never call Slack: Slack work after the commit goes through
`after_commit(db, deps.later, ...)`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Protocol, runtime_checkable

from slack_sdk import WebClient
from sqlalchemy import event
from sqlmodel import Session


@dataclass(frozen=True)
class SubjectInfo:
    """Enough to name a subject in a nudge and decide who may act on it."""

    kind: str
    subject_id: int
    title: str
    owner_id: str
    active: bool
    cadence_days: int
    next_review_at: datetime | None
    hypothesis: bool = False  # still a guess (a proto-persona): reviewed as "still our best guess"
    since: tuple[str, ...] = ()  # what changed since the last review, as lines to show (`with_changes`)


class ReviewSubject(Protocol):
    def describe(self, db: Session, *, team_id: str, subject_id: int) -> SubjectInfo | None:
        """None when the subject no longer exists."""

    def may_manage(self, db: Session, *, team_id: str, subject_id: int, user_id: str) -> bool:
        """Owner or a configured admin."""

    def mark_reviewed(self, db: Session, *, team_id: str, subject_id: int, user_id: str, now: datetime,
                      note: str = "") -> datetime:
        """Record the review (with `note`: what the reviewer learned, for a hypothesis) and keep
        the subject's next cadence review scheduled (once: `storage.reviews.schedule_next_cadence`);
        returns the next review date."""

    def open_editor(self, client: WebClient, *, trigger_id: str, team_id: str, subject_id: int,
                    user_id: str) -> None:
        """Open the subject's edit modal (views.open) for `user_id`; called after the ack."""

    def reassign(self, db: Session, *, team_id: str, subject_id: int, new_owner_id: str, by_user_id: str,
                 now: datetime) -> None:
        """Give the subject a new owner (a revision is recorded)."""

    def retire(self, db: Session, *, team_id: str, subject_id: int, by_user_id: str, now: datetime) -> None:
        """Mark the subject retired (a revision is recorded); it is no longer reviewed."""


@runtime_checkable
class DescribesChanges(Protocol):
    """A subject that can say what changed since its last review (new evidence, assumptions
    still open, linked changes): the lines a review nudge shows above its answers."""

    def changes_since_review(self, db: Session, *, team_id: str, subject_id: int) -> tuple[str, ...]:
        """Slack mrkdwn lines, user text already escaped; empty when there is nothing to say."""


def with_changes(subject: object, db: Session, info: SubjectInfo, *, team_id: str) -> SubjectInfo:
    """`info` with what changed since the last review, when its subject can tell."""
    if not isinstance(subject, DescribesChanges):
        return info
    return replace(info, since=tuple(subject.changes_since_review(db, team_id=team_id, subject_id=info.subject_id)))


LINK_REASSIGNED = "link_reassigned"  # the change a subject announces when one of its links has a new owner


@dataclass(frozen=True)
class SubjectLink:
    """A link between two reviewable items that has an owner of its own: a persona's layer on a
    journey, and who keeps it true. Its reviews live on the journey (`kind`, `subject_id`), in
    the link owner's name, so the sweep, Home and escalation treat them like any other."""

    link_id: int
    kind: str
    subject_id: int
    owner_id: str
    persona: str
    journey: str
    end_owners: tuple[str, ...] = ()  # the owners of the two linked items (nudged on their own)


@runtime_checkable
class HasLinks(Protocol):
    """A subject whose links to other items have owners (`linked` says which items; this, who
    keeps each link true): personas and journeys both list their persona-journey links."""

    def links(self, db: Session, *, team_id: str, subject_id: int) -> list[SubjectLink]:
        """The subject's links to active items; empty when it has none."""


@dataclass(frozen=True)
class SubjectChange:
    """Something changed on a reviewable subject; governance decides whom to nudge.

    `change` is one of: created, edited, suggested, evidence_added, reassigned, retired,
    link_reassigned (a link of the subject has a new owner: its open reviews follow).
    """

    team_id: str
    kind: str
    subject_id: int
    change: str
    by_user_id: str
    at: datetime
    detail: str = ""


ChangeListener = Callable[[Session, SubjectChange], None]


def announce_change(db: Session, listeners: list[ChangeListener], change: SubjectChange) -> None:
    """Tell every registered listener (`deps.on_change`) in the unit of work that made the change:
    what they write commits with it. Features call this after each change."""
    for listener in listeners:
        listener(db, change)


def after_commit(db: Session, later: Callable[..., None], work: Callable[..., None], /, *args: object,
                 **kwargs: object) -> None:
    """Run `work` (Slack calls) with `later` once `db`'s transaction commits; never if it rolls back.

    For code that holds only the session (a listener, a subject), not the request's context."""
    if not db.info.get("after_commit_hooked"):
        db.info["after_commit_hooked"] = True
        event.listen(db, "after_commit", _run_queued)
        event.listen(db, "after_rollback", _drop_queued)
    db.info.setdefault("after_commit", []).append((later, work, args, kwargs))


def _run_queued(db: Session) -> None:
    queued, db.info["after_commit"] = db.info.get("after_commit") or [], []
    for later, work, args, kwargs in queued:
        later(work, *args, **kwargs)


def _drop_queued(db: Session) -> None:
    db.info["after_commit"] = []
