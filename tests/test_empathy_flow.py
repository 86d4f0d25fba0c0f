"""The phase machine as the room lives it: prompts, warnings, time-up, idle hints, controls.

Time only moves when the test says so (FakeClock) and due work runs on `bot.tick()`.
"""

from __future__ import annotations

import threading

from bot.empathy import ids
from storage.states import SessionStatus
from tests.harness import Bot, eventually
from tests.slack_fake import FakeSlack
from tests.test_empathy_support import Workshop


def test_phases_post_their_prompt_warn_a_minute_before_and_advance_at_time_up(bot: Bot, slack: FakeSlack) -> None:
    w = Workshop(bot, slack).start()  # 30 min classic: intro 5, six sections of 2.5, group 2, vote 3, wrap-up 5
    assert "5 min left" in w.board_text() and "Who and goal" in w.board_text()
    assert f"session #{w.session_id}" in w.board_text()

    bot.clock.advance(minutes=4, seconds=1)
    bot.tick()
    bot.tick()
    warning = ":hourglass_flowing_sand: About 1 min left for *Who and goal*."
    assert [t for t in w.thread() if "left for" in t] == [warning]

    bot.clock.advance(seconds=59)
    bot.tick()
    bot.tick()
    assert w.phase_index() == 1
    says = [t for t in w.thread() if "*Says*" in t]
    assert len(says) == 1 and "verbatim quotes" in says[0], "the section prompt comes once"
    assert "*Says* (phase 2 of 10): 3 min left" in w.board_text()
    assert all(c.args.get("thread_ts") == w.board_ts for c in slack.calls_to("chat.postMessage")[1:])


def test_the_facilitator_hears_when_nobody_writes_and_writing_resets_it(bot: Bot, slack: FakeSlack) -> None:
    w = Workshop(bot, slack).start()
    w.control(ids.NEXT_PHASE)
    eventually(lambda: w.phase_index() == 1)
    w.add_notes("U0ANA", "first")  # a 2.5-minute section: the hint comes after 75 quiet seconds, not 90
    bot.clock.advance(seconds=60)
    bot.tick()
    assert not [t for t in w.ephemerals(w.facilitator) if "Nobody has added" in t]

    bot.clock.advance(seconds=16)
    bot.tick()
    bot.tick()
    nudges = [c.args for c in slack.calls_to("chat.postEphemeral") if "Nobody has added" in c.args["text"]]
    assert len(nudges) == 1 and nudges[0]["user"] == w.facilitator
    assert "for 76 seconds" in nudges[0]["text"], "says how long it has really been quiet"
    assert ids.NEXT_PHASE in str(nudges[0]["blocks"]), "one click to move on"


def test_only_the_facilitator_controls_the_session_and_old_buttons_are_stale(bot: Bot, slack: FakeSlack) -> None:
    w = Workshop(bot, slack).start()
    w.control(ids.NEXT_PHASE, "U0ANA")
    eventually(lambda: any("Only the facilitator" in t for t in w.ephemerals("U0ANA")))
    assert w.phase_index() == 0

    w.control(ids.NEXT_PHASE)
    eventually(lambda: w.phase_index() == 1)
    w.control(ids.NEXT_PHASE, phase=0)  # the intro's board button, clicked late
    eventually(lambda: any("earlier phase" in t for t in w.ephemerals(w.facilitator)))
    assert w.phase_index() == 1

    clicks = [threading.Thread(target=w.control, args=(ids.NEXT_PHASE,), kwargs={"phase": 1}) for _ in range(3)]
    for click in clicks:
        click.start()
    for click in clicks:
        click.join()
    eventually(lambda: w.phase_index() == 2)
    bot.tick()
    assert w.phase_index() == 2, "a triple click moves one phase"
    eventually(lambda: [t for t in w.thread() if "*Thinks*" in t])  # posted after the phase moved
    assert len([t for t in w.thread() if "*Thinks*" in t]) == 1


def test_pause_freezes_the_timer_resume_and_extend_move_it(bot: Bot, slack: FakeSlack) -> None:
    w = Workshop(bot, slack).start()
    bot.clock.advance(minutes=1)
    w.control(ids.PAUSE)
    eventually(lambda: w.row().status == "paused")
    assert w.row().paused_seconds_left == 240
    bot.clock.advance(minutes=30)
    bot.tick()
    assert w.phase_index() == 0 and "paused, 4 min left" in w.board_text()

    w.control(ids.PAUSE)  # the same button now says Resume
    eventually(lambda: w.row().status == "running")
    w.control(ids.EXTEND)
    eventually(lambda: any("added 2 minutes" in t for t in w.thread()))
    row = w.row()
    assert (row.phase_ends_at - bot.clock.now()).total_seconds() == 360
    bot.clock.advance(seconds=359)
    bot.tick()
    assert w.phase_index() == 0
    bot.clock.advance(seconds=1)
    bot.tick()
    assert w.phase_index() == 1


def test_end_stops_the_session_posts_the_summary_and_later_clicks_are_answered(bot: Bot, slack: FakeSlack) -> None:
    w = Workshop(bot, slack).start()
    w.control(ids.NEXT_PHASE)
    eventually(lambda: w.phase_index() == 1)
    w.add_notes("U0ANA", "It never loads")
    w.control(ids.END)
    eventually(lambda: w.row().status == "cancelled")
    eventually(lambda: any("What we found" in t or "Summary" in t for t in w.thread()))
    w.settle()
    assert "Session ended early" in w.board_text() and ids.NEXT_PHASE not in w.board_text()

    w.click(ids.JOIN, "U0LATE")
    eventually(lambda: any("session has ended" in t for t in w.ephemerals("U0LATE")))
    bot.clock.advance(hours=1)
    bot.tick()
    assert w.row().status == "cancelled" and w.participants() == ["U0ANA"]


def test_a_session_whose_channel_is_archived_ends_cleanly_and_the_facilitator_is_told(
    bot: Bot, slack: FakeSlack
) -> None:
    w = Workshop(bot, slack).start()
    w.add_notes("U0ANA", "kept whatever happens")
    slack.channels[w.channel] = {"is_archived": True}
    w.control(ids.NEXT_PHASE)  # its prompt is refused: the channel is gone
    w.settle()
    assert w.row().status == SessionStatus.CANCELLED
    [told] = [c.args["text"] for c in slack.calls_to("chat.postMessage") if c.args["channel"] == w.facilitator]
    assert "has ended: the channel was archived" in told and f"/empathy export {w.session_id}" in told
    attempts = len(slack.calls_to("chat.postMessage"))
    bot.clock.advance(minutes=40)
    bot.tick()
    bot.tick()
    assert len(slack.calls_to("chat.postMessage")) == attempts, "nothing more is tried in a gone channel"
    assert [n.text for n in w.notes()] == ["kept whatever happens"]
