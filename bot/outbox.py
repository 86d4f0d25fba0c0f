"""Sending the outbox: each queued message claimed, sent with its workspace's token, recorded.

Messages go out right after the commit that queued them (`send_soon`), and the scheduler's tick
(`send_due`) sends whatever is left: a message whose send failed (`429`, `5xx`, a timeout) waits
with exponential backoff and is tried again, across restarts; one whose claim was abandoned by a
crashed process is taken over after the lease. Before trying again a message that may already
have reached Slack (an earlier try got no clean answer), a sender that can look does: every post
carries its outbox id in message metadata, so a post that did land is recorded, not repeated.

Messages of one lane (a session's thread) go out one after another, in the order they were
queued, whichever commit queued them; lanes go out side by side.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Callable, Iterable
from concurrent.futures import wait
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.deps import Deps
from bot.slack_client import NotInstalled
from storage import outbox as store
from storage.db import log_failure, unit_of_work

log = logging.getLogger(__name__)
LEASE = timedelta(minutes=5)  # far longer than one send (15 s timeout, three 429 retries)
BATCH = 500
MAX_ATTEMPTS = 12  # about a day of backoff
NOT_INSTALLED = "not installed"  # the error recorded for messages of a workspace that removed the app
METADATA_EVENT = "workshop_bot_outbox"
# Slack's answers that no retry will change: the message is dropped (and logged).
REFUSED = frozenset({
    "channel_not_found", "not_in_channel", "is_archived", "user_not_found", "account_inactive",
    "user_disabled", "cannot_dm_bot", "restricted_action", "restricted_action_read_only_channel",
    "ekm_access_denied", "msg_too_long", "invalid_blocks", "invalid_arguments", "no_text",
    "invalid_auth", "token_revoked", "not_authed", "missing_scope",
    "message_not_found", "thread_not_found",
})


@dataclass(frozen=True)
class Delivery:
    """What a sender gets: the payload it queued, and whether an earlier try may have landed."""

    id: int
    team_id: str
    payload: dict[str, Any]
    retry: bool
    queued_at: datetime

    @property
    def metadata(self) -> dict[str, Any]:
        return {"event_type": METADATA_EVENT, "event_payload": {"outbox_id": self.id}}


@dataclass(frozen=True)
class Kind:
    """How to send one kind of outbox message; `refused` is told when it will never go out
    (Slack refused it, or it kept failing), to clean up what waited for it."""

    send: Callable[[Deps, WebClient, Delivery], tuple[str, str] | None]
    refused: Callable[[Deps, Delivery, str], None] | None = None


def send_soon(deps: Deps, queued: Iterable[tuple[int, str, str]]) -> None:
    """After a commit: send its messages now, each lane on its own (lanes side by side)."""
    for lane, ids in _lanes(queued):
        deps.later(send_rows, deps, ids, lane)


def send_due(deps: Deps) -> None:
    """The tick: send everything due, lanes side by side, and wait for them."""
    now = deps.clock.now()
    with unit_of_work(deps.engine) as db:
        rows = store.due(db, now=now, stale_before=now - LEASE, limit=BATCH)
    futures = [deps.executor.submit(send_rows, deps, ids, lane) for lane, ids in _lanes(rows)]
    wait(futures)
    for future in futures:
        if future.exception() is not None:
            log.error("sending the outbox failed", exc_info=future.exception())


Lane = tuple[str, str] | None  # (team, lane), or None for a message on its own


def _lanes(rows: Iterable[tuple[int, str, str]]) -> list[tuple[Lane, list[int]]]:
    lanes: dict[tuple[str, str], list[int]] = defaultdict(list)
    singles: list[tuple[Lane, list[int]]] = []
    for row_id, lane, team_id in rows:
        if lane:
            lanes[(team_id, lane)].append(row_id)
        else:
            singles.append((None, [row_id]))
    return [(lane, sorted(ids)) for lane, ids in lanes.items()] + singles


def send_rows(deps: Deps, ids: list[int], lane: Lane = None) -> None:
    """Send one lane in order, then whatever later commits added to it meanwhile (their own
    senders found the lane busy); a message that must wait holds back the rest of its lane."""
    for row_id in ids:
        if not send_one(deps, row_id):
            return
    last = max(ids)
    while lane is not None:
        now = deps.clock.now()
        with unit_of_work(deps.engine) as db:
            following = store.next_in_lane(db, team_id=lane[0], lane=lane[1], after_id=last, now=now,
                                           stale_before=now - LEASE)
        if following is None or not send_one(deps, following):
            return
        last = following


def send_one(deps: Deps, row_id: int) -> bool:
    """Claim, send, record. False when the message could not go out now (it stays queued)."""
    now = deps.clock.now()
    with unit_of_work(deps.engine) as db:
        claimed = store.claim(db, row_id=row_id, now=now, stale_before=now - LEASE)
    if claimed is None:
        return True  # sent already, or someone else is sending it
    kind: Kind | None = deps.outbox_senders.get(claimed.kind)
    try:
        if kind is None:
            raise LookupError(f"no sender for {claimed.kind!r}")
        client = deps.client_for(claimed.team_id)
        where = kind.send(deps, client, _delivery(claimed))
    except NotInstalled:
        return _not_installed(deps, claimed)
    except SlackApiError as exc:
        error = str(exc.response.get("error") or f"http {exc.response.status_code}")
        if not deps.clients.still_installed(claimed.team_id, error):  # uninstalled, seen by another replica
            return _not_installed(deps, claimed)
        if error in REFUSED:
            log.warning("Slack refused outbox message %s (%s): %s", claimed.id, claimed.kind, error)
            return _finish(deps, claimed, failed=error)
        retry_after = _retry_after(exc)
        return _retry(deps, claimed, error, at_least=retry_after)
    except OSError as exc:  # no answer (timeout, connection reset): it may have landed
        return _retry(deps, claimed, f"no answer: {exc}")
    except Exception as exc:
        log_failure(log, exc, "outbox message %s (%s) could not be sent", claimed.id, claimed.kind)
        return _retry(deps, claimed, f"error: {exc}")
    with unit_of_work(deps.engine) as db:
        store.mark_sent(db, row_id=claimed.id, claimed_at=claimed.claimed_at, now=deps.clock.now(),
                        channel_id=where[0] if where else None, message_ts=where[1] if where else None)
    return True


def _not_installed(deps: Deps, claimed: store.Claimed) -> bool:
    """The workspace removed the app: its messages end here, quietly (nothing to fix, nobody to tell)."""
    log.info("outbox message %s (%s) dropped: workspace %s has not installed the app", claimed.id, claimed.kind,
             claimed.team_id)
    return _finish(deps, claimed, failed=NOT_INSTALLED)


def _retry(deps: Deps, claimed: store.Claimed, error: str, *, at_least: float = 0) -> bool:
    if claimed.attempts >= MAX_ATTEMPTS:
        log.error("outbox message %s (%s) dropped after %s tries: %s", claimed.id, claimed.kind,
                  claimed.attempts, error)
        return _finish(deps, claimed, failed=error)
    delay = max(at_least, min(5 * 2 ** (claimed.attempts - 1), 3600))
    log.warning("outbox message %s (%s) not sent (%s); trying again in %s s", claimed.id, claimed.kind,
                error, delay)
    with unit_of_work(deps.engine) as db:
        store.retry_later(db, row_id=claimed.id, claimed_at=claimed.claimed_at,
                          at=deps.clock.now() + timedelta(seconds=delay), error=error)
    return False


def _finish(deps: Deps, claimed: store.Claimed, *, failed: str) -> bool:
    with unit_of_work(deps.engine) as db:
        gave_up = store.give_up(db, row_id=claimed.id, claimed_at=claimed.claimed_at, error=failed)
    kind: Kind | None = deps.outbox_senders.get(claimed.kind)
    if gave_up and kind is not None and kind.refused is not None:
        try:
            kind.refused(deps, _delivery(claimed), failed)
        except Exception:
            log.exception("cleaning up after outbox message %s failed", claimed.id)
    return True


def _delivery(claimed: store.Claimed) -> Delivery:
    return Delivery(claimed.id, claimed.team_id, claimed.payload, claimed.attempts > 1, claimed.created_at)


def _retry_after(exc: SlackApiError) -> float:
    try:
        return float(exc.response.headers.get("Retry-After") or exc.response.headers.get("retry-after") or 0)
    except (TypeError, ValueError, AttributeError):
        return 0.0


# -- the senders every feature can queue for ------------------------------------------------
def post(deps: Deps, client: WebClient, delivery: Delivery) -> tuple[str, str] | None:
    """`chat.postMessage` with the payload's arguments; on a retry, first look whether an earlier
    try landed (the thread's replies, or the channel's recent history)."""
    args = delivery.payload
    if delivery.retry:
        found = find_posted(client, channel=args["channel"], thread_ts=args.get("thread_ts"), delivery=delivery)
        if found is not None:
            return found
    posted = client.chat_postMessage(**args, metadata=delivery.metadata)
    return posted["channel"], posted["ts"]


def post_ephemeral(deps: Deps, client: WebClient, delivery: Delivery) -> tuple[str, str] | None:
    """`chat.postEphemeral`: Slack keeps no copy to look in, so a retry may show it twice."""
    client.chat_postEphemeral(**delivery.payload)
    return None


def find_posted(client: WebClient, *, channel: str, thread_ts: str | None,
                delivery: Delivery) -> tuple[str, str] | None:
    """(channel, ts) of the post carrying this delivery's outbox id, if Slack has it."""
    oldest = str((delivery.queued_at - timedelta(minutes=1)).timestamp())
    try:
        if thread_ts:
            answer = client.conversations_replies(channel=channel, ts=thread_ts, oldest=oldest, limit=200,
                                                  include_all_metadata=True)
        else:
            answer = client.conversations_history(channel=channel, oldest=oldest, limit=200,
                                                  include_all_metadata=True)
    except SlackApiError as exc:
        log.info("could not look for outbox message %s in %s: %s", delivery.id, channel,
                 exc.response.get("error"))
        return None
    for message in answer.get("messages") or []:
        metadata = message.get("metadata") or {}
        if (metadata.get("event_type") == METADATA_EVENT
                and (metadata.get("event_payload") or {}).get("outbox_id") == delivery.id):
            return answer.get("channel") or channel, message["ts"]
    return None


def register_senders(deps: Deps) -> None:
    deps.outbox_senders.update({"post": Kind(post), "ephemeral": Kind(post_ephemeral)})
    deps.ticks["outbox"] = lambda: send_due(deps)
