"""The owner of a persona-journey link hears when either side changes: "the persona X changed;
check its layer on journey Y is still true".

A link review is an ordinary review (`storage.reviews`) on the journey, in the link owner's
name, with the reason `link:<layer id>`: the sweep groups it into the owner's one DM, Home lists
it, escalation raises it, and the unique key keeps one per change. While one is open for a link,
further changes (a burst of edits) add none. Its answers are "Still true" (closes it) and "Open
the layer"; who may answer is the link's owner as it is now (or whoever manages the journey).

Which links a change touches comes from the changed subject (`HasLinks.links`), so governance
still never imports the personas or journeys features.
"""

from __future__ import annotations

import json

from sqlmodel import Session

from bot.deps import Deps
from bot.review_subjects import HasLinks, SubjectChange, SubjectInfo, SubjectLink
from storage import review_queries as queries
from storage import reviews as store
from storage.models import Review

PREFIX = "link:"


def is_link(review: Review) -> bool:
    return review.reason.startswith(PREFIX)


def link_id_of(review: Review) -> int:
    return int(review.reason.removeprefix(PREFIX))


def reason_for(link_id: int) -> str:
    """One reason per link: two links of one journey changed at once are two reviews, not one."""
    return f"{PREFIX}{link_id}"


def links_of(deps: Deps, db: Session, kind: str, team_id: str, subject_id: int) -> list[SubjectLink]:
    subject = deps.subjects.get(kind)
    if not isinstance(subject, HasLinks):
        return []
    return list(subject.links(db, team_id=team_id, subject_id=subject_id))


def nudge_link_owners(deps: Deps, db: Session, change: SubjectChange, changed: SubjectInfo) -> None:
    """Each link of the changed item whose owner is neither the person who changed it nor the
    owner of either end (they are nudged for their own item) gets one open link review."""
    for link in links_of(deps, db, change.kind, change.team_id, change.subject_id):
        if not link.owner_id or link.owner_id in {change.by_user_id, *link.end_owners}:
            continue
        where = {"team_id": change.team_id, "subject_type": link.kind, "subject_id": link.subject_id}
        reason = reason_for(link.link_id)
        if queries.open_reviews_for_subject(db, reason=reason, **where):
            continue  # once per burst
        detail = json.dumps({"change": change.change, "by": change.by_user_id, "note": change.detail[:500],
                             "changed_kind": change.kind, "changed_title": changed.title[:100],
                             "persona": link.persona[:100], "journey": link.journey[:100]})
        store.schedule_review(db, owner_id=link.owner_id, reason=reason, due_at=change.at, detail=detail, **where)


def current(deps: Deps, db: Session, review: Review) -> SubjectLink | None:
    """The link a link review asks about, as it is now; None once it is gone."""
    wanted = link_id_of(review)
    return next((link for link in links_of(deps, db, review.subject_type, review.team_id, review.subject_id)
                 if link.link_id == wanted), None)


def owner_of(deps: Deps, db: Session, review: Review, info: SubjectInfo) -> str | None:
    """Who answers the review now: the subject's owner, or for a link review the link's owner
    (None when the link is gone, so the review is closed)."""
    if not is_link(review):
        return info.owner_id
    link = current(deps, db, review)
    return link.owner_id if link is not None and link.owner_id else None


def follow_new_owners(deps: Deps, db: Session, change: SubjectChange) -> list[str]:
    """A link of the subject was handed over: its open reviews move to the new owner. Returns
    the owners whose Home changes."""
    moved: list[str] = []
    for link in links_of(deps, db, change.kind, change.team_id, change.subject_id):
        where = {"team_id": change.team_id, "subject_type": link.kind, "subject_id": link.subject_id}
        reason = reason_for(link.link_id)
        before = [r.owner_id for r in queries.open_reviews_for_subject(db, reason=reason, **where)
                  if r.owner_id != link.owner_id]
        if before and link.owner_id:
            store.reassign_open_for_subject(db, owner_id=link.owner_id, reasons=(reason,), **where)
            moved += [*before, link.owner_id]
    return moved
