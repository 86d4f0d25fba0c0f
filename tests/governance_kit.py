"""A second reviewable kind for governance tests: journeys (the table exists; the feature comes later).

It implements `bot.review_subjects.ReviewSubject` over the `journey` table exactly as the journeys
feature will, which shows the review machinery works for any kind registered in `deps.subjects`.
Also: helpers to read what Slack received and what the review table holds.
"""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from typing import Any

from slack_sdk import WebClient
from sqlalchemy import update
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from bot.deps import Deps
from bot.review_subjects import SubjectChange, SubjectInfo, announce_change
from storage import reviews
from storage.db import unit_of_work
from storage.models import Journey, Review
from tests.slack_fake import FakeSlack

KIND = "journey"


class JourneySubject:
    """Works in the caller's unit of work, as the protocol asks: reads and writes through `db`."""

    def __init__(self, deps: Deps) -> None:
        self.deps = deps

    def _get(self, db: Session, team_id: str, subject_id: int) -> Journey | None:
        kept: dict[int, Journey] = db.info.setdefault("journeys", {})  # the identity map holds rows weakly
        row = kept.get(subject_id) or db.get(Journey, subject_id)
        if row is not None:
            kept[subject_id] = row
        return row if row is not None and row.team_id == team_id else None

    def _set(self, db: Session, subject_id: int, **values: Any) -> None:
        db.execute(update(Journey).where(Journey.id == subject_id).values(**values))

    def describe(self, db: Session, *, team_id: str, subject_id: int) -> SubjectInfo | None:
        row = self._get(db, team_id, subject_id)
        if row is None:
            return None
        return SubjectInfo(kind=KIND, subject_id=subject_id, title=row.name, owner_id=row.owner_id,
                           active=row.status == "active", cadence_days=row.cadence_days,
                           next_review_at=row.next_review_at)

    def may_manage(self, db: Session, *, team_id: str, subject_id: int, user_id: str) -> bool:
        row = self._get(db, team_id, subject_id)
        return row is not None and (user_id == row.owner_id or user_id in self.deps.settings.admins)

    def mark_reviewed(self, db: Session, *, team_id: str, subject_id: int, user_id: str, now: datetime) -> datetime:
        row = self._get(db, team_id, subject_id)
        assert row is not None
        due = now + timedelta(days=row.cadence_days)
        self._set(db, subject_id, last_reviewed_at=now, next_review_at=due)
        reviews.schedule_next_cadence(db, team_id=team_id, subject_type=KIND, subject_id=subject_id,
                                      owner_id=row.owner_id, due_at=due, now=now)
        return due

    def open_editor(self, client: WebClient, *, trigger_id: str, team_id: str, subject_id: int,
                    user_id: str) -> None:
        client.views_open(trigger_id=trigger_id, view={
            "type": "modal", "callback_id": "journey_edit", "private_metadata": str(subject_id),
            "title": {"type": "plain_text", "text": "Edit journey"},
            "blocks": [{"type": "section", "text": {"type": "mrkdwn", "text": "Edit"}}]})

    def reassign(self, db: Session, *, team_id: str, subject_id: int, new_owner_id: str, by_user_id: str,
                 now: datetime) -> None:
        self._set(db, subject_id, owner_id=new_owner_id)
        announce_change(db, self.deps.on_change, SubjectChange(team_id, KIND, subject_id, "reassigned",
                                                               by_user_id, now))

    def retire(self, db: Session, *, team_id: str, subject_id: int, by_user_id: str, now: datetime) -> None:
        self._set(db, subject_id, status="retired")
        announce_change(db, self.deps.on_change, SubjectChange(team_id, KIND, subject_id, "retired",
                                                               by_user_id, now))


def install(deps: Deps) -> JourneySubject:
    subject = JourneySubject(deps)
    deps.subjects[KIND] = subject
    return subject


def add_journey(engine: Engine, *, name: str, owner: str, due: datetime, created: datetime,
                cadence_days: int = 90, team_id: str = "T0001") -> int:
    """A journey whose cadence review falls due at `due` (scheduled as the feature does)."""
    with Session(engine, expire_on_commit=False) as session:
        row = Journey(team_id=team_id, name=name, owner_id=owner, cadence_days=cadence_days,
                      next_review_at=due, created_at=created)
        session.add(row)
        session.commit()
    with unit_of_work(engine) as db:
        reviews.schedule_review(db, team_id=team_id, subject_type=KIND, subject_id=row.id, owner_id=owner,
                                reason="cadence", due_at=due)
    return int(row.id)


def journey(engine: Engine, journey_id: int) -> Journey:
    with Session(engine) as session:
        row = session.get(Journey, journey_id)
        assert row is not None
        return row


def review_rows(engine: Engine, subject_id: int | None = None) -> list[Review]:
    with Session(engine) as session:
        query = select(Review).order_by(Review.id)
        if subject_id is not None:
            query = query.where(Review.subject_id == subject_id)
        return list(session.exec(query))


def dms(slack: FakeSlack, user: str) -> list[dict[str, Any]]:
    """Successful chat.postMessage calls into the DM with `user`."""
    return [c.args for c in slack.calls_to("chat.postMessage")
            if c.args.get("channel") in (user, "D" + user) and c.response.get("ok")]


def posts_in(slack: FakeSlack, channel: str) -> list[dict[str, Any]]:
    return [c.args for c in slack.calls_to("chat.postMessage")
            if c.args.get("channel") == channel and c.response.get("ok")]


def text_of(message: dict[str, Any]) -> str:
    return json.dumps(message.get("blocks")) + message.get("text", "")


def review_block(message: dict[str, Any], review_id: int | None = None) -> dict[str, Any]:
    """The actions block of a nudge (block id `review:<id>`): of `review_id` in a DM listing several."""
    blocks = message["blocks"] if isinstance(message["blocks"], list) else json.loads(message["blocks"])
    wanted = f"review:{review_id}" if review_id is not None else "review:"
    return next(b for b in blocks if b.get("type") == "actions" and b.get("block_id", "").startswith(wanted)
                and (review_id is None or b["block_id"] == wanted))


def confirm_best_guess(bot: Any, slack: FakeSlack, *, user: str, opened_before: int,
                       learned: str = "Nothing new since the last review") -> None:
    """A proto-persona's "Still our best guess" asks what we learned: submit that modal."""
    from bot.governance import ids as gov_ids
    from tests.harness import eventually
    from tests.slack_fake import payloads

    call = eventually(lambda: slack.calls_to("views.open")[opened_before:])[0]
    view = call.args["view"] if isinstance(call.args["view"], dict) else json.loads(call.args["view"])
    assert view["callback_id"] == gov_ids.LEARNED_MODAL
    reply = bot.http.interactive(payloads.view_submission(
        gov_ids.LEARNED_MODAL, {gov_ids.LEARNED_BLOCK: {"value": learned}}, user=user,
        private_metadata=view["private_metadata"]))
    assert reply.status == 200
