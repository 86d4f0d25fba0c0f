"""A number Slack echoes back that fits Python but not the database (11 digits, above
PostgreSQL's integer) is "gone", never a crash: buttons of personas, journeys and reviews."""

from __future__ import annotations

import logging

import pytest
from sqlalchemy.engine import Engine

from bot.governance import ids as governance
from bot.journeys import ids as journeys
from bot.personas import ids as personas
from tests.harness import Bot, FakeClock
from tests.slack_fake import FakeSlack, payloads

TOO_BIG = "99999999999"  # > 2**31 - 1
CLICKS = [
    (personas.SHOW, TOO_BIG, "b"), (personas.SHARE, TOO_BIG, "b"), (personas.EDIT, TOO_BIG, "b"),
    (journeys.LINK_PERSONA, TOO_BIG, "b"), (journeys.LINK_NOTES, TOO_BIG, "b"),
    (governance.STILL_ACCURATE, TOO_BIG, f"review:{TOO_BIG}"), (governance.UPDATE_NOW, TOO_BIG, "b"),
]


@pytest.mark.parametrize("action_id, value, block_id", CLICKS)
def test_a_button_naming_a_row_no_column_can_hold_gets_a_polite_answer(
    any_engine: Engine, slack: FakeSlack, clock: FakeClock, caplog: pytest.LogCaptureFixture,
    action_id: str, value: str, block_id: str,
) -> None:
    bot = Bot(slack=slack, engine=any_engine, clock=clock)
    try:
        with caplog.at_level(logging.ERROR):
            reply = bot.http.interactive(payloads.block_actions(
                action_id, value=value, block_id=block_id, user="U0ANA", channel="C0TEAM",
                response_url=slack.response_url("actions")))
            bot.settle()
        assert reply.status == 200
        assert [r.getMessage() for r in caplog.records if r.levelno >= logging.ERROR] == []
    finally:
        bot.close()
