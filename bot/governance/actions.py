"""The five one-click answers to a review, from a DM nudge, an escalation or App Home.

Each is a compare-and-set on the review (a double click or a second admin gets a polite
"already handled"), then the subject is changed through its `ReviewSubject`, and every place
showing the review is updated: the DM nudge, the message clicked, the actor's Home.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import timedelta
from typing import Any

from slack_bolt import Ack, App, Respond
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.deps import Deps
from bot.governance import groups, ids, views
from bot.governance.owners import OwnerDirectory
from bot.private_reply import tell_user
from bot.review_subjects import ReviewSubject, SubjectInfo
from storage import reviews as store
from storage.models import Review

log = logging.getLogger(__name__)
ERRORS = "governance/errors"
Refresh = Callable[[WebClient, str, str], None]


class ReviewAction:
    """What one click is about: the review, its subject, who clicked and where."""

    def __init__(self, deps: Deps, body: dict[str, Any], client: WebClient, respond: Respond) -> None:
        self.deps, self.body, self.client, self.respond = deps, body, client, respond
        self.action = body["actions"][0]
        self.user_id = body["user"]["id"]
        self.team_id = (body.get("team") or {}).get("id") or body["user"].get("team_id", "")
        self.review: Review | None = None
        self.subject: ReviewSubject | None = None
        self.info: SubjectInfo | None = None

    def review_id(self) -> int | None:
        raw = (self.action.get("block_id") or "").removeprefix(ids.REVIEW_BLOCK_PREFIX)
        raw = raw if raw.isdigit() else (self.action.get("value") or "").rpartition(":")[2]
        return int(raw) if raw.isdigit() else None

    def say(self, macro: str, **context: object) -> None:
        tell_user(self.body, self.client, self.deps.prompts.part(ERRORS, macro, **context))

    def load(self) -> bool:
        """Find the review and check the clicker may act on it; answer them if not."""
        review_id = self.review_id()
        self.review = store.get_review(self.deps.engine, team_id=self.team_id, review_id=review_id) \
            if review_id is not None else None
        if self.review is None or self.review.state not in store.OPEN_STATES:
            self.say("already_handled")
            return False
        self.subject = self.deps.subjects.get(self.review.subject_type)
        self.info = self.subject.describe(self.team_id, self.review.subject_id) if self.subject else None
        if self.info is None or not self.info.active:
            store.transition(self.deps.engine, review_id=self.review.id, from_states=store.OPEN_STATES,
                             to_state="cancelled", done_at=self.deps.clock.now())
            self.say("gone")
            return False
        if not self.subject.may_manage(self.team_id, self.review.subject_id, self.user_id):
            self.say("not_allowed", info=self.info)
            return False
        return True

    def close(self, to_state: str, **values: object) -> bool:
        assert self.review is not None
        if store.transition(self.deps.engine, review_id=self.review.id, from_states=store.OPEN_STATES,
                            to_state=to_state, **values):
            return True
        self.say("already_handled")
        return False

    def show_outcome(self, outcome: str) -> None:
        """Replace the actions with the outcome on the DM nudge and on the message clicked."""
        assert self.review is not None and self.info is not None
        message = views.build_nudge_message(self.deps.prompts, self.review, self.info,
                                            now=self.deps.clock.now(), outcome=outcome)
        dm = (self.review.channel_id, self.review.message_ts)
        grouped = groups.rebuild(self.deps, self.review, outcome=outcome) if groups.is_grouped(self.review) else None
        places = {dm}
        container = self.body.get("container") or {}
        if container.get("type") == "message" and not container.get("is_ephemeral"):
            places.add((container.get("channel_id"), container.get("message_ts")))
        for channel, ts in places:
            if channel and ts:
                try:
                    self.client.chat_update(channel=channel, ts=ts,
                                            **(grouped if grouped is not None and (channel, ts) == dm else message))
                except SlackApiError as exc:
                    log.warning("could not update review message %s/%s: %s", channel, ts, exc.response.get("error"))


def register_actions(app: App, deps: Deps, owners: OwnerDirectory, refresh_home: Refresh) -> None:
    def handler(run: Callable[[ReviewAction], str | None]) -> Callable[..., None]:
        def handle(ack: Ack, body: dict[str, Any], client: WebClient, respond: Respond) -> None:
            ack()
            action = ReviewAction(deps, body, client, respond)
            if not action.load():
                return
            outcome = run(action)
            if outcome is not None:
                action.show_outcome(outcome)
            refresh_home(client, action.team_id, action.user_id)
        return handle

    def still_accurate(a: ReviewAction) -> str | None:
        now = deps.clock.now()
        if not a.close("done", done_at=now):
            return None
        next_at = a.subject.mark_reviewed(a.team_id, a.review.subject_id, a.user_id, now)
        store.schedule_next_cadence(deps.engine, team_id=a.team_id, subject_type=a.review.subject_type,
                                    subject_id=a.review.subject_id, owner_id=a.info.owner_id, due_at=next_at,
                                    now=now)
        return views.build_outcome(deps.prompts, "reviewed", by=a.user_id, next=views.slack_date(next_at))

    def update_now(a: ReviewAction) -> str | None:
        a.subject.open_editor(a.client, a.body["trigger_id"], a.team_id, a.review.subject_id, a.user_id)
        return None

    def snooze(a: ReviewAction) -> str | None:
        choice = ((a.action.get("selected_option") or {}).get("value") or "").partition(":")[0]
        days = ids.SNOOZE_OPTIONS.get(choice)
        if days is None:
            return None
        until = deps.clock.now() + timedelta(days=days)
        if not a.close("snoozed", snoozed_until=until):
            return None
        a.review.state, a.review.snoozed_until = "snoozed", until
        return views.build_outcome(deps.prompts, "snoozed", by=a.user_id,
                                   until=views.slack_date(until, with_time=True))

    def reassign(a: ReviewAction) -> str | None:
        new_owner = a.action.get("selected_user") or ""
        if new_owner == a.info.owner_id:
            a.say("same_owner", user=new_owner)
            return None
        candidate = owners.lookup(a.team_id, new_owner) if new_owner else None
        if candidate is None or candidate.gone or candidate.bot:
            a.say("cannot_own", user=new_owner)
            return None
        previous = (a.review.channel_id, a.review.message_ts)
        if not a.close("pending", owner_id=new_owner, snoozed_until=None, channel_id=None, message_ts=None):
            return None
        a.subject.reassign(a.team_id, a.review.subject_id, new_owner, a.user_id, deps.clock.now())
        store.reassign_open_for_subject(deps.engine, team_id=a.team_id, subject_type=a.review.subject_type,
                                        subject_id=a.review.subject_id, owner_id=new_owner)
        a.review.channel_id, a.review.message_ts = previous
        refresh_home(a.client, a.team_id, new_owner)
        return views.build_outcome(deps.prompts, "reassigned", by=a.user_id, to=new_owner)

    def retire(a: ReviewAction) -> str | None:
        now = deps.clock.now()
        if not a.close("done", done_at=now):
            return None
        a.subject.retire(a.team_id, a.review.subject_id, a.user_id, now)
        store.cancel_open_for_subject(deps.engine, team_id=a.team_id, subject_type=a.review.subject_type,
                                      subject_id=a.review.subject_id, now=now)
        return views.build_outcome(deps.prompts, "retired", by=a.user_id)

    app.action(ids.STILL_ACCURATE)(handler(still_accurate))
    app.action(ids.UPDATE_NOW)(handler(update_now))
    app.action(ids.SNOOZE)(handler(snooze))
    app.action(ids.REASSIGN)(handler(reassign))
    app.action(ids.RETIRE)(handler(retire))
