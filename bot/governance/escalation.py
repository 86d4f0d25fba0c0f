"""Escalation: a review still open `escalate_after_days` after it fell due is raised in the
governance channel, with its owner mentioned, what changed since the last review (as the DM
nudge says it) and the same actions for owner or admins.

Claimed like a nudge (`sent` -> `escalating` -> `escalated`, lease on `escalated_at`), so each
overdue review is posted once even with several sweeps running.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from slack_sdk.errors import SlackApiError

from bot import blocks
from bot.deps import Deps
from bot.governance import links, views
from bot.governance.health import describe
from bot.governance.nudges import LEASE, stop_workspace
from bot.review_subjects import SubjectInfo, with_changes
from bot.slack_client import NotInstalled
from storage import review_queries as queries
from storage import reviews as store
from storage.db import unit_of_work
from storage.models import Review
from storage.states import ReviewState

log = logging.getLogger(__name__)
ESCALATION = "governance/escalation"
BATCH = 200
CHANNEL_GONE = frozenset({"not_in_channel", "channel_not_found", "is_archived", "restricted_action"})


def build_escalation(deps: Deps, row: Review, info: SubjectInfo, *, now: datetime) -> dict:
    def t(macro: str, **kw: object) -> str:
        return deps.prompts.part(ESCALATION, macro, **kw)

    due = views.slack_date(row.due_at)
    if row.state == ReviewState.UNOWNED:
        text = t("unowned", info=info, owner=row.owner_id, due=due)
    else:
        text = t("overdue", info=info, owner=row.owner_id, due=due, days=(now - row.due_at).days)
    if links.is_link(row):  # which layer to check, and why
        text = f"{text}\n{views.build_why(deps.prompts, row, info)}"
    items = [blocks.section(blocks.clip(text, blocks.SECTION_TEXT)), *views.build_since(info),
             views.build_actions(deps.prompts, row, info)]
    return {"text": t("fallback", info=info), "blocks": blocks.message_blocks(items)}


def escalate_overdue(deps: Deps) -> int:
    """Post every review overdue past the delay; returns how many this process posted."""
    channel = deps.settings.governance_channel
    if not channel:
        return 0
    now = deps.clock.now()
    overdue_before = now - timedelta(days=deps.settings.escalate_after_days)
    posted = 0
    seen: set[int] = set()
    while True:
        with unit_of_work(deps.engine) as db:
            rows = [r for r in queries.due_escalations(db, overdue_before=overdue_before, stale_before=now - LEASE,
                                                       limit=BATCH) if r.id not in seen]
        if not rows:
            return posted
        for row in rows:
            seen.add(row.id)
            try:
                posted += _escalate(deps, row, channel, now)
            except Exception:
                log.exception("escalation of review %s failed; the next sweep tries again", row.id)


def _escalate(deps: Deps, row: Review, channel: str, now: datetime) -> int:
    """Claim (committed at once), post, record; a failed post gives the claim back."""
    try:
        client = deps.client_for(row.team_id)
    except NotInstalled:  # the workspace removed the app: its reviews end here, quietly
        with unit_of_work(deps.engine) as db:
            stop_workspace(deps, db, row.team_id, now)
        return 0
    with unit_of_work(deps.engine) as db:
        info = describe(deps, db, row.subject_type, row.team_id, row.subject_id)
        if info is None or not info.active or links.owner_of(deps, db, row, info) is None:
            store.transition(db, review_id=row.id, from_states=(row.state,), to_state=ReviewState.CANCELLED,
                             done_at=now)
            return 0
        held_since = row.escalated_at if row.state == ReviewState.ESCALATING else None
        if not store.claim_escalation(db, review_id=row.id, from_state=row.state, now=now, held_since=held_since):
            return 0
        info = with_changes(deps.subjects.get(row.subject_type), db, info, team_id=row.team_id)  # as the DM says
    back_to = ReviewState.UNOWNED if row.state == ReviewState.UNOWNED else ReviewState.SENT
    finish = True
    try:
        client.chat_postMessage(channel=channel, **build_escalation(deps, row, info, now=now))
    except SlackApiError as exc:
        error = exc.response.get("error", "")
        if error in CHANNEL_GONE:
            log.warning("governance channel %s refuses posts (%s): invite the bot; review %s "
                        "marked escalated", channel, error, row.id)
        else:
            log.warning("escalation of review %s not posted (%s); retrying at the next sweep", row.id, error)
            finish = False
    except OSError as exc:
        log.warning("escalation of review %s not posted (%s); retrying at the next sweep", row.id, exc)
        finish = False
    with unit_of_work(deps.engine) as db:
        if finish:
            store.finish_escalating(db, review_id=row.id, claimed_at=now)
        else:
            store.release_escalation(db, review_id=row.id, claimed_at=now, back_to=back_to)
    return 1 if finish else 0
