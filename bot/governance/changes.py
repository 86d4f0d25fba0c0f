"""Reviews that changes trigger: someone else's edit or new evidence nudges the owner; a linked
item's owners are asked to review together, and the owners of the links between them to check
their layer (`links`); `/persona review-all REASON` asks every owner.

Only database rows are written here; the sweep sends the nudges (at the owner's working hours),
so a change announced twice, or a command sent twice, still nudges once.
"""

from __future__ import annotations

import json
import logging
import re
from datetime import datetime
from typing import Any

from slack_sdk import WebClient
from slack_sdk.webhook import WebhookClient
from sqlmodel import Session

from bot.commands import CommandCall
from bot.deps import Deps
from bot.governance import links
from bot.governance.health import describe
from bot.governance.outcomes import update_nudge
from bot.home.publish import publish_each
from bot.review_subjects import LINK_REASSIGNED, SubjectChange, SubjectInfo, after_commit
from storage import review_queries as queries
from storage import reviews as store
from storage.states import ReviewState

log = logging.getLogger(__name__)
NUDGING_CHANGES = frozenset({"edited", "suggested", "evidence_added"})
ERRORS = "governance/errors"
REPLIES = "governance/replies"


def handle_change(deps: Deps, db: Session, change: SubjectChange) -> None:
    """React to one announced change in the unit of work that made it (so the reviews it writes
    commit with it); the Slack follow-ups (Home, the nudge's outcome) wait for that commit."""
    subject = deps.subjects.get(change.kind)
    info = subject.describe(db, team_id=change.team_id, subject_id=change.subject_id) if subject else None
    where = {"team_id": change.team_id, "subject_type": change.kind, "subject_id": change.subject_id}
    users = [change.by_user_id, info.owner_id if info is not None else ""]
    after_commit(db, deps.later, publish_each, deps, team_id=change.team_id, user_ids=users)
    if change.change == "retired" or (info is not None and not info.active):
        store.cancel_open_for_subject(db, now=change.at, **where)
        return
    if info is None:
        return
    if change.change == "reassigned":  # a link's reviews stay with the link's owner
        store.reassign_open_for_subject(db, owner_id=info.owner_id, except_prefix=links.PREFIX, **where)
        return
    if change.change == LINK_REASSIGNED:
        moved = links.follow_new_owners(deps, db, change)
        after_commit(db, deps.later, publish_each, deps, team_id=change.team_id, user_ids=moved)
        return
    if change.change not in NUDGING_CHANGES:
        return
    for kind, subject_id in linked_subjects(deps, db, change):
        _nudge_linked(deps, db, change, info, kind, subject_id)
    links.nudge_link_owners(deps, db, change, info)
    if change.by_user_id == info.owner_id:
        if change.change == "edited":
            _owner_updated(deps, db, change)
        return
    if not queries.open_reviews_for_subject(db, reason="change", **where):
        detail = json.dumps({"change": change.change, "by": change.by_user_id, "note": change.detail[:500]})
        store.schedule_review(db, owner_id=info.owner_id, reason="change", due_at=change.at, detail=detail, **where)


def _owner_updated(deps: Deps, db: Session, change: SubjectChange) -> None:
    """The owner edited it (e.g. after "Update now"): every review that was due is done."""
    where = {"team_id": change.team_id, "subject_type": change.kind, "subject_id": change.subject_id}
    due = [r for r in queries.open_reviews_for_subject(db, **where)
           if r.due_at <= change.at and not links.is_link(r)]  # a link's reviews are its owner's
    closed = [r for r in due if store.close(db, review_id=r.id, to_state=ReviewState.DONE, done_at=change.at)]
    if any(r.reason == store.CADENCE for r in closed):
        deps.subjects[change.kind].mark_reviewed(db, team_id=change.team_id, subject_id=change.subject_id,
                                                 user_id=change.by_user_id, now=change.at)
    for review in closed:
        after_commit(db, deps.later, update_nudge, deps, team_id=change.team_id, review_id=review.id,
                     outcome="updated")


