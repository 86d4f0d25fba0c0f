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

from bot.deps import Deps
from bot.governance import views
from bot.governance.delivery import already_posted
from bot.governance.owners import OwnerDirectory, WorkingHours
from storage import review_queries as queries
from storage import reviews as store
from storage.models import Review

log = logging.getLogger(__name__)
LEASE = timedelta(minutes=15)
RETRY_AFTER_FAILURE = timedelta(minutes=5)
BATCH = 200
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
            rows = [r for r in queries.due_nudges(self.deps.engine, now=now, stale_before=now - LEASE,
                                                  limit=BATCH) if r.id not in seen]
            if not rows:
                return sent
            for row in rows:
                seen.add(row.id)
                try:
                    sent += self._handle(row, now)
                except Exception:
                    log.exception("review %s could not be handled; the next sweep tries again", row.id)

    def _handle(self, row: Review, now: datetime) -> int:
        deliver = self.special.get(row.subject_type)
        if deliver is not None:
            deliver(row, now)
            return 0
        subject = self.deps.subjects.get(row.subject_type)
        if subject is None:
            store.defer(self.deps.engine, review_id=row.id, state=row.state, until=now + timedelta(days=1))
            return 0
        info = subject.describe(row.team_id, row.subject_id)
        if info is None or not info.active or _superseded(row, info.next_review_at):
            store.transition(self.deps.engine, review_id=row.id, from_states=(row.state,),
                             to_state="cancelled", done_at=now)
            return 0
        if info.owner_id != row.owner_id:
            store.update_owner(self.deps.engine, review_id=row.id, owner_id=info.owner_id)
            row.owner_id = info.owner_id
        owner = self.owners.lookup(row.team_id, row.owner_id)
        if owner.gone:
            store.transition(self.deps.engine, review_id=row.id, from_states=(row.state,), to_state="unowned")
            return 0
        slot = self.hours.next_slot(now, owner.tz)
        if row.state != "sending" and slot > now:
            store.defer(self.deps.engine, review_id=row.id, state=row.state, until=slot)
            return 0
        held_since = row.sent_at if row.state == "sending" else None
        if not store.claim_nudge(self.deps.engine, review_id=row.id, from_state=row.state, now=now,
                                 held_since=held_since):
            return 0
        back_to = "snoozed" if row.state == "snoozed" else "pending"
        row.state = "sending"
        return self._post(row, info, now, back_to=back_to, taking_over=held_since is not None)

    def _post(self, row: Review, info: object, now: datetime, *, back_to: str, taking_over: bool) -> int:
        client = self.deps.client
        try:
            if taking_over:
                found = already_posted(client, owner_id=row.owner_id, review_id=row.id,
                                       since=row.sent_at or now - LEASE)
                if found is not None:
                    store.finish_sending(self.deps.engine, review_id=row.id, claimed_at=now,
                                         channel_id=found[0], message_ts=found[1])
                    return 0
            message = views.build_nudge_message(self.deps.prompts, row, info, now=now)  # type: ignore[arg-type]
            posted = client.chat_postMessage(channel=row.owner_id, **message)
        except SlackApiError as exc:
            error = exc.response.get("error", "")
            if error in UNREACHABLE:
                self.owners.forget(row.team_id, row.owner_id)
                store.release(self.deps.engine, review_id=row.id, claimed_at=now, back_to="unowned",
                              retry_at=now)
            else:
                log.warning("nudge %s not sent (%s); retrying in %s", row.id, error, RETRY_AFTER_FAILURE)
                store.release(self.deps.engine, review_id=row.id, claimed_at=now, back_to=back_to,
                              retry_at=now + RETRY_AFTER_FAILURE)
            return 0
        except OSError as exc:
            # No answer (a timeout): Slack may have posted it. Keep the claim; once the lease runs
            # out the sweep takes it over and looks in the DM before posting again.
            log.warning("nudge %s: no answer from Slack (%s); checking again after the lease", row.id, exc)
            return 0
        if not store.finish_sending(self.deps.engine, review_id=row.id, claimed_at=now,
                                    channel_id=posted["channel"], message_ts=posted["ts"]):
            log.warning("nudge %s was posted after its claim was lost; the outcome will update it", row.id)
        return 1


def _superseded(row: Review, next_review_at: datetime | None) -> bool:
    """A cadence review whose subject was reviewed meanwhile (its next review moved later)."""
    return (row.reason == "cadence" and next_review_at is not None
            and next_review_at > row.due_at + timedelta(minutes=1))
