"""Governance wiring: the review sweep (a tick), change-triggered reviews, `/persona review-all`
and the five review actions. Handlers are thin; the modules named here do the work."""

from __future__ import annotations

import logging
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor

from slack_bolt import App
from slack_sdk import WebClient

from bot.deps import Deps
from bot.governance import changes
from bot.governance.actions import register_actions
from bot.governance.digest import WeeklyDigest
from bot.governance.escalation import escalate_overdue
from bot.governance.nudges import NudgeSweep
from bot.governance.outcomes import update_nudge
from bot.governance.owners import owner_directory
from bot.home.publish import HomePublisher
from bot.review_subjects import SubjectChange

log = logging.getLogger(__name__)
TICK = "governance"


def register(app: App, deps: Deps) -> None:
    owners = owner_directory(deps)
    home = HomePublisher(deps, owners)
    digest = WeeklyDigest(deps, owners)
    sweep = NudgeSweep(deps, owners, special={"digest": digest.deliver})
    # Features announce changes from inside their handlers, sometimes before they ack: the
    # database work happens at once, the Slack calls that follow (nudge update, Home) here.
    background = ThreadPoolExecutor(max_workers=1, thread_name_prefix="governance")
    deps.on_stop.append(lambda: background.shutdown(wait=True))

    def later(work: Callable[..., None], *args: object, **kwargs: object) -> None:
        def run() -> None:
            try:
                work(*args, **kwargs)
            except Exception:
                log.exception("governance follow-up %s failed", getattr(work, "__name__", work))
        background.submit(run)

    def run_sweep() -> None:
        """What is due is in the database; this only looks, claims and posts."""
        digest.schedule(deps.clock.now())
        sweep.run()
        escalate_overdue(deps)

    def refresh_home(client: WebClient, team_id: str, user_id: str) -> None:
        home.publish(client, team_id=team_id, user_id=user_id)

    def on_owner_done(team_id: str, review_id: str) -> None:
        later(update_nudge, deps, team_id=team_id, review_id=int(review_id), outcome="updated")

    def on_change(change: SubjectChange) -> None:
        changes.handle_change(deps, change, on_owner_done)
        later(home.refresh_owner, change)

    deps.ticks[TICK] = run_sweep
    deps.on_change.append(on_change)
    deps.commands.add("/persona", "review-all", lambda call: changes.handle_review_all(deps, call),
                      usage='"REASON"', summary=deps.prompts.part("governance/help", "review_all"))
    register_actions(app, deps, owners, refresh_home)
