"""The weekly digest in the governance channel: stale reviews, unowned items, quality warnings.

Exactly once per workspace and week, like every nudge: the week's digest is a review row
(`subject_type="digest"`) whose unique key is the week's slot, claimed before it is posted.
After downtime, the current week's digest goes out at the next sweep; older ones are skipped.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from slack_sdk.errors import SlackApiError

from bot import blocks
from bot.deps import Deps
from bot.governance import links, views
from bot.governance.health import Health, workspace_health
from bot.governance.owners import OwnerDirectory
from bot.slack_client import NotInstalled
from prompts import SlackMarkup
from storage import review_queries as queries
from storage import reviews as store
from storage.db import unit_of_work
from storage.models import Review
from storage.states import ReviewState

log = logging.getLogger(__name__)
DIGEST = "governance/digest"
RETRY = timedelta(minutes=5)


def digest_slot(now: datetime, *, weekday: int, hour: int, timezone: str) -> datetime:
    """The latest weekly slot (weekday at hour, in the workspace's time zone) not after `now`."""
    try:
        zone = ZoneInfo(timezone)
    except (ZoneInfoNotFoundError, ValueError):
        zone = ZoneInfo("UTC")
    local = now.astimezone(zone)
    day = local.date() - timedelta(days=(local.weekday() - weekday) % 7)
    slot = datetime(day.year, day.month, day.day, hour, tzinfo=zone)
    if slot > local:
        slot -= timedelta(days=7)
    return slot.astimezone(ZoneInfo("UTC"))


def build_digest(deps: Deps, health: Health) -> dict:
    def t(macro: str, **kw: object) -> str:
        return deps.prompts.part(DIGEST, macro, **kw)

    items = [blocks.header(t("heading"))]
    if health.all_clear:
        items.append(blocks.section(t("all_clear")))
    if health.stale:
        lines = [t("stale_line", info=info, owner=row.owner_id if links.is_link(row) else info.owner_id,
                   due=views.slack_date(row.due_at), link=links.is_link(row)) for row, info in health.stale]
        if health.stale_total > len(health.stale):
            lines.append(t("more", count=health.stale_total - len(health.stale)))
        items.append(blocks.section("\n".join([t("stale_heading", total=health.stale_total), *lines])))
    if health.unowned:
        lines = [t("unowned_line", info=info) for info in health.unowned[:15]]
        items.append(blocks.section("\n".join([t("unowned_heading", total=len(health.unowned)), *lines])))
    if health.warnings:
        lines = [t("quality_line", text=SlackMarkup(getattr(w, "text", str(w)))) for w in health.warnings[:15]]
        items.append(blocks.section("\n".join([t("quality_heading", total=len(health.warnings)), *lines])))
    items.append(blocks.context(t("footer")))
    return {"text": t("fallback"), "blocks": blocks.message_blocks(items)}


class WeeklyDigest:
    """Schedules each week's digest row per workspace and posts it when the sweep finds it due."""

    def __init__(self, deps: Deps, owners: OwnerDirectory) -> None:
        self.deps = deps
        self.owners = owners
        self._scheduled_slot: datetime | None = None

    def schedule(self, now: datetime) -> None:
        """Once per slot and process: a digest row for every workspace that has reviews."""
        settings = self.deps.settings
        if not settings.governance_channel:
            return
        slot = digest_slot(now, weekday=settings.digest_weekday, hour=settings.nudge_hour,
                           timezone=settings.default_timezone)
        if slot == self._scheduled_slot:
            return
        with unit_of_work(self.deps.engine) as db:
            for team_id in queries.teams_with_reviews(db):
                store.schedule_review(db, team_id=team_id, subject_type=queries.DIGEST, subject_id=0, owner_id="",
                                      reason="weekly", due_at=slot)
        self._scheduled_slot = slot

    def deliver(self, row: Review, now: datetime) -> None:
        channel = self.deps.settings.governance_channel
        try:
            client = self.deps.client_for(row.team_id)
        except NotInstalled:  # the workspace removed the app: its digest and reviews end, quietly
            with unit_of_work(self.deps.engine) as db:
                store.cancel_open_for_team(db, team_id=row.team_id, now=now)
            return
        with unit_of_work(self.deps.engine) as db:
            if not channel or now - row.due_at > timedelta(days=7):
                store.transition(db, review_id=row.id, from_states=(row.state,), to_state=ReviewState.CANCELLED,
                                 done_at=now)
                return
            held_since = row.sent_at if row.state == ReviewState.SENDING else None
            if not store.claim_nudge(db, review_id=row.id, from_state=row.state, now=now, held_since=held_since):
                return
        with unit_of_work(self.deps.engine) as db:
            health = workspace_health(self.deps, db, self.owners, team_id=row.team_id, now=now)
        try:
            posted = client.chat_postMessage(channel=channel, **build_digest(self.deps, health))
        except (SlackApiError, OSError) as exc:
            log.warning("weekly digest not posted in %s (%s); retrying in %s", channel, exc, RETRY)
            with unit_of_work(self.deps.engine) as db:
                store.release(db, review_id=row.id, claimed_at=now, back_to=ReviewState.PENDING, retry_at=now + RETRY)
            return
        with unit_of_work(self.deps.engine) as db:
            store.finish_sending(db, review_id=row.id, claimed_at=now, channel_id=posted["channel"],
                                 message_ts=posted["ts"], final_state=ReviewState.DONE)
