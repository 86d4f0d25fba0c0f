"""Governance in many workspaces: two installs through the real OAuth flow, each with a review
nudge, an escalation and a weekly digest sent with its own workspace's token; a workspace that
removes the app is nudged no more, quietly. On SQLite and PostgreSQL."""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy.engine import Engine

from storage.states import ReviewState
from tests.governance_kit import add_journey, install, review_rows, text_of
from tests.harness import CLIENT_ID, CLIENT_SECRET, Bot, FakeClock
from tests.slack_fake import FakeSlack, payloads

ALPHA, BRAVO = "T0ALPHA", "T0BRAVO"
MARKERS = {ALPHA: "ALPHA", BRAVO: "BRAVO"}
GOV = "C0GOV"
MONDAY_NOON = datetime(2026, 11, 23, 12, 0, tzinfo=UTC)  # a digest slot (Mondays 10:00 UTC) two hours ago


@pytest.fixture
def oauth_gov(slack: FakeSlack, any_engine: Engine, clock: FakeClock) -> Iterator[Bot]:
    """Many workspaces and no SLACK_BOT_TOKEN at all, so nothing can fall back on one."""
    slack.accept_oauth_client(CLIENT_ID, CLIENT_SECRET)
    bot = Bot(slack=slack, engine=any_engine, clock=clock, slack_client_id=CLIENT_ID,
              slack_client_secret=CLIENT_SECRET, slack_bot_token=None, governance_channel=GOV,
              escalate_after_days=7)
    install(bot.deps)
    yield bot
    bot.close()


def _owner(team: str) -> str:
    return f"U0{MARKERS[team]}OWN"


def _workspace_of(args: dict) -> set[str]:
    dumped = json.dumps(args)
    return {team for team, name in MARKERS.items() if name in dumped}


def _posts(slack: FakeSlack, token: str, channel: str) -> list[dict]:
    return [c.args for c in slack.calls_to("chat.postMessage")
            if c.token == token and c.args.get("channel") == channel and c.response.get("ok")]


def test_nudges_escalations_and_digests_use_each_workspaces_own_token(
        oauth_gov: Bot, slack: FakeSlack, clock: FakeClock, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO)
    tokens = {team: oauth_gov.install(team) for team in (ALPHA, BRAVO)}
    clock.set(MONDAY_NOON - timedelta(days=7))
    for team in tokens:
        for n in range(2):
            add_journey(oauth_gov.engine, name=f"Journey {MARKERS[team]} {n}", owner=_owner(team), due=clock.now(),
                        created=clock.now() - timedelta(days=90), team_id=team)
    oauth_gov.tick()  # the nudges, and last Monday's digest
    oauth_gov.tick()
    clock.set(MONDAY_NOON)
    oauth_gov.tick()  # a week overdue: escalated; and this Monday's digest
    oauth_gov.tick()

    calls = [c for c in slack.calls if c.method not in ("oauth.v2.access", "upload", "response_url")]
    assert calls
    for call in calls:
        owner = slack.team_of(call.token)
        assert owner in tokens, (call.method, call.token)
        assert _workspace_of(call.args) <= {owner}, (call.method, owner, call.args)
    for team, token in tokens.items():
        [nudge] = _posts(slack, token, _owner(team))
        assert all(f"Journey {MARKERS[team]} {n}" in text_of(nudge) for n in range(2)), "one DM listing both"
        in_channel = [text_of(m) for m in _posts(slack, token, GOV)]
        assert sum("waiting for review" in t for t in in_channel) == 2, f"{team}: both escalated once"
        assert sum("Weekly persona" in t for t in in_channel) == 2, f"{team}: last week's and this week's digest"
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR], caplog.text


def test_a_workspace_that_removes_the_app_is_nudged_no_more_quietly(
        oauth_gov: Bot, slack: FakeSlack, clock: FakeClock, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO)
    tokens = {team: oauth_gov.install(team) for team in (ALPHA, BRAVO)}
    clock.set(MONDAY_NOON)
    for team in tokens:
        add_journey(oauth_gov.engine, name=f"Journey {MARKERS[team]}", owner=_owner(team),
                    due=clock.now() + timedelta(days=1), created=clock.now(), team_id=team)
    slack.revoke(BRAVO)
    answer = oauth_gov.http.event(payloads.event_callback({"type": "app_uninstalled"}, team=BRAVO))
    assert answer.status == 200
    assert {r.state for r in review_rows(oauth_gov.engine) if r.team_id == BRAVO} == {ReviewState.CANCELLED}
    # A review the uninstall did not see (written by another replica meanwhile) is closed by the sweep.
    add_journey(oauth_gov.engine, name="Journey BRAVO late", owner=_owner(BRAVO), due=clock.now() + timedelta(days=1),
                created=clock.now(), team_id=BRAVO)
    before = len(slack.calls)
    clock.advance(days=1)
    oauth_gov.tick()
    oauth_gov.tick()

    later = [c for c in slack.calls[before:] if c.method != "upload"]
    assert later and all(c.token == tokens[ALPHA] for c in later), [(c.method, c.token) for c in later]
    assert _posts(slack, tokens[ALPHA], _owner(ALPHA))
    assert {r.state for r in review_rows(oauth_gov.engine) if r.team_id == BRAVO} == {ReviewState.CANCELLED}
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR], caplog.text
