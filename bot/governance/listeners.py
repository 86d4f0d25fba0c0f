"""Governance wiring, in one table: the five review actions, `/review-all` (also `/persona review-all`), the review
sweep (a tick) and the reaction to changes. The modules named here do the work."""

from __future__ import annotations

from datetime import datetime

from slack_bolt import App
from sqlmodel import Session

from bot.deps import Deps
from bot.governance import actions, changes, ids, link_actions
from bot.governance.digest import WeeklyDigest
from bot.governance.escalation import escalate_overdue
from bot.governance.nudges import NudgeSweep, stop_workspace
from bot.governance.owners import owner_directory
from bot.review_subjects import SubjectChange

TICK = "governance"
ACTIONS = {
    ids.STILL_ACCURATE: actions.handle_still_accurate,
    ids.UPDATE_NOW: actions.handle_update_now,
    ids.SNOOZE: actions.handle_snooze,
    ids.REASSIGN: actions.handle_reassign,
    ids.RETIRE: actions.handle_retire,
    ids.LINK_CHECKED: link_actions.handle_link_checked,
    ids.LINK_OPEN: link_actions.handle_link_open,
    ids.LINK_REASSIGN: link_actions.handle_link_reassign,
}

VIEWS = {
    ids.LEARNED_MODAL: actions.handle_learned_submit,
}


class Sweep:
    """The tick: what is due is in the database; this only looks, claims and posts."""

    def __init__(self, deps: Deps) -> None:
        self.deps = deps
        owners = owner_directory(deps)
        self.digest = WeeklyDigest(deps, owners)
        self.nudges = NudgeSweep(deps, owners, special={"digest": self.digest.deliver})

    def __call__(self) -> None:
        self.digest.schedule(self.deps.clock.now())
        self.nudges.run()
        escalate_overdue(self.deps)


class StopWorkspace:
    """`deps.on_uninstall`: the workspace's open reviews close in the uninstall event's unit of work."""

    def __init__(self, deps: Deps) -> None:
        self.deps = deps

    def __call__(self, db: Session, team_id: str, now: datetime) -> None:
        stop_workspace(self.deps, db, team_id, now)


class ChangeListener:
    """`deps.on_change`: reviews a change calls for, written in the unit of work that made it."""

    def __init__(self, deps: Deps) -> None:
        self.deps = deps

    def __call__(self, db: Session, change: SubjectChange) -> None:
        changes.handle_change(self.deps, db, change)


def register(app: App, deps: Deps) -> None:
    for action_id, handler in ACTIONS.items():
        app.action(action_id)(handler)
    for callback_id, handler in VIEWS.items():
        app.view(callback_id)(handler)
    summary = deps.prompts.part("governance/help", "review_all")
    deps.commands.add("/persona", "review-all", changes.handle_review_all, usage='"REASON"', summary=summary)
    deps.commands.add("/review-all", "", changes.handle_review_all, usage='"REASON"', summary=summary)
    deps.ticks[TICK] = Sweep(deps)
    deps.on_change.append(ChangeListener(deps))
    deps.on_uninstall.append(StopWorkspace(deps))
