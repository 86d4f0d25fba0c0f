"""What the bot must post because of a change reaches Slack exactly once.

The facilitator moves the session on; Slack answers `500`, or posts the message and loses the
answer, and the process restarts before it tried again. Each phase prompt is in the thread once.
"""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy.engine import Engine
from sqlmodel import select

from bot.empathy import ids
from storage import events
from storage.db import unit_of_work
from storage.models import OutboxMessage
from storage.states import OutboxState
from tests.harness import Bot, FakeClock
from tests.slack_fake import FakeSlack
from tests.test_empathy_support import Workshop


def _thread_in_slack(w: Workshop) -> list[str]:
    """The thread as the channel shows it (posts that landed, whatever the bot heard back)."""
    return [m.get("text", "") for (channel, ts), m in sorted(w.slack.messages.items(), key=lambda i: float(i[0][1]))
            if channel == w.channel and m.get("thread_ts") == w.board_ts and ts != w.board_ts]


def _outbox_states(engine: Engine) -> list[OutboxState]:
    with unit_of_work(engine) as db:
        return list(db.exec(select(OutboxMessage.state)).all())


def _aware(moment: datetime) -> datetime:
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)  # SQLite hands back naive times


def test_prompts_survive_500s_a_lost_answer_and_a_restart_and_post_once(
    any_engine: Engine, slack: FakeSlack, clock: FakeClock
) -> None:
    bot = Bot(slack=slack, engine=any_engine, clock=clock)
    with unit_of_work(any_engine) as db:
        events.mark_processed(db, event_id="Ev0SEEN", team_id="T0001", now=clock.now())
    w = Workshop(bot, slack).start(minutes=60)  # 5-minute sections: no "1 min left" while the retries run
    w.settle()
    before = len(_thread_in_slack(w))

    slack.break_next("chat.postMessage", status=500, times=2)
    w.control(ids.NEXT_PHASE)  # to Says: its prompt fails now and at the first retry
    w.settle()
    assert w.phase_index() == 1, "the phase moved on: the change does not wait for Slack"
    assert len(_thread_in_slack(w)) == before
    clock.advance(seconds=6)
    bot.tick()
    assert len(_thread_in_slack(w)) == before, "the first retry met the second 500"

    slack.lose_answer_next("chat.postMessage")
    clock.advance(seconds=11)
    bot.tick()  # posted, but the bot heard 500: it must not post it again
    assert len(_thread_in_slack(w)) == before + 1

    bot.close()  # gone before it learnt the post landed
    bot = Bot(slack=slack, engine=any_engine, clock=clock)
    w.bot = bot
    for _ in range(3):
        clock.advance(seconds=30)
        bot.tick()
    thread = _thread_in_slack(w)
    assert len(thread) == before + 1 and "*Says*" in thread[-1], thread
    assert set(_outbox_states(any_engine)) == {OutboxState.SENT}

    w.control(ids.NEXT_PHASE)  # and the next change goes out at once, once: Says shared, Thinks prompted
    w.settle()
    assert len(_thread_in_slack(w)) == before + 3
    assert _thread_in_slack(w)[-2] == "Says: 0 notes" and "*Thinks*" in _thread_in_slack(w)[-1]

    sent_by_then = clock.now()
    clock.advance(days=8)  # a week on, what was sent is forgotten, with Slack's old event ids
    bot.tick()  # (the session's overdue phase moves on too, and posts)
    with unit_of_work(any_engine) as db:
        kept = db.exec(select(OutboxMessage.created_at)).all()
    assert kept and all(_aware(created) > sent_by_then for created in kept)
    with unit_of_work(any_engine) as db:
        assert not events.is_processed(db, event_id="Ev0SEEN")
    bot.close()


def test_a_thread_keeps_its_order_across_commits_when_one_post_must_wait(bot: Bot, slack: FakeSlack,
                                                                          clock: FakeClock) -> None:
    """A prompt whose post met a 500 holds back the next one, queued by a later click."""
    w = Workshop(bot, slack).start()
    w.settle()
    before = len(_thread_in_slack(w))

    slack.break_next("chat.postMessage", status=500)
    w.control(ids.NEXT_PHASE)  # Says: waits for its retry
    w.settle()
    w.control(ids.NEXT_PHASE)  # Says shared and Thinks prompted: another commit, must not overtake Says
    w.settle()
    assert len(_thread_in_slack(w)) == before
    clock.advance(seconds=6)
    bot.tick()
    thread = _thread_in_slack(w)[before:]
    assert len(thread) == 3 and "*Says*" in thread[0] and thread[1] == "Says: 0 notes" and "*Thinks*" in thread[2]
