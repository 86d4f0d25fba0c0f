"""The App Home tab: my reviews due (with the same actions), what I own, sessions, workspace health."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlmodel import Session

from bot.governance import ids as review_ids
from bot.home import ids
from storage.models import EmpathySession
from tests.governance_kit import review_rows
from tests.harness import Bot, FakeClock, eventually
from tests.persona_helpers import make_persona
from tests.slack_fake import FakeSlack, payloads

OWNER, OTHER = "U0OWNER", "U0OTHER"
MONDAY_NOON = datetime(2026, 11, 23, 12, 0, tzinfo=UTC)


def _home(slack: FakeSlack, user: str, after: int = 0) -> dict[str, Any]:
    calls = eventually(lambda: [c for c in slack.calls_to("views.publish")[after:] if c.args["user_id"] == user])
    view = calls[-1].args["view"]
    return view if isinstance(view, dict) else json.loads(view)


def _open_home(bot: Bot, user: str) -> dict[str, Any]:
    before = len(bot.slack.calls_to("views.publish"))
    event = payloads.event_callback(payloads.app_home_opened(user))
    assert bot.http.event(event).status == 200
    return _home(bot.slack, user, before)


def _session(bot: Bot, subject: str, status: str) -> None:
    with Session(bot.engine) as db:
        db.add(EmpathySession(team_id="T0001", channel_id="C0GROWTH", facilitator_id=OWNER, subject=subject,
                              status=status, created_at=MONDAY_NOON))
        db.commit()


def test_home_shows_my_reviews_with_actions_what_i_own_sessions_and_health(
        bot: Bot, slack: FakeSlack, clock: FakeClock) -> None:
    clock.set(MONDAY_NOON - timedelta(days=90))
    make_persona(bot, owner=OWNER, name="Maya")
    clock.set(MONDAY_NOON)
    make_persona(bot, owner=OWNER, name="Ben")
    make_persona(bot, owner=OTHER, name="Ines")
    _session(bot, "New admins", "running")
    _session(bot, "Night nurses", "finished")

    view = _open_home(bot, OWNER)
    text = json.dumps(view)
    assert view["type"] == "home" and len(view["blocks"]) <= 100
    assert "My reviews due (1)" in text and "Time to review *Maya*" in text
    actions = {e["action_id"] for b in view["blocks"] if b["type"] == "actions" for e in b["elements"]}
    assert set(review_ids.ALL_ACTIONS) <= actions
    assert {ids.START_SESSION, ids.NEW_PERSONA} <= actions
    assert "What I own (2)" in text and "*Ben*" in text and "Ines" not in text.split("Workspace health")[0]
    assert "running" in text and "New admins" in text and "Night nurses" in text
    assert "3 active personas" in text and "within the 3-5 guidance" in text and "1 review overdue" in text


def test_reviews_due_are_paged_within_slacks_limit(bot: Bot, slack: FakeSlack, clock: FakeClock) -> None:
    clock.set(MONDAY_NOON - timedelta(days=90))
    for n in range(23):
        make_persona(bot, owner=OWNER, name=f"Persona {n:02d}")
    clock.set(MONDAY_NOON)
    view = _open_home(bot, OWNER)
    text = json.dumps(view)
    assert len(view["blocks"]) <= 100 and "Page 1 of 3" in text
    assert "review *Persona 09*" in text and "review *Persona 10*" not in text

    pager = next(e for b in view["blocks"] if b["type"] == "actions" for e in b["elements"]
                 if e["action_id"] == ids.REVIEWS_NEXT)
    before = len(slack.calls_to("views.publish"))
    bot.http.interactive(payloads.block_actions(ids.REVIEWS_NEXT, value=pager["value"], user=OWNER,
                                                view={"id": "V0001", "type": "home"}))
    second = json.dumps(_home(slack, OWNER, before))
    assert "Page 2 of 3" in second and "review *Persona 10*" in second and "review *Persona 09*" not in second


def test_acting_from_home_settles_the_review_and_refreshes_home(bot: Bot, slack: FakeSlack, clock: FakeClock) -> None:
    clock.set(MONDAY_NOON - timedelta(days=90))
    persona = make_persona(bot, owner=OWNER)
    clock.set(MONDAY_NOON)
    view = _open_home(bot, OWNER)
    block = next(b for b in view["blocks"] if b.get("block_id", "").startswith("review:"))
    before = len(slack.calls_to("views.publish"))
    bot.http.interactive(payloads.block_actions(review_ids.STILL_ACCURATE, value=block["elements"][0]["value"],
                                                block_id=block["block_id"], user=OWNER,
                                                view={"id": "V0001", "type": "home"}))
    refreshed = json.dumps(_home(slack, OWNER, before))
    assert "My reviews due (0)" in refreshed and "Nothing to review" in refreshed
    assert [r.state for r in review_rows(bot.engine, persona.id)] == ["done", "pending"]


def test_a_change_by_someone_else_refreshes_the_owners_home(bot: Bot, slack: FakeSlack, clock: FakeClock) -> None:
    clock.set(MONDAY_NOON)
    persona = make_persona(bot, owner=OWNER)
    before = len(slack.calls_to("views.publish"))
    from bot.personas import lifecycle

    lifecycle.suggest(bot.deps, persona=persona, user_id=OTHER, text="Add a goal about price")
    assert "suggested a change" in json.dumps(_home(slack, OWNER, before))
