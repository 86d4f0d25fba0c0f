"""Benchmark (issue #11, "500 people at once"): 20 sessions x 25 people clicking at the same moment.

    python -m tests.bench.bench_empathy_burst [--sessions 20] [--people 25] [--slack-ms 0 200]
                                              [--database-url URL] [--profile FILE] [--one-cpu]

pytest ignores tests/bench. The bot runs as in production (`workshop-bot run --http`: waitress,
the real clock, so board refreshes coalesce and pace as they would live) in its own process,
against the local fake Slack in this one; a bare Bolt app whose listeners only ack, on the same
waitress server in its own process, answers the very same requests in the same run, just before
the bot does (see burst_procs). Each Slack latency is a round with fresh bot and bare processes;
a round plays five bursts, everyone at once each time:

  join         Join on the board (block_actions carrying the board message)
  add note     Add note -> views.open of the note modal (the trigger_id expires 3 s after the click)
  note submit  the note modal's view_submission, three notes each, the view as the bot opened it
  open ballot  Vote -> views.open of a ballot of every note (75 at the default scale)
  ballot submit  the ballot's view_submission carrying its whole view (~110 KB at 75 notes)

Per phase it prints ack latency p50/p99/max and the share over 3 s for both, CPU per request
(process CPU delta / requests; the bot's includes the work after its acks), modals opened and
refused as too late, the most chat.update calls on one board in a second, how long after the
last ack every board matched the database, and RSS; then PASS/FAIL per target of the issue.
All sessions are in one workspace unless `--teams N` spreads them (all boards of a workspace share
one chat.update budget). A phase whose work after the acks never finishes stops its round.
"""

from __future__ import annotations

import argparse
import os
import tempfile
import time
from collections import defaultdict
from collections.abc import Callable
from typing import Any

from sqlalchemy import func
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from bot.empathy import ids
from bot.empathy.agenda import PhaseKind, build_agenda
from prompts import Prompts
from storage.db import make_engine, upgrade
from storage.models import Note, Participant, Vote
from tests.bench import burst_requests as reqs
from tests.bench.burst_boards import expected_boards, updates_per_board, wait_in_sync
from tests.bench.burst_figures import Phase, max_per_second, table, verdicts
from tests.bench.burst_procs import LoadGenerator, cpu_seconds, free_port, rss_mb, spawn, stop
from tests.bench.burst_rooms import Room
from tests.harness import BOT_TOKEN, SIGNING_SECRET
from tests.slack_fake import FakeSlack, SlackHttpClient

# The classic canvas at 120 minutes: intro, six sections, group, then the vote.
VOTE_PHASE = next(i for i, p in enumerate(build_agenda("classic", 120)) if p.kind == PhaseKind.VOTE)
Build = Callable[[], list[list[dict[str, Any]]]]


class Stuck(Exception):
    """The bot never finished a phase's work: the round stops, the figures so far are printed."""


def until(check: Callable[[], bool], *, timeout: float) -> bool:
    """Like `eventually`, polling the database ten times a second (not a hundred) during a burst;
    False when `check` is still false after `timeout`."""
    deadline = time.monotonic() + timeout
    while not check():
        if time.monotonic() > deadline:
            return False
        time.sleep(0.1)
    return True


class RemoteBot:
    """What Workshop needs of a bot, for the bot running as its own process (as in production)."""

    def __init__(self, port: int, engine: Engine) -> None:
        self.http = SlackHttpClient(f"http://127.0.0.1:{port}/slack/events", SIGNING_SECRET)
        self.engine = engine


