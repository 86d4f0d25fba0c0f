"""Many workspaces: two installs through the real OAuth flow, each workshop's work outside requests
(phase timers, board refreshes, the outbox) with its own workspace's token, and a workspace that
removes the app going quiet. On SQLite and PostgreSQL.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator

import pytest
from sqlalchemy import text
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from bot.empathy import ids
from storage.models import OutboxMessage
from storage.states import OutboxState, SessionStatus
from tests.harness import CLIENT_ID, CLIENT_SECRET, Bot, FakeClock, eventually
from tests.slack_fake import FakeSlack, payloads
from tests.test_empathy_support import Workshop

ALPHA, BRAVO = "T0ALPHA", "T0BRAVO"  # every id of a workspace carries its name, so a call shows whose it is
MARKERS = {ALPHA: "ALPHA", BRAVO: "BRAVO"}


@pytest.fixture
def oauth_bot(slack: FakeSlack, any_engine: Engine, clock: FakeClock) -> Iterator[Bot]:
    bot = _oauth_bot(slack, any_engine, clock)
    yield bot
    bot.close()


def _oauth_bot(slack: FakeSlack, engine: Engine, clock: FakeClock, **settings: str) -> Bot:
    """The bot for many workspaces: no SLACK_BOT_TOKEN at all, so nothing can fall back on one."""
    slack.accept_oauth_client(CLIENT_ID, CLIENT_SECRET)
    return Bot(slack=slack, engine=engine, clock=clock, slack_client_id=CLIENT_ID,
               slack_client_secret=CLIENT_SECRET, slack_bot_token=None, **settings)


def _workshop(bot: Bot, slack: FakeSlack, team: str) -> Workshop:
    name = MARKERS[team]
    return Workshop(bot, slack, channel=f"C0{name}", facilitator=f"U0{name}FAC", team=team)


def _workspace_of(call_args: dict) -> set[str]:
    dumped = json.dumps(call_args)
    return {team for team, name in MARKERS.items() if name in dumped}


def _run_out(bot: Bot, seconds: int) -> None:
    bot.clock.advance(seconds=seconds)
    bot.tick()
    bot.tick()


def test_each_workspace_works_with_its_own_token_and_a_removed_one_goes_quiet(
        oauth_bot: Bot, slack: FakeSlack, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO)
    tokens = {ALPHA: oauth_bot.install(ALPHA), BRAVO: oauth_bot.install(BRAVO)}
    assert len(set(tokens.values())) == 2
    alpha, bravo = _workshop(oauth_bot, slack, ALPHA).start(), _workshop(oauth_bot, slack, BRAVO).start()
    for w in (alpha, bravo):
        w.click(ids.JOIN, f"U0{MARKERS[w.team]}P1")
    _run_out(oauth_bot, 300)  # the intro's timer: both move on from the tick, outside any request
    assert alpha.phase_index() == bravo.phase_index() == 1
    for w in (alpha, bravo):
        w.reply(f"U0{MARKERS[w.team]}P1", f"a note in {MARKERS[w.team]}")
        eventually(lambda w=w: len(w.notes()) == 1)
    _run_out(oauth_bot, 180)
    assert alpha.phase_index() == bravo.phase_index() == 2
    oauth_bot.settle()

    calls = [c for c in slack.calls if c.method not in ("oauth.v2.access", "upload", "response_url")]
    for call in calls:
        assert call.token in tokens.values(), (call.method, call.token)
        owner = slack.team_of(call.token)
        assert _workspace_of(call.args) <= {owner}, (call.method, owner, call.args)
    for team, token in tokens.items():
        theirs = [c for c in calls if c.token == token]
        thread = [c for c in theirs if c.method == "chat.postMessage" and c.args.get("thread_ts")]
        assert len(thread) >= 3, f"{team}: welcome and two timed phase prompts"
        assert any(c.method == "chat.update" for c in theirs), f"{team}: its board was refreshed"

    # Bravo removes the app while a phase prompt waits for a retry (Slack answered 500).
    slack.break_next("chat.postMessage")
    bravo.control(ids.NEXT_PHASE)
    eventually(lambda: [c for c in slack.calls_to("chat.postMessage") if c.status == 500])
    oauth_bot.settle()
    slack.revoke(BRAVO)
    answer = oauth_bot.http.event(payloads.event_callback({"type": "app_uninstalled"}, team=BRAVO))
    assert answer.status == 200
    assert bravo.row().status == SessionStatus.CANCELLED
    before = len(slack.calls)
    for _ in range(3):
        _run_out(oauth_bot, 300)

    later = slack.calls[before:]
    assert later, "Alpha's workshop carries on"
    assert all(c.token == tokens[ALPHA] for c in later if c.method != "upload")
    assert alpha.phase_index() >= 4
    with Session(oauth_bot.engine) as db:
        bravo_rows = db.exec(select(OutboxMessage).where(OutboxMessage.team_id == BRAVO)).all()
    assert not [r for r in bravo_rows if r.state in (OutboxState.PENDING, OutboxState.SENDING)]
    assert [r.last_error for r in bravo_rows if r.state == OutboxState.FAILED] == ["not installed"] * 2, \
        "Thinks shared as it closed, and the Feels prompt: both dropped"
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR], caplog.text
    with oauth_bot.engine.connect() as connection:
        teams = connection.execute(text("SELECT team_id FROM slack_bots")).scalars().all()
    assert teams == [ALPHA]


def test_tokens_revoked_removes_the_bot_installation(oauth_bot: Bot, slack: FakeSlack) -> None:
    oauth_bot.install(ALPHA)
    oauth_bot.install(BRAVO)
    event = {"type": "tokens_revoked", "tokens": {"bot": [f"UBOT{ALPHA}"]}}
    assert oauth_bot.http.event(payloads.event_callback(event, team=ALPHA)).status == 200

    with oauth_bot.engine.connect() as connection:
        assert connection.execute(text("SELECT team_id FROM slack_bots")).scalars().all() == [BRAVO]
    assert oauth_bot.deps.client_for(BRAVO).token in slack.tokens_of(BRAVO)


def test_tokens_are_encrypted_at_rest(oauth_bot: Bot, slack: FakeSlack) -> None:
    token = oauth_bot.install(ALPHA)

    with oauth_bot.engine.connect() as connection:
        stored = [*connection.execute(text("SELECT bot_token FROM slack_bots")).scalars(),
                  *connection.execute(text("SELECT bot_token FROM slack_installations")).scalars()]
        dump = json.dumps([dict(r) for t in ("slack_bots", "slack_installations")
                           for r in connection.execute(text(f"SELECT * FROM {t}")).mappings()], default=str)
    assert len(stored) == 2 and all(s and not s.startswith("xox") for s in stored)
    assert token not in dump and "xoxb-" not in dump
    assert oauth_bot.deps.client_for(ALPHA).token == token, "the bot reads it back"


def test_no_token_reaches_the_log_even_at_debug(slack: FakeSlack, any_engine: Engine, clock: FakeClock,
                                               caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    oauth_bot = _oauth_bot(slack, any_engine, clock, log_level="DEBUG")
    try:
        token = oauth_bot.install(ALPHA)
        _workshop(oauth_bot, slack, ALPHA).start()
    finally:
        oauth_bot.close()

    assert "oauth.v2.access" in caplog.text, "slack_sdk's debug lines (the answer included) were captured"
    assert token not in caplog.text
    assert token.split("-", 2)[2] not in caplog.text
    assert "xoxb-" not in caplog.text
