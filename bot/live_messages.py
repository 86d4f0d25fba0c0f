"""Messages that show what the database holds (a session's board, a persona's posted cards),
updated in place with `chat.update`: coalesced, paced, and within each workspace's budget.

A change only asks for a refresh (`refresh(team, key, render)`); an APScheduler job (one per
message key, `replace_existing`) renders the message from the database when it is due and sends
it if it differs from what was sent last. So a burst of 100 notes becomes one or two updates,
and an update lost in a crash is simply redone by the next refresh (nothing to recover).

Pacing: one message is updated at most once a second (measured from when the last update was
sent); all messages of a workspace share a budget below Slack's Tier 3 limit for `chat.update`
(about 50 a minute), so twenty live boards slow down together instead of being throttled; a
`429` pauses the workspace for its `Retry-After` and halves its budget for a minute.
"""

from __future__ import annotations

import hashlib
import json
import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from slack_sdk.errors import SlackApiError

from bot.deps import Deps
from bot.slack_client import TOKEN_GONE, NotInstalled

log = logging.getLogger(__name__)
MIN_INTERVAL = 1.0  # seconds between two updates of one message
PER_MINUTE = 40  # a workspace's updates per minute, under Slack's ~50 for chat.update
BURST = 20  # updates a quiet workspace may send at once
GONE = frozenset({"message_not_found", "channel_not_found", "is_archived", "cant_update_message",
                  "not_in_channel", "invalid_auth", "account_inactive", "token_revoked"})


@dataclass(frozen=True)
class Update:
    channel: str
    ts: str
    blocks: list[dict]
    text: str
    gone: Callable[[], None] | None = field(default=None, compare=False)  # told when the message is no more


Render = Callable[[], list[Update]]


@dataclass
class _Message:
    render: Render
    dirty: bool = False
    scheduled: bool = False
    running: bool = False
    sent_at: float = float("-inf")  # monotonic
    digests: dict[tuple[str, str], str] = field(default_factory=dict)


@dataclass
class _Budget:
    tokens: float = BURST
    stamp: float = field(default_factory=time.monotonic)
    paused_until: float = 0.0
    slow_until: float = 0.0

    def rate(self, now: float) -> float:
        per_minute = PER_MINUTE / 2 if now < self.slow_until else PER_MINUTE
        return per_minute / 60

    def wait(self, now: float) -> float:
        """Seconds until one update may go out (0: now, and it is taken)."""
        self.tokens = min(BURST, self.tokens + (now - self.stamp) * self.rate(now))
        self.stamp = now
        if now < self.paused_until:
            return self.paused_until - now
        if self.tokens >= 1:
            self.tokens -= 1
            return 0.0
        return (1 - self.tokens) / self.rate(now)


class LiveMessages:
    def __init__(self, deps: Deps) -> None:
        self.deps = deps
        self._lock = threading.Lock()
        self._messages: dict[tuple[str, str], _Message] = {}
        self._budgets: dict[str, _Budget] = {}
        self._jobs = 0

    def refresh(self, team_id: str, key: str, render: Render) -> None:
        """Show the latest state of message `key` soon (at once when it was not updated lately)."""
        with self._lock:
            message = self._messages.setdefault((team_id, key), _Message(render))
            message.render, message.dirty = render, True
            if message.scheduled or message.running:
                return  # the scheduled update will render the latest state
            message.scheduled = True
            delay = max(0.0, message.sent_at + MIN_INTERVAL - time.monotonic())
        self._schedule(team_id, key, delay)

    def forget(self, team_id: str, key: str) -> None:
        """The message will never change again (its session ended and its last state is sent)."""
        with self._lock:
            message = self._messages.get((team_id, key))
            if message is not None and not (message.scheduled or message.running or message.dirty):
                del self._messages[(team_id, key)]

    def idle(self) -> bool:
        """Nothing waiting or being sent (tests wait for this instead of sleeping)."""
        with self._lock:
            return not any(m.scheduled or m.running for m in self._messages.values())

    def _schedule(self, team_id: str, key: str, delay: float) -> None:
        """One pending job per message (its `scheduled` flag says so). Each gets an id of its own:
        a job that schedules its successor must not reuse its id, which APScheduler removes right
        after starting it (the successor would be removed instead)."""
        with self._lock:
            self._jobs += 1
            job_id = f"live:{team_id}:{key}:{self._jobs}"
        self.deps.scheduler.add_job(self._run, "date", args=[team_id, key], id=job_id,
                                    run_date=datetime.now(UTC) + timedelta(seconds=delay))

    def _run(self, team_id: str, key: str) -> None:
        with self._lock:
            message = self._messages[(team_id, key)]
            wait = self._budgets.setdefault(team_id, _Budget()).wait(time.monotonic())
            if wait <= 0:
                message.scheduled, message.running, message.dirty = False, True, False
        if wait > 0:  # still `scheduled`: changes meanwhile wait for this job
            self._schedule(team_id, key, wait)  # (it takes the lock itself)
            return
        try:
            self._send(team_id, key, message)
        finally:
            with self._lock:
                message.running = False
                message.sent_at = time.monotonic()
                again = message.dirty
                message.scheduled = again
        if again:
            self._schedule(team_id, key, MIN_INTERVAL)

    def _send(self, team_id: str, key: str, message: _Message) -> None:
        try:
            updates = message.render()
            client = self.deps.client_for(team_id)
        except NotInstalled:
            return
        except Exception:
            log.exception("could not render %s; the next change or tick tries again", key)
            return
        for update in updates:
            where = (update.channel, update.ts)
            digest = hashlib.sha256(json.dumps([update.blocks, update.text], sort_keys=True).encode()).hexdigest()
            if message.digests.get(where) == digest:
                continue
            try:
                client.chat_update(channel=update.channel, ts=update.ts, blocks=update.blocks, text=update.text)
            except SlackApiError as exc:
                error = exc.response.get("error")
                if error == "ratelimited":
                    self._slow_down(team_id, exc)
                    with self._lock:
                        message.dirty = True
                elif error in TOKEN_GONE:
                    self.deps.clients.forget(team_id)  # uninstalled, or a new token: look it up afresh
                elif error not in GONE:
                    log.warning("%s not updated (%s); the next refresh tries again", key, error)
                    with self._lock:
                        message.dirty = True
                elif update.gone is not None:
                    try:
                        update.gone()
                    except Exception:
                        log.exception("forgetting %s in %s failed", key, update.channel)
                continue
            except OSError as exc:
                log.warning("%s not updated (%s); the next refresh tries again", key, exc)
                with self._lock:
                    message.dirty = True
                continue
            message.digests[where] = digest

    def _slow_down(self, team_id: str, exc: SlackApiError) -> None:
        try:
            retry_after = float(exc.response.headers.get("Retry-After") or 1)
        except (TypeError, ValueError, AttributeError):
            retry_after = 1.0
        now = time.monotonic()
        with self._lock:
            budget = self._budgets.setdefault(team_id, _Budget())
            budget.paused_until = max(budget.paused_until, now + retry_after)
            budget.slow_until = now + 60
            budget.tokens = 0
        log.warning("Slack asked workspace %s to slow down chat.update for %s s", team_id, retry_after)