def linked_subjects(deps: Deps, db: Session, change: SubjectChange) -> list[tuple[str, int]]:
    """Items linked to the changed one (a persona's journeys, a journey's personas).

    A subject kind opts in by giving its `ReviewSubject` a `linked(db, *, team_id, subject_id)` method
    returning `(kind, id)` pairs; personas and journeys then review together with no change here.
    """
    subject = deps.subjects.get(change.kind)
    linked = getattr(subject, "linked", None)
    return list(linked(db, team_id=change.team_id, subject_id=change.subject_id)) if callable(linked) else []


def _nudge_linked(deps: Deps, db: Session, change: SubjectChange, changed: SubjectInfo, kind: str,
                  subject_id: int) -> None:
    info = describe(deps, db, kind, change.team_id, subject_id)
    if info is None or not info.active or info.owner_id == change.by_user_id:
        return
    where = {"team_id": change.team_id, "subject_type": kind, "subject_id": subject_id}
    if queries.open_reviews_for_subject(db, reason="linked", **where):
        return
    detail = json.dumps({"change": change.change, "by": change.by_user_id, "note": change.detail[:500],
                         "linked_title": changed.title})
    store.schedule_review(db, owner_id=info.owner_id, reason="linked", due_at=change.at, detail=detail, **where)


def manual_reason(text: str) -> str:
    """The stored reason of a manual trigger: the same words (any case, spacing) are one reason."""
    return "manual:" + re.sub(r"\s+", " ", text).strip().casefold()[:200]


def request_review_of_all(deps: Deps, db: Session, *, team_id: str, by_user_id: str, text: str,
                          now: datetime) -> tuple[int, int, int]:
    """Ask every owner to review everything they own, once per reason and day.

    Returns (items newly nudged, their distinct owners, items already asked for this reason).
    """
    reason = manual_reason(text)
    day = now.replace(hour=0, minute=0, second=0, microsecond=0)
    detail = json.dumps({"by": by_user_id, "text": text.strip()[:200]})
    created, owners, existing = 0, set(), 0
    for kind, subject_id in queries.open_subjects(db, team_id=team_id):
        info = describe(deps, db, kind, team_id, subject_id)
        if info is None or not info.active:
            continue
        row = store.schedule_review(db, team_id=team_id, subject_type=kind, subject_id=subject_id,
                                    owner_id=info.owner_id, reason=reason, due_at=day, detail=detail)
        if row is None:
            existing += 1
        else:
            created += 1
            owners.add(info.owner_id)
    return created, len(owners), existing


def handle_review_all(call: CommandCall) -> None:
    """The reviews are written before the ack (they commit with it); the sweep DMs the owners."""
    ctx = call.ctx
    text = " ".join(call.args).strip()
    if not text:
        call.ack(text=ctx.deps.prompts.part(ERRORS, "review_all_usage"), response_type="ephemeral")
        return
    if ctx.deps.settings.admins and call.user_id not in ctx.deps.settings.admins:
        call.ack(text=ctx.deps.prompts.part(ERRORS, "review_all_admins"), response_type="ephemeral")
        return
    created, owners, existing = request_review_of_all(ctx.deps, ctx.db, team_id=call.team_id,
                                                      by_user_id=call.user_id, text=text, now=ctx.now())
    call.ack()
    reply = ctx.deps.prompts.part(REPLIES, "review_all_done", reason=text, created=created, owners=owners,
                                  existing=existing)
    ctx.later(answer_command, call.body, call.client, reply, channel_id=call.channel_id, user_id=call.user_id)


def answer_command(body: dict[str, Any], client: WebClient, text: str, *, channel_id: str, user_id: str) -> None:
    """The command's ephemeral answer, after the ack: on its response_url, else chat.postEphemeral."""
    url = body.get("response_url")
    if url:
        WebhookClient(url).send(text=text, response_type="ephemeral")
    else:
        client.chat_postEphemeral(channel=channel_id, user=user_id, text=text)
