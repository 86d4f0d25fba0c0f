"""Reviews that changes trigger: someone else's edit or new evidence nudges the owner; a linked
item's owners are asked to review together; `/persona review-all REASON` asks every owner.

Only database rows are written here; the sweep sends the nudges (at the owner's working hours),
so a change announced twice, or a command sent twice, still nudges once.
"""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Callable
from datetime import datetime

from slack_sdk.webhook import WebhookClient

from bot.commands import CommandCall
from bot.deps import Deps
from bot.review_subjects import SubjectChange, SubjectInfo
from storage import review_queries as queries
from storage import reviews as store

log = logging.getLogger(__name__)
NUDGING_CHANGES = frozenset({"edited", "suggested", "evidence_added"})
ERRORS = "governance/errors"
REPLIES = "governance/replies"


def handle_change(deps: Deps, change: SubjectChange, on_owner_done: Callable[[str, str], None]) -> None:
    """React to one announced change; never raises into the feature that announced it."""
    try:
        _react(deps, change, on_owner_done)
    except Exception:
        log.exception("governance could not react to %s", change)


def _react(deps: Deps, change: SubjectChange, on_owner_done: Callable[[str, str], None]) -> None:
    subject = deps.subjects.get(change.kind)
    info = subject.describe(change.team_id, change.subject_id) if subject is not None else None
    where = {"team_id": change.team_id, "subject_type": change.kind, "subject_id": change.subject_id}
    if change.change == "retired" or (info is not None and not info.active):
        store.cancel_open_for_subject(deps.engine, now=change.at, **where)
        return
    if info is None:
        return
    if change.change == "reassigned":
        store.reassign_open_for_subject(deps.engine, owner_id=info.owner_id, **where)
        return
    if change.change not in NUDGING_CHANGES:
        return
    for kind, subject_id in linked_subjects(deps, change):
        _nudge_linked(deps, change, info, kind, subject_id)
    if change.by_user_id == info.owner_id:
        if change.change == "edited":
            _owner_updated(deps, change, info, on_owner_done)
        return
    if not queries.open_reviews_for_subject(deps.engine, reason="change", **where):
        detail = json.dumps({"change": change.change, "by": change.by_user_id, "note": change.detail[:500]})
        store.schedule_review(deps.engine, owner_id=info.owner_id, reason="change", due_at=change.at,
                              detail=detail, **where)


def _owner_updated(deps: Deps, change: SubjectChange, info: SubjectInfo,
                   on_owner_done: Callable[[str, str], None]) -> None:
    """The owner edited it (e.g. after "Update now"): every review that was due is done."""
    where = {"team_id": change.team_id, "subject_type": change.kind, "subject_id": change.subject_id}
    due = [r for r in queries.open_reviews_for_subject(deps.engine, **where) if r.due_at <= change.at]
    closed = [r for r in due if store.transition(deps.engine, review_id=r.id, from_states=store.OPEN_STATES,
                                                 to_state="done", done_at=change.at)]
    if not closed:
        return
    if any(r.reason == "cadence" for r in closed):
        subject = deps.subjects[change.kind]
        next_at = subject.mark_reviewed(change.team_id, change.subject_id, change.by_user_id, change.at)
        store.schedule_next_cadence(deps.engine, owner_id=info.owner_id, due_at=next_at, now=change.at, **where)
    for review in closed:
        on_owner_done(change.team_id, str(review.id))


def linked_subjects(deps: Deps, change: SubjectChange) -> list[tuple[str, int]]:
    """Items linked to the changed one (a persona's journeys, a journey's personas).

    A subject kind opts in by giving its `ReviewSubject` a `linked(team_id, subject_id)` method
    returning `(kind, id)` pairs; personas and journeys then review together with no change here.
    """
    subject = deps.subjects.get(change.kind)
    linked = getattr(subject, "linked", None)
    return list(linked(change.team_id, change.subject_id)) if callable(linked) else []


def _nudge_linked(deps: Deps, change: SubjectChange, changed: SubjectInfo, kind: str, subject_id: int) -> None:
    other = deps.subjects.get(kind)
    info = other.describe(change.team_id, subject_id) if other is not None else None
    if info is None or not info.active or info.owner_id == change.by_user_id:
        return
    where = {"team_id": change.team_id, "subject_type": kind, "subject_id": subject_id}
    if queries.open_reviews_for_subject(deps.engine, reason="linked", **where):
        return
    detail = json.dumps({"change": change.change, "by": change.by_user_id, "note": change.detail[:500],
                         "linked_title": changed.title})
    store.schedule_review(deps.engine, owner_id=info.owner_id, reason="linked", due_at=change.at,
                          detail=detail, **where)


def manual_reason(text: str) -> str:
    """The stored reason of a manual trigger: the same words (any case, spacing) are one reason."""
    return "manual:" + re.sub(r"\s+", " ", text).strip().casefold()[:200]


def request_review_of_all(deps: Deps, *, team_id: str, by_user_id: str, text: str,
                          now: datetime) -> tuple[int, int, int]:
    """Ask every owner to review everything they own, once per reason and day.

    Returns (items newly nudged, their distinct owners, items already asked for this reason).
    """
    reason = manual_reason(text)
    day = now.replace(hour=0, minute=0, second=0, microsecond=0)
    detail = json.dumps({"by": by_user_id, "text": text.strip()[:200]})
    created, owners, existing = 0, set(), 0
    for kind, subject_id in queries.open_subjects(deps.engine, team_id=team_id):
        subject = deps.subjects.get(kind)
        info = subject.describe(team_id, subject_id) if subject is not None else None
        if info is None or not info.active:
            continue
        row = store.schedule_review(deps.engine, team_id=team_id, subject_type=kind, subject_id=subject_id,
                                    owner_id=info.owner_id, reason=reason, due_at=day, detail=detail)
        if row is None:
            existing += 1
        else:
            created += 1
            owners.add(info.owner_id)
    return created, len(owners), existing


def handle_review_all(deps: Deps, call: CommandCall) -> None:
    """Ack at once (Slack's 3 seconds); the answer follows on the command's response_url."""
    text = " ".join(call.args).strip()
    if not text:
        call.ack(text=deps.prompts.part(ERRORS, "review_all_usage"), response_type="ephemeral")
        return
    if deps.settings.admins and call.user_id not in deps.settings.admins:
        call.ack(text=deps.prompts.part(ERRORS, "review_all_admins"), response_type="ephemeral")
        return
    call.ack()
    created, owners, existing = request_review_of_all(deps, team_id=call.team_id, by_user_id=call.user_id,
                                                      text=text, now=deps.clock.now())
    reply = deps.prompts.part(REPLIES, "review_all_done", reason=text, created=created, owners=owners,
                              existing=existing)
    url = call.body.get("response_url")
    try:
        if url:
            WebhookClient(url).send(text=reply, response_type="ephemeral")
        else:
            call.client.chat_postEphemeral(channel=call.channel_id, user=call.user_id, text=reply)
    except Exception:
        log.exception("could not answer /persona review-all")
