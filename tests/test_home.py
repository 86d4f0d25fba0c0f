"""The App Home tab: my reviews due (with the same actions), what I own, sessions, workspace health."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlmodel import Session

from bot.governance import ids as review_ids
from bot.home import ids
from bot.personas import lifecycle
from storage.models import EmpathySession
from storage.states import EvidenceStance
from tests.governance_kit import confirm_best_guess, review_rows
from tests.harness import Bot, FakeClock, eventually
from tests.persona_helpers import make_persona
from tests.slack_fake import FakeSlack, payloads

OWNER, OTHER = "U0OWNER", "U0OTHER"
MONDAY_NOON = datetime(2026, 11, 23, 12, 0, tzinfo=UTC)


def _home(slack: FakeSlack, user: str, after: int, *showing: str) -> dict[str, Any]:
    """The Home published for `user` since call `after` that shows `showing` (changes also refresh
    Home in the background, so an earlier refresh may arrive in between)."""
    def views() -> list[dict[str, Any]]:
        found = []
        for call in slack.calls_to("views.publish")[after:]:
            view = call.args["view"] if isinstance(call.args["view"], dict) else json.loads(call.args["view"])
            if call.args["user_id"] == user and all(text in json.dumps(view) for text in showing):
                found.append(view)
        return found
    return eventually(views)[-1]


def _open_home(bot: Bot, user: str, *showing: str) -> dict[str, Any]:
    before = len(bot.slack.calls_to("views.publish"))
    event = payloads.event_callback(payloads.app_home_opened(user))
    assert bot.http.event(event).status == 200
    return _home(bot.slack, user, before, *showing)


def _session(bot: Bot, subject: str, status: str) -> None:
    with Session(bot.engine) as db:
        db.add(EmpathySession(team_id="T0001", channel_id="C0GROWTH", facilitator_id=OWNER, subject=subject,
                              status=status, created_at=MONDAY_NOON))
        db.commit()


def test_home_shows_my_reviews_with_actions_what_i_own_sessions_and_health(
        bot: Bot, slack: FakeSlack, clock: FakeClock) -> None:
    clock.set(MONDAY_NOON - timedelta(days=92))
    make_persona(bot, owner=OWNER, name="Maya")  # due two days ago: overdue
    clock.set(MONDAY_NOON)
    make_persona(bot, owner=OWNER, name="Ben")
    ines = make_persona(bot, owner=OTHER, name="Ines")
    lifecycle.suggest(bot.deps, persona=ines, user_id=OWNER, text="Add the night shift")  # due now: not overdue
    bot.settle()
    _session(bot, "New admins", "running")
    _session(bot, "Night nurses", "finished")

    view = _open_home(bot, OWNER, "My reviews due (1)", "What I own (2)", "Night nurses", "3 active personas")
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
    view = _open_home(bot, OWNER, "Page 1 of 3")
    text = json.dumps(view)
    assert len(view["blocks"]) <= 100
    assert "review *Persona 09*" in text and "review *Persona 10*" not in text

    pager = next(e for b in view["blocks"] if b["type"] == "actions" for e in b["elements"]
                 if e["action_id"] == ids.REVIEWS_NEXT)
    before = len(slack.calls_to("views.publish"))
    bot.http.interactive(payloads.block_actions(ids.REVIEWS_NEXT, value=pager["value"], user=OWNER,
                                                view={"id": "V0001", "type": "home"}))
    second = json.dumps(_home(slack, OWNER, before, "Page 2 of 3"))
    assert "Page 2 of 3" in second and "review *Persona 10*" in second and "review *Persona 09*" not in second


def test_acting_from_home_settles_the_review_and_refreshes_home(bot: Bot, slack: FakeSlack, clock: FakeClock) -> None:
    clock.set(MONDAY_NOON - timedelta(days=90))
    persona = make_persona(bot, owner=OWNER)
    clock.set(MONDAY_NOON)
    view = _open_home(bot, OWNER, "My reviews due (1)")
    block = next(b for b in view["blocks"] if b.get("block_id", "").startswith("review:"))
    before = len(slack.calls_to("views.publish"))
    opened = len(slack.calls_to("views.open"))
    bot.http.interactive(payloads.block_actions(review_ids.STILL_ACCURATE, value=block["elements"][0]["value"],
                                                block_id=block["block_id"], user=OWNER,
                                                view={"id": "V0001", "type": "home"}))
    confirm_best_guess(bot, slack, user=OWNER, opened_before=opened)  # a proto-persona: what did we learn?
    refreshed = json.dumps(_home(slack, OWNER, before, "My reviews due (0)"))
    assert "Nothing to review" in refreshed
    bot.settle()  # the next cadence review is scheduled by the outbox, right after the commit
    assert [r.state for r in review_rows(bot.engine, persona.id)] == ["done", "pending"]


def test_a_change_by_someone_else_refreshes_the_owners_home(bot: Bot, slack: FakeSlack, clock: FakeClock) -> None:
    clock.set(MONDAY_NOON)
    persona = make_persona(bot, owner=OWNER)
    before = len(slack.calls_to("views.publish"))
    from bot.personas import lifecycle

    lifecycle.suggest(bot.deps, persona=persona, user_id=OTHER, text="Add a goal about price")
    assert "Time to review *Maya*" in json.dumps(_home(slack, OWNER, before, "suggested a change"))


def test_home_says_what_changed_since_the_last_review_as_the_dm_does(
        bot: Bot, slack: FakeSlack, clock: FakeClock) -> None:
    clock.set(MONDAY_NOON - timedelta(days=92))
    persona = make_persona(bot, owner=OWNER, name="Maya")  # due two days ago: overdue
    clock.set(MONDAY_NOON - timedelta(days=1))
    lifecycle.add_evidence(bot.deps, team_id="T0001", persona_id=persona.id, user_id=OWNER,
                           text="8 of 10 compared <prices> in tabs", permalink="", author_id="U0C", source_key="a",
                           stance=EvidenceStance.SUPPORTS, assumption="behaviors")
    clock.set(MONDAY_NOON)
    view = _open_home(bot, OWNER, "My reviews due (1)")
    text = json.dumps(view)
    assert "Since it was created" in text and "1 new piece of evidence: 1 supports, 0 challenge" in text
    assert "_supports Behaviors_: 8 of 10 compared &lt;prices&gt; in tabs" in text, "user text escaped"
    assert "Assumptions still open" in text

    bot.tick()
    [nudge] = [c.args for c in slack.calls_to("chat.postMessage") if c.args.get("channel") == OWNER]
    sent = nudge["blocks"] if isinstance(nudge["blocks"], list) else json.loads(nudge["blocks"])
    lines = next(b for b in view["blocks"] if "Since it was created" in json.dumps(b))
    assert lines in sent, "the same lines as the DM nudge"


def test_a_full_page_of_reviews_with_what_changed_stays_within_100_blocks(
        bot: Bot, slack: FakeSlack, clock: FakeClock) -> None:
    clock.set(MONDAY_NOON - timedelta(days=90))
    for n in range(12):
        make_persona(bot, owner=OWNER, name=f"Persona {n:02d}")
    clock.set(MONDAY_NOON)
    view = _open_home(bot, OWNER, "Page 1 of 2")
    assert len(view["blocks"]) <= 100 and json.dumps(view).count("Since it was created") == 10
