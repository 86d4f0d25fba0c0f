"""A whole 30-minute empathy-map session with 8 people, played through the local Slack.

30 minutes on the classic canvas: intro 5, six sections of 2.5, Group 2, vote 3, discuss and
wrap up 5. Notes are written silently and each section is shared in the thread when it closes.

The clock is the test's (never slept). Halfway through, the bot process goes away (the Bot is
closed) and a new one starts on the same database while a phase runs out: the overdue phase
advances at once, exactly once, and the session carries on to its summary.
"""

from __future__ import annotations

import re
from collections import Counter

from sqlalchemy.engine import Engine

from bot.empathy import ids
from tests.harness import Bot, FakeClock, eventually
from tests.slack_fake import FakeSlack
from tests.test_empathy_support import Workshop, as_dict

PEOPLE = [f"U0P{n}" for n in range(1, 9)]
SECTIONS = ["says", "thinks", "does", "feels", "pains", "gains"]


def _write_section(w: Workshop, section: str) -> None:
    """Everyone writes: odd people through the modal (two at once), even people in the thread."""
    for n, person in enumerate(PEOPLE, start=1):
        if n % 2:
            w.add_notes(person, f"{section} idea from {person}\n{section} second thought of {person}")
        else:
            w.reply(person, f"{section} reply from {person}")
    eventually(lambda: len(w.notes(quadrant=section)) == 12)


def _run_out(w: Workshop, seconds: int) -> None:
    """Let a phase's time pass in two steps (so the one-minute warning has its moment)."""
    w.bot.clock.advance(seconds=seconds - 59)
    w.bot.tick()
    w.bot.clock.advance(seconds=59)
    w.bot.tick()
    w.bot.tick()


def test_a_whole_session_with_eight_people_and_a_restart(slack: FakeSlack, engine: Engine, clock: FakeClock) -> None:
    bot = Bot(slack=slack, engine=engine, clock=clock)
    try:
        w = Workshop(bot, slack).start()
        for person in PEOPLE:
            w.click(ids.JOIN, person)
        eventually(lambda: len(w.participants()) == 8)
        _run_out(w, 300)
        assert w.phase_index() == 1

        for index, section in enumerate(SECTIONS[:3], start=1):
            assert w.phase_index() == index
            _write_section(w, section)
            if section != "does":
                _run_out(w, 150)

        # Mid "Does": the process goes away; its phase runs out while nobody is there.
        bot.close()
        clock.advance(minutes=4)
        bot = Bot(slack=slack, engine=engine, clock=clock)
        w.bot = bot
        assert w.phase_index() == 3, "nothing moves while the bot is down"
        bot.tick()
        bot.tick()
        assert w.phase_index() == 4, "the overdue phase advanced at once, exactly once"
        assert len([t for t in w.thread() if "*Feels*" in t]) == 1

        for section in SECTIONS[3:]:
            _write_section(w, section)
            _run_out(w, 150)
        assert w.phase_index() == 7, "Group"
        _run_out(w, 120)
        assert w.phase_index() == 8, "Vote"
        notes = w.notes()
        by_person = Counter()
        for person in PEOPLE:
            ballot = {note.id: 1 for note in notes if note.author_id != person}
            chosen = dict(list(ballot.items())[:3])
            chosen[notes[0].id] = 2 if notes[0].author_id != person else chosen.get(notes[0].id, 0)
            chosen = {k: v for k, v in chosen.items() if v}
            w.vote(person, chosen)
            by_person[person] = sum(chosen.values())
        w.settle()
        assert not re.search(r"\d+ votes?`", w.board_text()), "no running totals while people vote"
        _run_out(w, 180)
        assert w.phase_index() == 9
        w.settle()
        assert re.search(r"\d+ votes?`", w.board_text()), "the totals show once the vote is over"
        eventually(lambda: slack.calls_to("files.completeUploadExternal"))
        _run_out(w, 300)

        # -- what the database holds --------------------------------------------------------------
        row = w.row()
        assert row.status == "finished" and row.phase_ends_at is None
        assert len(w.notes()) == 72 and sorted(w.participants()) == PEOPLE
        assert Counter(n.quadrant for n in w.notes()) == dict.fromkeys(SECTIONS, 12)
        assert sum(w.votes().values()) == sum(by_person.values())
        assert all(count <= 3 for count in w.votes().values())
        assert (row.finished_at - row.created_at).total_seconds() == 1800 + 90 + 2, \
            "30 min + Does overran by 1.5 min + two settles"

        # -- what Slack received --------------------------------------------------------------------
        thread = w.thread()
        for key in ("Welcome", "*Says*", "*Thinks*", "*Does*", "*Feels*", "*Pains*", "*Gains*", "*Group*",
                    "dot-vote", "here is what we found", "The session is over"):
            assert len([t for t in thread if key in t and not t.startswith(":hourglass")]) == 1, key
        for name in ("Says", "Thinks", "Does", "Feels", "Pains", "Gains"):
            assert thread.count(f"{name}: 12 notes") == 1, f"{name} is shared once, when it closes"
        warned = [t for t in thread if t.startswith(":hourglass")]
        assert [t.split("*")[1] for t in warned] == ["Who and goal", "Says", "Thinks", "Feels", "Pains", "Gains",
                                                     "Vote", "Discuss and wrap up"], \
            "Does ran out while the bot was down: no late warning; Group (2 min) gets none"
        assert len([c for c in slack.calls_to("chat.postMessage") if "Summary of" in c.args["text"]]) == 1
        assert len(slack.calls_to("files.completeUploadExternal")) == 1
        boards = [c for c in slack.calls_to("chat.postMessage") if not c.args.get("thread_ts")]
        assert len(boards) == 1, "one board, updated in place"
        assert {c.args["ts"] for c in slack.calls_to("chat.update")} == {w.board_ts}
        assert all(len(as_dict(c.args["blocks"])) <= 50 for c in slack.calls_to("chat.update"))
        assert "Session finished" in w.board_text() and "*Gains* (12)" in w.board_text()
    finally:
        bot.close()