class Round:
    """One Slack latency: fresh bot and bare processes, fresh sessions, five bursts."""

    def __init__(self, args: argparse.Namespace, slack: FakeSlack, engine: Engine, load: LoadGenerator,
                 slack_ms: int) -> None:
        self.args, self.slack, self.engine, self.load, self.slack_ms = args, slack, engine, load, slack_ms
        self.prompts = Prompts(None)
        self.phases: list[Phase] = []
        self.rooms: list[Room] = []
        self.people: dict[int, list[str]] = {}

    def run(self) -> list[Phase]:
        bot_port, bare_port = free_port(), free_port()
        env = {"SLACK_BOT_TOKEN": BOT_TOKEN, "SLACK_SIGNING_SECRET": SIGNING_SECRET,
               "DATABASE_URL": self.args.database_url, "SLACK_API_URL": self.slack.base_url,
               "LOG_LEVEL": "WARNING", "ONE_CPU": "true" if self.args.one_cpu else ""}
        bot_cmd = ["-m", "bot.cli", "run", "--http", "--host", "127.0.0.1", "--port", str(bot_port)]
        if self.args.profile:
            bot_cmd = ["-m", "tests.bench.profiled_bot", f"{self.args.profile}.{self.slack_ms}ms", *bot_cmd[2:]]
        self.bot = spawn(bot_cmd, env, bot_port)
        self.bare = spawn(["-m", "tests.bench.burst_procs", "--bare", str(bare_port), self.slack.base_url],
                          env, bare_port)
        self.bot_url = f"http://127.0.0.1:{bot_port}/slack/events"
        self.bare_url = f"http://127.0.0.1:{bare_port}/slack/events"
        try:
            self._setup(RemoteBot(bot_port, self.engine))
            self._play()
        except Stuck as exc:
            print(f"  {self.slack_ms} ms: round stopped, {exc}; `--profile FILE` and `kill -USR1 <bot pid>` print "
                  "where the bot's threads wait", flush=True)
        finally:
            stop(self.bot)
            stop(self.bare)
        return self.phases

    def _setup(self, bot: RemoteBot) -> None:
        """Sessions started and in their first section, with Slack answering at once."""
        self.slack.latency, self.slack.workspace.trigger_ttl = 0.0, None
        tag = f"{self.slack_ms:03d}"
        for s in range(self.args.sessions):
            w = Room(bot, self.slack, team=f"T{tag}{s % self.args.teams:02d}", channel=f"C{tag}S{s:02d}",
                     facilitator=f"UF{tag}{s:02d}").start(minutes=120)
            self.rooms.append(w)
            self.people[w.session_id] = [f"U{tag}{s:02d}P{p:03d}" for p in range(self.args.people)]
        for w in self.rooms:
            w.control(ids.NEXT_PHASE)
        if not until(lambda: all(w.phase_index() == 1 for w in self.rooms), timeout=30):
            raise Stuck("the sessions did not reach their first section")
        self.load.burst(self.bare_url, [self._clicks(ids.JOIN)()[0]])  # Bolt's first request asks auth.test
        self._in_sync()
        self.slack.latency, self.slack.workspace.trigger_ttl = self.slack_ms / 1000, 3.0

    def _play(self) -> None:
        total = self.args.sessions * self.args.people
        self._phase("join", self._clicks(ids.JOIN), lambda: self._count(Participant) >= total)
        self._phase("add note", self._clicks(ids.ADD_NOTE), lambda: self._opens_since() >= total, modals=True)
        notes = self._views(ids.NOTE_MODAL)
        self._phase("note submit", self._each(lambda w, p, n: reqs.note_submission(notes(w, n), user=p, team=w.team)),
                    lambda: self._count(Note) >= total * reqs.NOTES_PER_PERSON)
        self._to_vote()
        self._phase("open ballot", self._clicks(ids.OPEN_BALLOT), lambda: self._opens_since() >= total, modals=True)
        ballots = self._views(ids.BALLOT_MODAL)
        self._phase("ballot submit", self._each(lambda w, p, n: reqs.ballot_submission(ballots(w, n), user=p,
                                                                                        team=w.team, n=n)),
                    lambda: self._count(Vote, Vote.count) >= total * sum(reqs.PICKS))

    # -- one phase ---------------------------------------------------------------------------------
    def _phase(self, name: str, build: Build, done: Callable[[], bool], *, modals: bool = False) -> None:
        requests = build()
        before = cpu_seconds(self.bare)
        bare, _, _ = self.load.burst(self.bare_url, requests)
        cpu_bare = cpu_seconds(self.bare) - before
        self.mark = len(self.slack.calls)
        before = cpu_seconds(self.bot)
        bot, _, acked = self.load.burst(self.bot_url, requests)
        finished = until(done, timeout=self.args.done_timeout)
        sync = self._in_sync(since=self.mark, acked=acked) if finished else float("inf")
        cpu_bot = cpu_seconds(self.bot) - before
        opens = [c for c in self.slack.calls[self.mark:] if c.method == "views.open"]
        updates = updates_per_board(self.slack, self.rooms, self.mark)
        self.phases.append(Phase(
            name, self.slack_ms, reqs.size_kb([r for person in requests for r in person]), bot, bare, cpu_bot,
            cpu_bare, modals=len(bot) if modals else 0, opened=sum(1 for c in opens if c.response.get("ok")),
            late=sum(1 for c in opens if c.response.get("error") == "expired_trigger_id"),
            updates_per_s=max((max_per_second(t) for t in updates.values()), default=0), sync=sync,
            rss_bot=rss_mb(self.bot), rss_bare=rss_mb(self.bare)))
        if not finished:
            raise Stuck(f"{name}: the bot's work after its acks was not done {self.args.done_timeout:.0f} s later")
        print(f"  {self.slack_ms} ms {name}: done", flush=True)

    def _in_sync(self, *, since: int | None = None, acked: float | None = None) -> float:
        expected = expected_boards(self.engine, self.prompts, self.rooms)
        return wait_in_sync(self.slack, self.rooms, expected, since=len(self.slack.calls) if since is None else since,
                            acked=time.time() if acked is None else acked, timeout=self.args.sync_timeout)

    def _to_vote(self) -> None:
        """Every session to its vote; everyone has their invitation (people vote from it)."""
        mark = len(self.slack.calls)
        for phase in range(1, VOTE_PHASE):
            for w in self.rooms:
                w.control(ids.NEXT_PHASE, phase=phase)
            if not until(lambda phase=phase: all(w.phase_index() == phase + 1 for w in self.rooms), timeout=30):
                raise Stuck(f"the sessions did not leave phase {phase}")
        total = self.args.sessions * self.args.people
        if not until(lambda: sum(1 for c in self.slack.calls[mark:] if c.method == "chat.postEphemeral"
                                 and ids.OPEN_BALLOT in str(c.args.get("blocks"))) >= total,
                     timeout=self.args.done_timeout):
            raise Stuck("the ballot invitations were not all sent")
        self._in_sync()

    # -- requests ----------------------------------------------------------------------------------
    def _each(self, make: Callable[[Room, str, int], dict[str, Any]]) -> Build:
        return lambda: [[make(w, person, n)] for w in self.rooms for n, person in enumerate(self.people[w.session_id])]

    def _clicks(self, action_id: str) -> Build:
        def build() -> list[list[dict[str, Any]]]:
            boards = {w.session_id: w.board() for w in self.rooms}
            return self._each(lambda w, p, _: reqs.click(action_id, session_id=w.session_id, user=p, team=w.team,
                                                         channel=w.channel, board_ts=w.board_ts,
                                                         board=boards[w.session_id]))()
        return build

    def _views(self, callback_id: str) -> Callable[[Room, int], dict[str, Any]]:
        """The views the bot opened in the last phase, per session. For a modal Slack refused (too
        late), the view the bot sent, with an id of its own: the person "submits" it anyway, so
        every phase has the same number of requests."""
        opened: dict[int, list[dict[str, Any]]] = defaultdict(list)
        for n, call in enumerate(c for c in self.slack.calls[self.mark:] if c.method == "views.open"):
            view = call.response.get("view") or {**call.args["view"], "id": f"VREFUSED{self.slack_ms}{n:04d}"}
            if view["callback_id"] == callback_id:
                opened[int(view["private_metadata"].split(":")[0])].append(view)
        return lambda w, n: opened[w.session_id][n]

    def _opens_since(self) -> int:
        return sum(1 for c in self.slack.calls[self.mark:] if c.method == "views.open")

    def _count(self, model: Any, column: Any = None) -> int:
        ids_ = [w.session_id for w in self.rooms]
        what = func.count() if column is None else func.coalesce(func.sum(column), 0)
        with Session(self.engine) as db:
            return int(db.exec(select(what).select_from(model).where(model.session_id.in_(ids_))).one())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sessions", type=int, default=20)
    parser.add_argument("--people", type=int, default=25, help="per session")
    parser.add_argument("--teams", type=int, default=1, help="workspaces the sessions are spread over (each has "
                        "its own chat.update budget)")
    parser.add_argument("--done-timeout", type=float, default=90.0, help="seconds to wait for a phase's work")
    parser.add_argument("--slack-ms", type=int, nargs="+", default=[0, 200], help="Web API latency per call")
    parser.add_argument("--database-url", default="", help="default: a SQLite file in a temporary directory")
    parser.add_argument("--sync-timeout", type=float, default=60.0, help="seconds to wait for boards to match")
    parser.add_argument("--profile", default="", help="cProfile the bot's threads into FILE.<ms>ms")
    parser.add_argument("--one-cpu", action="store_true", help="run the bot with ONE_CPU=true (its threads on one CPU)")
    args = parser.parse_args()
    phases: list[Phase] = []
    with FakeSlack() as slack, tempfile.TemporaryDirectory() as tmp, LoadGenerator() as load:
        args.database_url = args.database_url or f"sqlite:///{tmp}/bench.db"
        engine = make_engine(args.database_url)
        upgrade(engine)
        started = time.monotonic()
        for slack_ms in args.slack_ms:
            print(f"round: Slack answers each Web API call in {slack_ms} ms", flush=True)
            phases += Round(args, slack, engine, load, slack_ms).run()
        block_kit_errors = list(slack.block_kit_errors)
    people = args.sessions * args.people
    print(f"\n{args.sessions} sessions x {args.people} people = {people} at once, in {args.teams} workspace(s); "
          f"{args.database_url.split(':')[0]}; {os.cpu_count()} CPUs{' (the bot on one, ONE_CPU)' * args.one_cpu}; "
          f"run took {time.monotonic() - started:.0f} s")
    print("\n".join(table(phases)))
    print("\n".join(verdicts(phases)))
    if block_kit_errors:
        print(f"Block Kit errors from the fake Slack: {block_kit_errors[:3]}")


if __name__ == "__main__":
    main()
