"""Publishes a person's Home tab (views.publish): on app_home_opened, after a review action, and
after a change to something they own, so the tab never shows a settled review as due."""

from __future__ import annotations

import logging

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.deps import Deps
from bot.governance.health import workspace_health
from bot.governance.owners import OwnerDirectory
from bot.home.views import HomeData, build_home
from bot.review_subjects import SubjectChange, SubjectInfo
from storage import empathy as sessions
from storage import review_queries as queries
from storage.db import unit_of_work

log = logging.getLogger(__name__)


class HomePublisher:
    def __init__(self, deps: Deps, owners: OwnerDirectory) -> None:
        self.deps = deps
        self.owners = owners

    def gather(self, *, team_id: str, user_id: str, page: int = 0) -> HomeData:
        deps, now = self.deps, self.deps.clock.now()
        data = HomeData(user_id=user_id, now=now, page=page)
        for review in queries.owner_reviews_due(deps.engine, team_id=team_id, owner_id=user_id, now=now):
            info = self._describe(team_id, review.subject_type, review.subject_id)
            if info is not None:
                data.reviews.append((review, info))
        for kind, subject_id in queries.owner_subjects(deps.engine, team_id=team_id, owner_id=user_id):
            info = self._describe(team_id, kind, subject_id)
            if info is not None and info.owner_id == user_id:
                data.mine.append(info)
        with unit_of_work(deps.engine) as db:
            data.sessions = sessions.list_recent_sessions(db, team_id=team_id, limit=10)
        data.health = workspace_health(deps, self.owners, team_id=team_id, now=now)
        return data

    def publish(self, client: WebClient, *, team_id: str, user_id: str, page: int = 0) -> None:
        """Never raises: a Home that cannot be refreshed must not break the action that asked."""
        try:
            view = build_home(self.deps.prompts, self.gather(team_id=team_id, user_id=user_id, page=page))
            client.views_publish(user_id=user_id, view=view)
        except SlackApiError as exc:
            log.warning("could not publish Home for %s: %s", user_id, exc.response.get("error"))
        except Exception:
            log.exception("could not build Home for %s", user_id)

    def refresh_owner(self, change: SubjectChange) -> None:
        """After a change, the owner's Home (and the changer's) shows it."""
        info = self._describe(change.team_id, change.kind, change.subject_id)
        users = {change.by_user_id} | ({info.owner_id} if info is not None else set())
        for user_id in sorted(u for u in users if u):
            self.publish(self.deps.client, team_id=change.team_id, user_id=user_id)

    def _describe(self, team_id: str, kind: str, subject_id: int) -> SubjectInfo | None:
        subject = self.deps.subjects.get(kind)
        info = subject.describe(team_id, subject_id) if subject is not None else None
        return info if info is not None and info.active else None
