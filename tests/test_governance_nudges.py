"""Review nudges as owners live them: due at the owner's local morning, acted on in one click.

Time is a FakeClock; the sweep runs when the test calls `bot.tick()`, as the scheduler would.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest

from bot.governance import ids
from tests.governance_kit import add_journey, dms, install, journey, review_block, review_rows, text_of
from tests.harness import Bot, FakeClock, eventually
from tests.slack_fake import FakeSlack, payloads

OWNER = "U0OWNER"
OTHER = "U0OTHER"
FRIDAY_EVENING_NY = datetime(2026, 11, 27, 23, 0, tzinfo=UTC)  # 18:00 in New York
MONDAY_10_NY = datetime(2026, 11, 30, 15, 0, tzinfo=UTC)


@pytest.fixture
def gov(slack: FakeSlack, engine, clock: FakeClock) -> Iterator[Bot]:
    slack.users[OWNER] = {"tz": "America/New_York"}
    running = Bot(slack=slack, engine=engine, clock=clock)
    install(running.deps)
    yield running
    running.close()


def _click(bot: Bot, message: dict, action_id: str, *, user: str = OWNER, review_id: int | None = None,
           **kw) -> None:
    block = review_block(message, review_id)
    element = next(e for e in block["elements"] if e["action_id"] == action_id)
    reply = bot.http.interactive(payloads.block_actions(
        action_id, value=element.get("value"), block_id=block["block_id"], user=user, channel="D" + OWNER,
        message_ts=message.get("ts", "1.0"), response_url=bot.slack.response_url("actions"), **kw))
    assert reply.status == 200


def _posted(slack: FakeSlack, user: str = OWNER) -> list[dict]:
    """DMs with their ts (from Slack's answer), to click on."""
    out = []
    for call in slack.calls_to("chat.postMessage"):
        if call.args.get("channel") in (user, "D" + user) and call.response.get("ok"):
            out.append({**call.args, "ts": call.response["ts"]})
    return out


def test_a_due_review_reaches_the_owner_once_on_a_weekday_morning_in_their_time_zone(
        gov: Bot, slack: FakeSlack, clock: FakeClock) -> None:
    clock.set(FRIDAY_EVENING_NY - timedelta(days=1))
    journey_id = add_journey(gov.engine, name="Onboarding", owner=OWNER, due=FRIDAY_EVENING_NY,
                             created=clock.now())
    for when in (FRIDAY_EVENING_NY, datetime(2026, 11, 28, 15, tzinfo=UTC),  # Saturday 10:00 NY
                 datetime(2026, 11, 30, 5, tzinfo=UTC), MONDAY_10_NY - timedelta(minutes=1)):  # night, 9:59
        clock.set(when)
        gov.tick()
    assert dms(slack, OWNER) == []

    clock.set(MONDAY_10_NY)
    gov.tick()
    gov.tick()
    [nudge] = dms(slack, OWNER)
    assert "Onboarding" in text_of(nudge) and "90-day review is due" in text_of(nudge)
    actions = {e["action_id"] for e in review_block(nudge)["elements"]}
    assert actions == set(ids.ALL_ACTIONS)
    [row] = review_rows(gov.engine, journey_id)
    assert row.state == "sent" and row.message_ts

    clock.advance(hours=3)
    gov.tick()
    assert len(dms(slack, OWNER)) == 1


def test_missed_nudges_after_downtime_go_out_once(gov: Bot, slack: FakeSlack, clock: FakeClock) -> None:
    start = clock.now()
    for n in range(3):
        add_journey(gov.engine, name=f"Journey {n}", owner=OWNER, due=start + timedelta(days=n), created=start)
    clock.set(MONDAY_10_NY + timedelta(days=1))  # the bot was down all week
    gov.tick()
    gov.tick()
    [dm] = dms(slack, OWNER)  # one DM per owner per sweep, listing all three
    assert all(f"Journey {n}" in text_of(dm) for n in range(3)) and "3 items you own are due" in text_of(dm)
    assert {r.state for r in review_rows(gov.engine)} == {"sent"}


def test_still_accurate_marks_reviewed_schedules_the_next_and_updates_the_nudge(
        gov: Bot, slack: FakeSlack, clock: FakeClock) -> None:
    clock.set(MONDAY_10_NY)
    journey_id = add_journey(gov.engine, name="Checkout", owner=OWNER, due=clock.now(), created=clock.now(),
                             cadence_days=30)
    gov.tick()
    [nudge] = _posted(slack)
    _click(gov, nudge, ids.STILL_ACCURATE)
    update = slack.wait_for("chat.update")[0].args
    assert update["ts"] == nudge["ts"] and "confirmed it is still accurate" in text_of(update)
    assert "actions" not in text_of(update)
    assert journey(gov.engine, journey_id).next_review_at == MONDAY_10_NY + timedelta(days=30)
    states = [(r.reason, r.state, r.due_at) for r in review_rows(gov.engine, journey_id)]
    assert states == [("cadence", "done", MONDAY_10_NY), ("cadence", "pending", MONDAY_10_NY + timedelta(days=30))]

    _click(gov, nudge, ids.STILL_ACCURATE)  # a double click
    eventually(lambda: slack.calls_to("response_url"))
    assert "already handled" in slack.last("response_url").args["text"]
    assert len(review_rows(gov.engine, journey_id)) == 2

    clock.advance(days=29)
    gov.tick()
    assert len(dms(slack, OWNER)) == 1
    clock.advance(days=1)
    gov.tick()
    assert len(dms(slack, OWNER)) == 2


@pytest.mark.parametrize(("choice", "days"), [("1d", 1), ("1w", 7)])
def test_snooze_brings_the_review_back_after_a_day_or_a_week(
        gov: Bot, slack: FakeSlack, clock: FakeClock, choice: str, days: int) -> None:
    clock.set(MONDAY_10_NY)
    journey_id = add_journey(gov.engine, name="Renewal", owner=OWNER, due=clock.now(), created=clock.now())
    gov.tick()
    [nudge] = _posted(slack)
    block = review_block(nudge)
    select = next(e for e in block["elements"] if e["action_id"] == ids.SNOOZE)
    option = next(o for o in select["options"] if o["value"].startswith(choice))
    gov.http.interactive(payloads.block_actions(
        ids.SNOOZE, block_id=block["block_id"], user=OWNER, channel="D" + OWNER, message_ts=nudge["ts"],
        action_type="static_select", selected_option=option, response_url=slack.response_url("actions")))
    assert "snoozed this review" in text_of(slack.wait_for("chat.update")[0].args)
    [row] = review_rows(gov.engine, journey_id)
    assert row.state == "snoozed" and row.snoozed_until == MONDAY_10_NY + timedelta(days=days)

    clock.advance(days=days, minutes=-1)
    gov.tick()
    assert len(dms(slack, OWNER)) == 1
    clock.advance(minutes=1)
    gov.tick()
    gov.tick()
    assert len(dms(slack, OWNER)) == 2
    assert review_rows(gov.engine, journey_id)[0].state == "sent"


def test_only_the_owner_or_an_admin_may_act_others_are_told_politely(
        gov: Bot, slack: FakeSlack, clock: FakeClock) -> None:
    clock.set(MONDAY_10_NY)
    journey_id = add_journey(gov.engine, name="Support", owner=OWNER, due=clock.now(), created=clock.now())
    gov.tick()
    [nudge] = _posted(slack)
    _click(gov, nudge, ids.RETIRE, user=OTHER)
    answer = eventually(lambda: slack.calls_to("response_url"))[0].args
    assert "Only the owner" in answer["text"] and answer["response_type"] == "ephemeral"
    assert journey(gov.engine, journey_id).status == "active"
    assert review_rows(gov.engine, journey_id)[0].state == "sent"


def test_retire_and_update_now_and_reassign(gov: Bot, slack: FakeSlack, clock: FakeClock) -> None:
    clock.set(MONDAY_10_NY)
    first = add_journey(gov.engine, name="Retire me", owner=OWNER, due=clock.now(), created=clock.now())
    second = add_journey(gov.engine, name="Hand me over", owner=OWNER, due=clock.now(), created=clock.now())
    gov.tick()
    [dm] = _posted(slack)  # both in one DM, each with its own buttons
    [retiring], [handing] = review_rows(gov.engine, first), review_rows(gov.engine, second)

    _click(gov, dm, ids.UPDATE_NOW, review_id=retiring.id)
    assert slack.wait_for("views.open")[0].args["trigger_id"]

    _click(gov, dm, ids.RETIRE, review_id=retiring.id)
    eventually(lambda: journey(gov.engine, first).status == "retired")
    updated = text_of(slack.wait_for("chat.update")[0].args)
    assert "retired it" in updated and "Hand me over" in updated, "the other item keeps its buttons"
    assert {r.state for r in review_rows(gov.engine, first)} <= {"done", "cancelled"}

    block = review_block(dm, handing.id)
    gov.http.interactive(payloads.block_actions(
        ids.REASSIGN, block_id=block["block_id"], user=OWNER, channel="D" + OWNER,
        message_ts=dm["ts"], action_type="users_select",
        action_fields={"selected_user": OTHER}, response_url=slack.response_url("actions")))
    eventually(lambda: journey(gov.engine, second).owner_id == OTHER)
    gov.tick()
    [handed] = dms(slack, OTHER)
    assert "Hand me over" in text_of(handed)
    assert [r.owner_id for r in review_rows(gov.engine, second)] == [OTHER]


def test_a_rate_limited_post_is_retried_and_sent_once(gov: Bot, slack: FakeSlack, clock: FakeClock) -> None:
    clock.set(MONDAY_10_NY)
    add_journey(gov.engine, name="Busy", owner=OWNER, due=clock.now(), created=clock.now())
    slack.rate_limit_next("chat.postMessage", retry_after=0)
    gov.tick()
    gov.tick()
    posts = [c for c in slack.calls_to("chat.postMessage") if c.args.get("channel") == OWNER]
    assert [c.status for c in posts] == [429, 200]
    assert len(dms(slack, OWNER)) == 1
    assert review_rows(gov.engine)[0].state == "sent"


def test_a_failed_post_is_retried_later_never_dropped(gov: Bot, slack: FakeSlack, clock: FakeClock) -> None:
    clock.set(MONDAY_10_NY)
    add_journey(gov.engine, name="Flaky", owner=OWNER, due=clock.now(), created=clock.now())
    slack.fail_next("chat.postMessage", error="internal_error")
    gov.tick()
    assert dms(slack, OWNER) == [] and review_rows(gov.engine)[0].state == "pending"
    clock.advance(minutes=5)
    gov.tick()
    gov.tick()
    assert len(dms(slack, OWNER)) == 1
