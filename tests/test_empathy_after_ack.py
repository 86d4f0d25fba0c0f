"""Work after the ack: a modal open (urgent) goes before saves and board refreshes queued earlier,
because its trigger_id expires 3 s after the click; nothing accepted is lost at shutdown."""

from __future__ import annotations

import threading

import pytest

from bot.empathy.after_ack import AfterAck


def busy_pool() -> tuple[AfterAck, threading.Event, list[str]]:
    """One thread, held busy until the returned event is set, so later work queues up."""
    pool, release, started, done = AfterAck(1), threading.Event(), threading.Event(), []

    def hold() -> None:
        started.set()
        release.wait(10)
        done.append("first")
    pool.submit(hold)
    assert started.wait(10)
    return pool, release, done


def test_modal_opens_jump_ahead_of_queued_saves_in_click_order() -> None:
    pool, release, done = busy_pool()
    pool.submit(lambda: done.append("save ballot A"))
    pool.submit(lambda: done.append("open ballot B"), urgent=True)
    pool.submit(lambda: done.append("refresh board"))
    pool.submit(lambda: done.append("open ballot C"), urgent=True)
    release.set()
    pool.shutdown()
    assert done == ["first", "open ballot B", "open ballot C", "save ballot A", "refresh board"]


def test_shutdown_finishes_accepted_work_and_a_failure_does_not_stop_the_rest() -> None:
    pool, release, done = busy_pool()

    def fail() -> None:
        raise RuntimeError("Slack said no")
    pool.submit(fail)
    pool.submit(lambda: done.append("saved"))
    release.set()
    pool.shutdown()
    assert done == ["first", "saved"]
    with pytest.raises(RuntimeError):
        pool.submit(lambda: done.append("too late"))
    assert done == ["first", "saved"]
