"""Publishes a person's Home tab (views.publish): on app_home_opened, after a review action, and
after a change to something they own, so the tab never shows a settled review as due.

Always after the ack (or a tick's commit), on `deps.later`: it reads in its own short unit of
work what the request committed, then calls Slack.
"""

from __future__ import annotations

import logging

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from sqlmodel import Session

from bot.deps import Deps
from bot.governance import links
from bot.governance.health import describe_active, workspace_health
from bot.governance.owners import owner_directory
from bot.home.views import HomeData, build_home, page_of
from bot.review_subjects import with_changes
from bot.slack_client import NotInstalled
from storage import empathy as sessions
from storage import review_queries as queries
from storage.db import unit_of_work

log = logging.getLogger(__name__)


def gather(deps: Deps, db: Session, *, team_id: str, user_id: str, page: int = 0) -> HomeData:
    now = deps.clock.now()
    data = HomeData(user_id=user_id, now=now, page=page)
    for review in queries.owner_reviews_due(db, team_id=team_id, owner_id=user_id, now=now):
        info = describe_active(deps, db, review.subject_type, team_id, review.subject_id)
        if info is not None and links.owner_of(deps, db, review, info) is not None:  # a link retired meanwhile
            data.reviews.append((review, info))
    for i in page_of(len(data.reviews), page)[2]:  # what changed since the last review, as the DM says it
        review, info = data.reviews[i]
        data.reviews[i] = (review, with_changes(deps.subjects.get(review.subject_type), db, info, team_id=team_id))
    for kind, subject_id in queries.owner_subjects(db, team_id=team_id, owner_id=user_id):
        info = describe_active(deps, db, kind, team_id, subject_id)
        if info is not None and info.owner_id == user_id:
            data.mine.append(info)
    data.sessions = sessions.list_recent_sessions(db, team_id=team_id, limit=10)
    for section in deps.home_sections:
        data.sections.append(section(deps.prompts, db, team_id=team_id, user_id=user_id))
    data.health = workspace_health(deps, db, owner_directory(deps), team_id=team_id, now=now)
    return data


def publish(deps: Deps, client: WebClient | None, *, team_id: str, user_id: str, page: int = 0) -> None:
    """Never raises: a Home that cannot be refreshed must not break the action that asked."""
    try:
        with unit_of_work(deps.engine) as db:
            data = gather(deps, db, team_id=team_id, user_id=user_id, page=page)
        (client or deps.client_for(team_id)).views_publish(user_id=user_id, view=build_home(deps.prompts, data))
    except NotInstalled:
        return  # the workspace removed the app: no Home to show
    except SlackApiError as exc:
        log.warning("could not publish Home for %s: %s", user_id, exc.response.get("error"))
    except Exception:
        log.exception("could not build Home for %s", user_id)


def publish_each(deps: Deps, *, team_id: str, user_ids: list[str]) -> None:
    """After a change: every Home that shows it (the owner's, the changer's)."""
    for user_id in sorted({u for u in user_ids if u}):
        publish(deps, None, team_id=team_id, user_id=user_id)
