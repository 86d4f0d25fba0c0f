"""What the review machinery needs from anything that can be reviewed (persona, later journey).

Governance works only through this protocol, so a new reviewable kind plugs in by registering
an implementation in `deps.subjects[kind]`, without any change to governance itself.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from slack_sdk import WebClient


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


class ReviewSubject(Protocol):
    def describe(self, team_id: str, subject_id: int) -> SubjectInfo | None:
        """None when the subject no longer exists."""

    def may_manage(self, team_id: str, subject_id: int, user_id: str) -> bool:
        """Owner or a configured admin."""

    def mark_reviewed(self, team_id: str, subject_id: int, user_id: str, now: datetime) -> datetime:
        """Record the review; returns the next review date (now + the subject's cadence)."""

    def open_editor(self, client: WebClient, trigger_id: str, team_id: str, subject_id: int,
                    user_id: str) -> None:
        """Open the subject's edit modal (views.open) for `user_id`."""

    def reassign(self, team_id: str, subject_id: int, new_owner_id: str, by_user_id: str,
                 now: datetime) -> None:
        """Give the subject a new owner (a revision is recorded)."""

    def retire(self, team_id: str, subject_id: int, by_user_id: str, now: datetime) -> None:
        """Mark the subject retired (a revision is recorded); it is no longer reviewed."""


@dataclass(frozen=True)
class SubjectChange:
    """Something changed on a reviewable subject; governance decides whom to nudge.

    `change` is one of: created, edited, suggested, evidence_added, reassigned, retired.
    """

    team_id: str
    kind: str
    subject_id: int
    change: str
    by_user_id: str
    at: datetime
    detail: str = ""


def announce_change(listeners: list, change: SubjectChange) -> None:
    """Tell every registered listener (`deps.on_change`); features call this after each change."""
    for listener in listeners:
        listener(change)
