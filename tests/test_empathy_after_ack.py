"""Work after the ack: a modal open (urgent) never waits behind saves and board refreshes,
because its trigger_id expires 3 s after the click; work waits while requests are being acked,
but not for ever; nothing accepted is lost at shutdown."""

from __future__ import annotations

import threading

import pytest
from slack_bolt import Ack, BoltRequest
from slack_sdk import WebClient

from bot.empathy.after_ack import AfterAck
from bot.requests_in_flight import CountedApp, RequestsInFlight
from tests.harness import BOT_TOKEN, eventually
from tests.slack_fake import FakeSlack, payloads


def busy_pool(**options: object) -> tuple[AfterAck, threading.Event, list[str]]:
    """One thread per lane; the normal one held busy until the returned event is set."""
    pool, release, started, done = AfterAck(1, 1, **options), threading.Event(), threading.Event(), []

    def hold() -> None:
        started.set()
        release.wait(10)
        done.append("first")
    pool.submit(hold)
    assert started.wait(10)
    return pool, release, done


def test_modal_opens_do_not_wait_behind_saves_and_each_lane_keeps_click_order() -> None:
    pool, release, done = busy_pool()
    pool.submit(lambda: done.append("save ballot A"))
    pool.submit(lambda: done.append("open ballot B"), urgent=True)
    pool.submit(lambda: done.append("refresh board"))
    pool.submit(lambda: done.append("open ballot C"), urgent=True)
    eventually(lambda: done == ["open ballot B", "open ballot C"])
    release.set()
    pool.shutdown()
    assert done == ["open ballot B", "open ballot C", "first", "save ballot A", "refresh board"]


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


def test_work_accepted_before_shutdown_may_still_add_work_and_none_is_lost() -> None:
    pool, release, done = busy_pool()
    pool.submit(lambda: pool.submit(lambda: done.append("invitation")))  # a phase change inviting voters
    shutting_down = threading.Thread(target=pool.shutdown)
    shutting_down.start()
    eventually(lambda: pool._stopped)
    release.set()
    shutting_down.join(10)
    assert done == ["first", "invitation"]


def test_work_waits_while_a_request_is_being_acked_then_runs(slack: FakeSlack) -> None:
    """Through a real Bolt app: the count covers a listener until its ack is decided."""
    in_flight, answering, acked = RequestsInFlight(), threading.Event(), threading.Event()
    client = WebClient(token=BOT_TOKEN, base_url=slack.base_url)
    app = CountedApp(in_flight=in_flight, signing_secret="s", client=client, token_verification_enabled=False,
                     request_verification_enabled=False)

    @app.action("slow")
    def slow(ack: Ack) -> None:
        answering.set()
        acked.wait(10)
        ack()
    click = payloads.block_actions("slow", value="1")
    request = threading.Thread(target=app.dispatch, args=(BoltRequest(body=click, mode="socket_mode"),))
    request.start()
    assert answering.wait(10)
    pool, done = AfterAck(1, 1, quiet=in_flight.wait_for_quiet, holds=(60, 60)), []
    pool.submit(lambda: done.append("save"))
    assert not in_flight.wait_for_quiet(0.05) and done == []
    acked.set()
    request.join()
    eventually(lambda: done == ["save"])
    pool.shutdown()


def test_a_request_that_never_ends_holds_work_back_only_for_a_bounded_time() -> None:
    waits: list[float] = []

    def never_quiet(timeout: float) -> bool:
        waits.append(timeout)
        return False
    pool, done = AfterAck(1, 1, quiet=never_quiet, holds=(0.5, 1.0)), []
    pool.submit(lambda: done.append("open"), urgent=True)
    pool.submit(lambda: done.append("save"))
    eventually(lambda: sorted(done) == ["open", "save"])
    pool.shutdown()
    assert len(waits) == 2 and all(wait <= 1.0 for wait in waits)
