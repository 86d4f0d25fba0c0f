"""Coalesced board refreshes under Slack's real latency: a note saved while the board is being
updated is on the board shortly after, with no tick needed."""

from __future__ import annotations

import threading

from bot.clock import SystemClock
from bot.empathy.board_refresh import BoardRefresher
from tests.harness import eventually


def test_a_change_during_a_slow_refresh_reaches_the_board_once_that_refresh_lands() -> None:
    notes, sent = [1], []
    slack_answers, sending = threading.Event(), threading.Event()

    def render(team_id: str, session_id: int) -> tuple[str, str, list[dict], str]:
        text = f"{len(notes)} notes"
        return "C1", "1.0", [{"type": "section", "text": {"type": "mrkdwn", "text": text}}], text

    def send(channel: str, ts: str, blocks: list[dict], text: str) -> None:
        sending.set()
        if not sent:
            slack_answers.wait(5)  # the first chat.update is slow
        sent.append(text)

    boards = BoardRefresher(clock=SystemClock(), render=render, send=send, min_interval=0.2)
    boards.mark("T1", 1)
    first = threading.Thread(target=boards.flush_due)
    first.start()
    assert sending.wait(5)
    notes.append(2)
    boards.mark("T1", 1)
    assert boards.flush_due() == 0  # that board is being sent: left dirty, with a timer
    threading.Event().wait(0.1)  # the timer fires while the first update is still in flight
    slack_answers.set()
    first.join()
    eventually(lambda: sent == ["1 notes", "2 notes"], timeout=3)
    boards.stop()


def test_stopping_waits_for_a_timed_refresh_and_a_stopped_one_sends_nothing() -> None:
    sent, in_quiet, requests_done = [], threading.Event(), threading.Event()

    def quiet(timeout: float) -> bool:  # requests are still being acked when the timer fires
        in_quiet.set()
        return requests_done.wait(5)

    boards = BoardRefresher(clock=SystemClock(), min_interval=0.2, quiet=quiet,
                            render=lambda team_id, session_id: ("C1", "1.0", [], f"{len(sent)}"),
                            send=lambda channel, ts, blocks, text: sent.append(text))
    boards.mark("T1", 1)
    assert boards.flush_due() == 1
    boards.mark("T1", 1)
    assert boards.flush_due() == 0  # not due yet: a timer is armed
    assert in_quiet.wait(5)
    stopping = threading.Thread(target=boards.stop)
    stopping.start()
    eventually(lambda: boards._stopped)
    assert stopping.is_alive()  # it waits for the timer's thread
    requests_done.set()
    stopping.join(5)
    assert not stopping.is_alive() and sent == ["0"]
