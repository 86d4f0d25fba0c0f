"""The nudge sweep: DM each due review to its owner exactly once.

The database decides what is due; each review is claimed with a compare-and-set before the
post, so two sweeps (threads, processes, replicas) never both send it. A claim carries a lease:
a process that dies between claim and post leaves a `sending` row whose claim time is older
than the lease, and the next sweep takes it over (first checking the DM for a nudge that did go
out before the crash). A post that got no answer (timeout) is treated the same way, since Slack
may have accepted it. The lease is far longer than the longest post (15 s timeout, three `429`
retries), so a slow post is never taken over while it is still running.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime, timedelta

from slack_sdk.errors import SlackApiError
from sqlmodel import Session

from bot.deps import Deps
from bot.governance import groups, views
from bot.governance.delivery import already_posted
from bot.governance.owners import OwnerDirectory, WorkingHours
from bot.review_subjects import SubjectInfo, with_changes
from storage import review_queries as queries
from storage import reviews as store
from storage.db import unit_of_work
from storage.models import Review
from storage.states import ReviewState

log = logging.getLogger(__name__)
LEASE = timedelta(minutes=15)
RETRY_AFTER_FAILURE = timedelta(minutes=5)
BATCH = 200
GROUP_MAX = 1000  # reviews one grouped DM claims; the DM lists what fits, Home shows them all
UNREACHABLE = frozenset({"user_not_found", "account_inactive", "user_disabled", "cannot_dm_bot",
                         "channel_not_found", "is_archived"})


class NudgeSweep:
    """One pass: every due review is sent, deferred to working hours, or closed."""

    def __init__(self, deps: Deps, owners: OwnerDirectory,
                 special: dict[str, Callable[[Review, datetime], None]] | None = None) -> None:
        self.deps = deps
        self.owners = owners
        self.hours = WorkingHours(deps.settings.nudge_hour, deps.settings.nudge_end_hour)
        self.special = special or {}

    def run(self) -> int:
        """Handle everything due now; returns how many nudges were posted by this process."""
        now = self.deps.clock.now()
        seen: set[int] = set()
        sent = 0
        while True:
            with unit_of_work(self.deps.engine) as db:
                rows = [r for r in queries.due_nudges(db, now=now, stale_before=now - LEASE, limit=BATCH)
                        if r.id not in seen]
            if not rows:
                return sent
            for row in rows:
                if row.id in seen:
                    continue
                seen.add(row.id)
                try:
                    sent += self._handle(row, now, seen)
                except Exception:
                    log.exception("review %s could not be handled; the next sweep tries again", row.id)

    def _check(self, db: Session, row: Review, now: datetime) -> SubjectInfo | None:
        """The subject of a due review, or None once the review was closed or left for later."""
        subject = self.deps.subjects.get(row.subject_type)
        if subject is None:
            store.defer(db, review_id=row.id, state=row.state, until=now + timedelta(days=1))
            return None
        info = subject.describe(db, team_id=row.team_id, subject_id=row.subject_id)
        if info is None or not info.active or _superseded(row, info.next_review_at):
            store.transition(db, review_id=row.id, from_states=(row.state,), to_state=ReviewState.CANCELLED,
                             done_at=now)
            return None
        return with_changes(subject, db, info, team_id=row.team_id)  # what changed since the last review

    def _handle(self, row: Review, now: datetime, seen: set[int]) -> int:
        deliver = self.special.get(row.subject_type)
        if deliver is not None:
            deliver(row, now)
            return 0
        with unit_of_work(self.deps.engine) as db:
            info = self._check(db, row, now)
            if info is not None and info.owner_id != row.owner_id:
                store.update_owner(db, review_id=row.id, owner_id=info.owner_id)
                row.owner_id = info.owner_id
        if info is None:
            return 0
        owner = self.owners.lookup(row.team_id, row.owner_id)  # users.info, cached: outside any transaction
        slot = self.hours.next_slot(now, owner.tz)
        with unit_of_work(self.deps.engine) as db:
            if owner.gone:
                store.transition(db, review_id=row.id, from_states=(row.state,), to_state=ReviewState.UNOWNED)
                return 0
            if row.state != ReviewState.SENDING and slot > now:
                store.defer(db, review_id=row.id, state=row.state, until=slot)
                return 0
        if groups.is_grouped(row):
            return self._handle_group(row, now, seen)
        claimed = self._claim(row, now)
        if claimed is None:
            return 0
        message = views.build_nudge_message(self.deps.prompts, row, info, now=now)
        return self._post([claimed], lambda: message, now)

    def _claim(self, row: Review, now: datetime) -> tuple[Review, str, datetime | None] | None:
        """Compare-and-set claim of one review: (row, state to fall back to, claim taken over)."""
        held_since = row.sent_at if row.state == ReviewState.SENDING else None
        with unit_of_work(self.deps.engine) as db:
            if not store.claim_nudge(db, review_id=row.id, from_state=row.state, now=now, held_since=held_since):
                return None
        back_to = ReviewState.SNOOZED if row.state == ReviewState.SNOOZED else ReviewState.PENDING
        row.state = ReviewState.SENDING
        return row, back_to, held_since

    def _handle_group(self, row: Review, now: datetime, seen: set[int]) -> int:
        """One DM for all of an owner's due reviews of one manual trigger, claimed in one statement."""
        with unit_of_work(self.deps.engine) as db:
            rows = queries.due_group(db, team_id=row.team_id, owner_id=row.owner_id, reason=row.reason, now=now,
                                     stale_before=now - LEASE, limit=GROUP_MAX)
            candidates: dict[int, tuple[Review, SubjectInfo]] = {}
            for candidate in rows:
                seen.add(candidate.id)
                info = self._check(db, candidate, now)
                if info is not None and info.owner_id == candidate.owner_id:
                    candidates[candidate.id] = (candidate, info)  # others: closed, or handled for their new owner
        with unit_of_work(self.deps.engine) as db:
            won = store.claim_group(db, review_ids=list(candidates), now=now, stale_before=now - LEASE)
        claimed, items = [], []
        for review_id in sorted(won):
            review, info = candidates[review_id]
            held_since = review.sent_at if review.state == ReviewState.SENDING else None
            claimed.append((review, ReviewState.SNOOZED if review.state == ReviewState.SNOOZED
                            else ReviewState.PENDING, held_since))
            review.state = ReviewState.SENDING
            items.append((review, info))
        if not claimed:
            return 0
        return self._post(claimed, lambda: groups.build_group_message(self.deps.prompts, items, now=now), now)

    def _post(self, claimed: list[tuple[Review, str, datetime | None]], build: Callable[[], dict],
              now: datetime) -> int:
        """Post one DM for the claimed reviews and record it on each; on failure give the claims back."""
        client = self.deps.client
        first = claimed[0][0]
        try:
            taken_over = [held for _, _, held in claimed if held is not None]
            if taken_over:
                found = already_posted(client, owner_id=first.owner_id, review_ids=[r.id for r, _, _ in claimed],
                                       since=min(taken_over))
                if found is not None:
                    with unit_of_work(self.deps.engine) as db:
                        for row, _, _ in claimed:
                            store.finish_sending(db, review_id=row.id, claimed_at=now, channel_id=found[0],
                                                 message_ts=found[1])
                    return 0
            posted = client.chat_postMessage(channel=first.owner_id, **build())
        except SlackApiError as exc:
            error = exc.response.get("error", "")
            if error in UNREACHABLE:
                self.owners.forget(first.team_id, first.owner_id)
            else:
                log.warning("nudge %s not sent (%s); retrying in %s", first.id, error, RETRY_AFTER_FAILURE)
            with unit_of_work(self.deps.engine) as db:
                for row, back_to, _ in claimed:
                    if error in UNREACHABLE:
                        store.release(db, review_id=row.id, claimed_at=now, back_to=ReviewState.UNOWNED,
                                      retry_at=now)
                    else:
                        store.release(db, review_id=row.id, claimed_at=now, back_to=back_to,
                                      retry_at=now + RETRY_AFTER_FAILURE)
            return 0
        except OSError as exc:
            # No answer (a timeout): Slack may have posted it. Keep the claims; once the lease runs
            # out the sweep takes them over and looks in the DM before posting again.
            log.warning("nudge %s: no answer from Slack (%s); checking again after the lease", first.id, exc)
            return 0
        with unit_of_work(self.deps.engine) as db:
            lost = [row.id for row, _, _ in claimed
                    if not store.finish_sending(db, review_id=row.id, claimed_at=now, channel_id=posted["channel"],
                                                message_ts=posted["ts"])]
        for review_id in lost:
            log.warning("nudge %s was posted after its claim was lost; the outcome will update it", review_id)
        return 1


def _superseded(row: Review, next_review_at: datetime | None) -> bool:
    """A cadence review whose subject was reviewed meanwhile (its next review moved later)."""
    return (row.reason == "cadence" and next_review_at is not None
            and next_review_at > row.due_at + timedelta(minutes=1))
