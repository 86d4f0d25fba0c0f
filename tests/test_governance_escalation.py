"""Escalation and the weekly digest in the governance channel: each posted once."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest

from bot.governance import ids
from bot.personas import lifecycle
from storage.db import unit_of_work
from storage.states import EvidenceStance
from tests.governance_kit import confirm_best_guess, dms, posts_in, review_block, review_rows, text_of
from tests.harness import Bot, FakeClock, eventually
from tests.persona_helpers import make_persona
from tests.slack_fake import FakeSlack, payloads

OWNER, GONE, ADMIN, HEIR = "U0OWNER", "U0GONE", "U0ADMIN", "U0HEIR"
GOV = "C0GOV"
MONDAY_NOON = datetime(2026, 11, 23, 12, 0, tzinfo=UTC)  # digests go out Mondays at 10:00 (UTC here)


@pytest.fixture
def gov(slack: FakeSlack, engine, clock: FakeClock) -> Iterator[Bot]:
    running = Bot(slack=slack, engine=engine, clock=clock, governance_channel=GOV, escalate_after_days=7,
                  admin_user_ids=ADMIN)
    yield running
    running.close()


def _escalations(slack: FakeSlack) -> list[dict]:
    return [m for m in posts_in(slack, GOV) if "waiting for review" in text_of(m) or "has nobody" in text_of(m)]


def _digests(slack: FakeSlack) -> list[dict]:
    return [m for m in posts_in(slack, GOV) if "Weekly persona" in text_of(m)]


def test_an_overdue_review_is_raised_once_in_the_governance_channel(gov: Bot, slack: FakeSlack,
                                                                     clock: FakeClock) -> None:
    clock.set(MONDAY_NOON - timedelta(days=90))
    persona = make_persona(gov, owner=OWNER)
    clock.set(MONDAY_NOON)
    gov.tick()
    assert len(dms(slack, OWNER)) == 1 and _escalations(slack) == []

    clock.advance(days=6, hours=23)
    gov.tick()
    assert _escalations(slack) == []
    clock.advance(hours=1)
    gov.tick()
    gov.tick()
    [escalation] = _escalations(slack)
    assert "<@U0OWNER>" in text_of(escalation) and "7 days" in text_of(escalation) and "Maya" in text_of(escalation)
    assert review_rows(gov.engine, persona.id)[0].state == "escalated"

    clock.advance(days=3)
    gov.tick()
    assert len(_escalations(slack)) == 1

    ts = next(c.response["ts"] for c in slack.calls_to("chat.postMessage") if c.args.get("channel") == GOV
              and "waiting for review" in text_of(c.args))
    block = review_block(escalation)
    opened = len(slack.calls_to("views.open"))
    gov.http.interactive(payloads.block_actions(ids.STILL_ACCURATE, value=block["elements"][0]["value"],
                                                block_id=block["block_id"], user=OWNER, channel=GOV, message_ts=ts,
                                                response_url=slack.response_url("actions")))
    confirm_best_guess(gov, slack, user=OWNER, opened_before=opened)  # a proto-persona: what did we learn?
    eventually(lambda: review_rows(gov.engine, persona.id)[0].state == "done")
    updated = {c.args["ts"] for c in slack.wait_for("chat.update", 2)}
    assert ts in updated, "the channel post shows the outcome too"


def test_an_escalation_says_what_changed_since_the_last_review_as_the_dm_does(
        gov: Bot, slack: FakeSlack, clock: FakeClock) -> None:
    clock.set(MONDAY_NOON - timedelta(days=90))
    persona = make_persona(gov, owner=OWNER)
    clock.set(MONDAY_NOON - timedelta(days=1))
    lifecycle.add_evidence(gov.deps, team_id="T0001", persona_id=persona.id, user_id=OWNER,
                           text="Nobody asked about <delivery> dates", permalink="", author_id="U0C", source_key="a",
                           stance=EvidenceStance.CHALLENGES, assumption="needs")
    clock.set(MONDAY_NOON)
    gov.tick()
    [nudge] = dms(slack, OWNER)
    clock.advance(days=7)
    gov.tick()
    [escalation] = _escalations(slack)
    shown = text_of(escalation)
    assert "Since it was created" in shown and "1 new piece of evidence: 0 support, 1 challenges" in shown
    assert "_challenges Needs_: Nobody asked about &lt;delivery&gt; dates" in shown, "user text escaped"
    assert "Assumptions still open" in shown
    since = next(b for b in _blocks(nudge) if "Since it was created" in json.dumps(b))
    assert since in _blocks(escalation), "the same lines as the DM nudge"
    assert review_block(escalation)["elements"][0]["action_id"] == ids.STILL_ACCURATE


def _blocks(message: dict) -> list[dict]:
    return message["blocks"] if isinstance(message["blocks"], list) else json.loads(message["blocks"])


def test_an_item_whose_owner_left_is_escalated_as_unowned_not_dmed(gov: Bot, slack: FakeSlack,
                                                                   clock: FakeClock) -> None:
    slack.users[GONE] = {"deleted": True}
    clock.set(MONDAY_NOON - timedelta(days=90))
    persona = make_persona(gov, owner=GONE, name="Orphan")
    clock.set(MONDAY_NOON)
    gov.tick()
    assert dms(slack, GONE) == []
    clock.advance(days=7)
    gov.tick()
    gov.tick()
    [escalation] = _escalations(slack)
    assert "Orphan" in text_of(escalation) and "no longer in the workspace" in text_of(escalation)

    block = review_block(escalation)
    gov.http.interactive(payloads.block_actions(
        ids.REASSIGN, block_id=block["block_id"], user=ADMIN, channel=GOV, message_ts="1.0",
        action_type="users_select", action_fields={"selected_user": HEIR}, response_url=slack.response_url()))
    gov.settle()
    with unit_of_work(gov.engine) as db:
        assert gov.deps.subjects["persona"].describe(db, team_id="T0001", subject_id=persona.id).owner_id == HEIR
    gov.tick()
    [handed] = dms(slack, HEIR)
    assert "Orphan" in text_of(handed)


def test_the_weekly_digest_lists_stale_unowned_and_quality_warnings_once_a_week(
        gov: Bot, slack: FakeSlack, clock: FakeClock) -> None:
    slack.users[GONE] = {"deleted": True}
    clock.set(MONDAY_NOON - timedelta(days=100))
    for n in range(5):
        make_persona(gov, owner=OWNER, name=f"Persona {n}", goals=[f"Goal {n} " * 3], behaviors=[f"b{n}"],
                     frustrations=[f"f{n}"], role=f"Role {n}", needs=[f"n{n}"])
    make_persona(gov, owner=GONE, name="Orphan", goals=[], behaviors=[], frustrations=[])
    clock.set(MONDAY_NOON)
    gov.tick()
    gov.tick()
    [digest] = _digests(slack)
    text = text_of(digest)
    assert "Stale" in text and "Unowned: 1" in text and "Orphan" in text
    assert "6 active personas" in text and "Quality warnings" in text

    clock.advance(days=6)
    gov.tick()
    assert len(_digests(slack)) == 1
    clock.advance(days=1)
    gov.tick()
    gov.tick()
    assert len(_digests(slack)) == 2


def test_nothing_is_posted_in_a_channel_without_governance_channel(bot: Bot, slack: FakeSlack,
                                                                   clock: FakeClock) -> None:
    clock.set(MONDAY_NOON - timedelta(days=90))
    make_persona(bot, owner=OWNER)
    clock.set(MONDAY_NOON + timedelta(days=30))
    bot.tick()
    bot.tick()
    assert [c.args["channel"] for c in slack.calls_to("chat.postMessage")] == [OWNER]
