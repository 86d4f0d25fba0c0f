"""The nudge sweep: each owner gets ONE DM per sweep listing all their due reviews, exactly once.

The database decides what is due; an owner's due reviews are claimed together with one
compare-and-set before the post, so two sweeps (threads, processes, replicas) never both send
them. A claim carries a lease: a process that dies between claim and post leaves `sending`
rows whose claim time is older than the lease, and the next sweep takes them over (first
checking the DM for a nudge that did go out before the crash). A post that got no answer
(timeout) is treated the same way, since Slack may have accepted it. The lease is far longer
than the longest post (15 s timeout, three `429` retries), so a slow post is never taken over
while it is still running.

Owners' DMs go out side by side on the app's one executor (bot.fanout): a few at a time per
workspace, each with that workspace's own token; a workspace that removed the app has its
reviews closed quietly.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime, timedelta
from functools import partial

from slack_sdk.errors import SlackApiError
from sqlmodel import Session

from bot import fanout
from bot.deps import Deps
from bot.governance import groups, links, views
from bot.governance.delivery import already_posted
from bot.governance.owners import OwnerDirectory, WorkingHours, owner_directory
from bot.review_subjects import SubjectInfo, with_changes
from bot.slack_client import NotInstalled
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
SEND_AT_ONCE = 8  # owners' DMs in flight at once (the executor's other threads serve requests)
PER_WORKSPACE = 4  # ... of them for one workspace: chat.postMessage has a workspace-wide limit
UNREACHABLE = frozenset({"user_not_found", "account_inactive", "user_disabled", "cannot_dm_bot",
                         "channel_not_found", "is_archived"})


class NudgeSweep:
    """One pass: every due review is sent (one DM per owner), deferred to working hours, or closed."""

    def __init__(self, deps: Deps, owners: OwnerDirectory,
                 special: dict[str, Callable[[Review, datetime], None]] | None = None) -> None:
        self.deps = deps
        self.owners = owners
        self.hours = WorkingHours(deps.settings.nudge_hour, deps.settings.nudge_end_hour)
        self.special = special or {}

    def run(self) -> int:
        """Handle everything due now; returns how many DMs were posted by this process."""
        now = self.deps.clock.now()
        seen: set[int] = set()
        sent = 0
        while True:
            with unit_of_work(self.deps.engine) as db:
                rows = [r for r in queries.due_nudges(db, now=now, stale_before=now - LEASE, limit=BATCH)
                        if r.id not in seen]
            if not rows:
                return sent
            owners: dict[tuple[str, str], None] = {}
            for row in rows:
                seen.add(row.id)  # each pass takes at least one new row: the sweep ends
                deliver = self.special.get(row.subject_type)
                if deliver is None:
                    owners.setdefault((row.team_id, row.owner_id))
                    continue
                try:
                    deliver(row, now)
                except Exception:
                    log.exception("review %s could not be handled; the next sweep tries again", row.id)
            installed = {team for team in {team for team, _ in owners} if self._installed(team, now)}
            work = [(team, partial(self._owner, team, owner, now)) for team, owner in owners if team in installed]
            sent += sum(fanout.run_bounded(self.deps.executor, work, at_once=SEND_AT_ONCE, per_key=PER_WORKSPACE))

    def _installed(self, team_id: str, now: datetime) -> bool:
        """False (and the workspace's reviews closed) when it removed the app."""
        try:
            self.deps.client_for(team_id)
        except NotInstalled:
            with unit_of_work(self.deps.engine) as db:
                stop_workspace(self.deps, db, team_id, now)
            return False
        return True

    def _check(self, db: Session, row: Review, now: datetime) -> tuple[SubjectInfo, str] | None:
        """The subject of a due review and who answers it now (its owner, or a link's), or None
        once the review was closed or left for later."""
        subject = self.deps.subjects.get(row.subject_type)
        if subject is None:
            store.defer(db, review_id=row.id, state=row.state, until=now + timedelta(days=1))
            return None
        info = subject.describe(db, team_id=row.team_id, subject_id=row.subject_id)
        owner = links.owner_of(self.deps, db, row, info) if info is not None else None
        if info is None or not info.active or owner is None or _superseded(row, info.next_review_at):
            store.transition(db, review_id=row.id, from_states=(row.state,), to_state=ReviewState.CANCELLED,
                             done_at=now)
            return None
        return with_changes(subject, db, info, team_id=row.team_id), owner  # what changed since the last review

    def _owner(self, team_id: str, owner_id: str, now: datetime) -> int:
        """One owner's due reviews: checked, then one DM for those still due (1 if posted)."""
        with unit_of_work(self.deps.engine) as db:
            rows = queries.due_group(db, team_id=team_id, owner_id=owner_id, now=now, stale_before=now - LEASE,
                                     limit=GROUP_MAX)
            candidates: list[tuple[Review, SubjectInfo]] = []
            for row in rows:
                checked = self._check(db, row, now)
                if checked is not None and checked[1] != row.owner_id:  # handled for its new owner
                    store.update_owner(db, review_id=row.id, owner_id=checked[1])
                elif checked is not None:
                    candidates.append((row, checked[0]))
        if not candidates:
            return 0
        try:
            owner = self.owners.lookup(team_id, owner_id)  # users.info, cached: outside any transaction
        except NotInstalled:
            return 0
        slot = self.hours.next_slot(now, owner.tz)
        with unit_of_work(self.deps.engine) as db:
            for row, _ in candidates:
                if owner.gone or owner.bot:
                    store.transition(db, review_id=row.id, from_states=(row.state,), to_state=ReviewState.UNOWNED)
                elif row.state != ReviewState.SENDING and slot > now:
                    store.defer(db, review_id=row.id, state=row.state, until=slot)
        if owner.gone or owner.bot:
            return 0
        candidates = [(row, info) for row, info in candidates if row.state == ReviewState.SENDING or slot <= now]
        with unit_of_work(self.deps.engine) as db:
            won = store.claim_group(db, review_ids=[row.id for row, _ in candidates], now=now,
                                    stale_before=now - LEASE)
        claimed, items = [], []
        for review, info in candidates:
            if review.id not in won:
                continue
            held_since = review.sent_at if review.state == ReviewState.SENDING else None
            claimed.append((review, ReviewState.SNOOZED if review.state == ReviewState.SNOOZED
                            else ReviewState.PENDING, held_since))
            review.state = ReviewState.SENDING
            items.append((review, info))
        if not claimed:
            return 0
        prompts = self.deps.prompts
        if len(items) == 1:
            return self._post(claimed, lambda: views.build_nudge_message(prompts, *items[0], now=now), now)
        return self._post(claimed, lambda: groups.build_group_message(prompts, items, now=now), now)

    def _post(self, claimed: list[tuple[Review, str, datetime | None]], build: Callable[[], dict],
              now: datetime) -> int:
        """Post one DM for the claimed reviews and record it on each; on failure give the claims back."""
        first = claimed[0][0]
        try:
            client = self.deps.client_for(first.team_id)
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
        except NotInstalled:
            return 0  # removed meanwhile: its reviews are closed (bot.workspaces), or at the next sweep
        except SlackApiError as exc:
            error = exc.response.get("error", "")
            if not self.deps.clients.still_installed(first.team_id, error):
                with unit_of_work(self.deps.engine) as db:
                    stop_workspace(self.deps, db, first.team_id, now)
                return 0
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


def stop_workspace(deps: Deps, db: Session, team_id: str, now: datetime) -> None:
    """`deps.on_uninstall`: a workspace that removed the app is nudged no more, its digest and
    escalations included; the owners it knew are forgotten."""
    closed = store.cancel_open_for_team(db, team_id=team_id, now=now)
    owner_directory(deps).forget(team_id)
    if closed:
        log.info("workspace %s removed the app: %s open reviews closed", team_id, closed)


def _superseded(row: Review, next_review_at: datetime | None) -> bool:
    """A cadence review whose subject was reviewed meanwhile (its next review moved later)."""
    return (row.reason == "cadence" and next_review_at is not None
            and next_review_at > row.due_at + timedelta(minutes=1))
