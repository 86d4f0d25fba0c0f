"""What one *Still accurate* click (a journey) or *Still our best guess* confirmation (a
proto-persona: the click opens a one-line modal, its submission records the review) costs the
database while Slack waits for the answer.

Statements are counted on the thread that handles the HTTP request, from the moment the request
enters the app until its response is built (the ack commits in between); what runs after the ack
(the nudge's update, Home) runs on other threads and is not counted. The click must also leave
exactly one next cadence review.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta

from sqlalchemy import event

from bot.governance import ids
from tests.governance_kit import add_journey, install, review_block, review_rows
from tests.harness import Bot, FakeClock
from tests.persona_helpers import make_persona, view_of
from tests.slack_fake import FakeSlack, payloads

OWNER = "U0OWNER"
MONDAY_NOON = datetime(2026, 11, 23, 12, 0, tzinfo=UTC)
MOST = 10


class RequestStatements:
    """SQL statements run on the thread that handles a request, from its start until its response.

    A global middleware notes the handling thread as the request comes in (Bolt then runs the
    listener, which acks, on that same thread: the app processes before it responds); statements
    on that thread are counted until the test has the HTTP response back.
    """

    def __init__(self, bot: Bot) -> None:
        self.handling: set[int] = set()
        self.statements: list[str] = []
        self._lock = threading.Lock()
        self._engine = bot.engine
        bot.app.use(self._middleware)

    def _middleware(self, next: Callable[[], None]) -> None:
        with self._lock:
            self.handling.add(threading.get_ident())
        next()

    def _count(self, _conn: object, _cursor: object, statement: str, *_args: object) -> None:
        with self._lock:
            if threading.get_ident() in self.handling:
                self.statements.append(statement)

    @contextmanager
    def counting(self) -> Iterator[list[str]]:
        event.listen(self._engine, "before_cursor_execute", self._count)
        try:
            yield self.statements
        finally:
            event.remove(self._engine, "before_cursor_execute", self._count)
            with self._lock:
                self.handling.clear()


def _click_still_accurate(bot: Bot, message: dict) -> None:
    block = review_block(message)
    button = next(e for e in block["elements"] if e["action_id"] == ids.STILL_ACCURATE)
    reply = bot.http.interactive(payloads.block_actions(
        ids.STILL_ACCURATE, value=button["value"], block_id=block["block_id"], user=OWNER, channel="D" + OWNER,
        message_ts=message["ts"], response_url=bot.slack.response_url("actions")))
    assert reply.status == 200


def _nudge(slack: FakeSlack) -> dict:
    [call] = [c for c in slack.calls_to("chat.postMessage") if c.args.get("channel") in (OWNER, "D" + OWNER)]
    return {**call.args, "ts": call.response["ts"]}


def _measure(bot: Bot, slack: FakeSlack) -> list[str]:
    counter = RequestStatements(bot)
    with counter.counting() as statements:
        _click_still_accurate(bot, _nudge(slack))
    bot.settle()
    return list(statements)


def test_still_accurate_on_a_journey_costs_at_most_ten_statements_and_schedules_once(
        bot: Bot, slack: FakeSlack, clock: FakeClock) -> None:
    clock.set(MONDAY_NOON)
    install(bot.deps)
    journey_id = add_journey(bot.engine, name="Checkout", owner=OWNER, due=clock.now(), created=clock.now(),
                             cadence_days=30)
    bot.tick()
    statements = _measure(bot, slack)
    print(f"\njourney: {len(statements)} statements\n" + "\n".join(s.split("\n")[0][:100] for s in statements))
    rows = review_rows(bot.engine, journey_id)
    assert [(r.state, r.due_at) for r in rows] == [("done", MONDAY_NOON),
                                                   ("pending", MONDAY_NOON + timedelta(days=30))]
    assert len(statements) <= MOST, statements


def test_still_our_best_guess_on_a_proto_persona_costs_at_most_ten_statements_and_schedules_once(
        bot: Bot, slack: FakeSlack, clock: FakeClock) -> None:
    clock.set(MONDAY_NOON - timedelta(days=90))
    persona = make_persona(bot, owner=OWNER)
    clock.set(MONDAY_NOON)
    bot.tick()
    _click_still_accurate(bot, _nudge(slack))  # a hypothesis: the click asks what we learned
    opened = view_of(slack.wait_for("views.open")[0].args)
    assert [r.state for r in review_rows(bot.engine, persona.id)] == ["sent"], "nothing is settled by the click"
    inserts: list[str] = []
    event.listen(bot.engine, "before_cursor_execute",
                 lambda _c, _cur, statement, *_a: inserts.append(statement) if statement.startswith(
                     "INSERT INTO review") else None)
    counter = RequestStatements(bot)
    with counter.counting() as statements:
        reply = bot.http.interactive(payloads.view_submission(
            ids.LEARNED_MODAL, {ids.LEARNED_BLOCK: {"value": "Nothing new yet"}}, user=OWNER,
            private_metadata=opened["private_metadata"]))
        assert reply.status == 200
    bot.settle()
    print(f"\npersona: {len(statements)} statements\n" + "\n".join(s.split("\n")[0][:100] for s in statements))
    rows = review_rows(bot.engine, persona.id)
    assert [r.state for r in rows] == ["done", "pending"]
    assert len(inserts) == 1, inserts
    assert len(statements) <= MOST, statements
