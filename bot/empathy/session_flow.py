"""The session as a state machine, persisted in `empathy_session` (status + phase_index).

```mermaid
stateDiagram-v2
    [*] --> starting: start modal submitted (board queued in the outbox)
    starting --> [*]: Slack refused the channel (row deleted, facilitator told)
    starting --> running: board posted
    running --> running: phase time up / Next phase (phase_index + 1)
    running --> paused: Pause
    paused --> running: Resume / Next phase
    running --> finished: wrap-up time up / Next phase in the wrap-up
    running --> cancelled: End before the wrap-up
    paused --> cancelled: End
```

Phases run intro -> sections -> vote -> wrap-up (agenda.py). Every transition is a
compare-and-set (storage.empathy_phases) made in the caller's unit of work together with the
outbox messages it requires (the phase's prompt, the ballot invitations, the summary), so the
session never moves on without them, and only the caller that won queues them. The timer tick
(`run_due`) advances overdue phases, warns a minute before the end and tells the facilitator
when nobody has written for a while.
"""

from __future__ import annotations

import logging
import math
from datetime import datetime, timedelta

from sqlmodel import Session

from bot import blocks
from bot.deps import Deps
from bot.empathy import board, board_view, ids, reveal_view, summary_view
from bot.empathy.agenda import Phase, PhaseKind, areas_of, of_session, phase_at
from bot.empathy.channel_gone import THREAD_POST
from bot.unit_of_work import UnitOfWork
from storage import empathy as store
from storage import empathy_notes as notes_store
from storage import empathy_phases as phases
from storage.db import log_failure
from storage.models import EmpathySession
from storage.outbox import Outgoing
from storage.states import SessionStatus

log = logging.getLogger(__name__)
FACILITATION = "empathy/facilitation"
WARN_SECONDS = 60
IDLE_SECONDS = 90
EXTEND_SECONDS = 120
VOTES_PER_NOTE = 3


def agenda(session: EmpathySession) -> list[Phase]:
    return of_session(session)


def phase(session: EmpathySession) -> Phase:
    return phase_at(agenda(session), session.phase_index)


def sections(session: EmpathySession) -> tuple[str, ...]:
    return areas_of(session)


def is_live(session: EmpathySession | None) -> bool:
    return session is not None and session.status.live


def lane(session: EmpathySession) -> str:
    """Messages in a session's thread go out in the order they were queued."""
    return f"empathy:{session.id}"


def in_thread(session: EmpathySession, key: str, text: str) -> Outgoing:
    return Outgoing(THREAD_POST, f"empathy:{session.id}:{key}", lane=lane(session), payload={
        "channel": session.channel_id, "thread_ts": session.board_ts, "text": blocks.clip(text, 3000)})


def in_thread_blocks(session: EmpathySession, key: str, text: str, content: list[dict]) -> Outgoing:
    return Outgoing(THREAD_POST, f"empathy:{session.id}:{key}", lane=lane(session), payload={
        "channel": session.channel_id, "thread_ts": session.board_ts, "text": text, "blocks": content})


def _t(deps: Deps, macro: str, **kw: object) -> str:
    return deps.prompts.part(FACILITATION, macro, **kw)


def _phase_name(deps: Deps, key: str) -> str:
    return deps.prompts.part("empathy/phases", "name", key=key)


# -- what each phase requires --------------------------------------------------------------
def phase_started(uow: UnitOfWork, session: EmpathySession) -> None:
    """Queue the phase's prompt, and the ballots (vote) or the summary (wrap-up)."""
    deps, current = uow.deps, phase(session)
    uow.enqueue(session.team_id, [in_thread(session, f"phase:{session.phase_index}", _t(
        deps, "phase_start", key=current.key, kind=current.kind, name=_phase_name(deps, current.key),
        minutes=math.ceil(current.seconds / 60), subject=session.subject, goal=session.goal,
        success=session.success, live=session.live_notes, open_grouping=session.open_grouping,
        facilitator=session.facilitator_id, votes=session.votes_per_person, per_note=VOTES_PER_NOTE,
        anonymous=session.anonymous))])
    if current.kind == PhaseKind.VOTE:
        _invite_voters(uow, session)
    elif current.kind == PhaseKind.WRAPUP:
        queue_summary(uow, session)


def queue_summary(uow: UnitOfWork, session: EmpathySession) -> None:
    """The summary and the canvas image are rendered when sent (from what the database holds).
    With no notes there is nothing to sum up: the facilitator is offered to run it again or
    delete it instead of an empty summary, an empty image and a persona made of nothing."""
    if not store.has_notes(uow.db, session_id=session.id):
        uow.enqueue(session.team_id, [in_thread_blocks(
            session, "nothing_written", *summary_view.build_nothing_written(uow.deps.prompts, session))])
        return
    uow.enqueue(session.team_id, [
        Outgoing("empathy.summary", f"empathy:{session.id}:summary", {"session_id": session.id}, lane(session)),
        Outgoing("empathy.canvas", f"empathy:{session.id}:canvas", {"session_id": session.id}, lane(session)),
    ])


def _invite_voters(uow: UnitOfWork, session: EmpathySession) -> None:
    """One private invitation per participant; they go out side by side (no lane)."""
    deps = uow.deps
    text = _t(deps, "ballot_invite", votes=session.votes_per_person)
    invite = blocks.message_blocks([blocks.section(text, accessory=blocks.button(
        _t(deps, "ballot_button"), ids.OPEN_BALLOT, value=str(session.id), style="primary"))])
    people = store.list_participants(uow.db, team_id=session.team_id, session_id=session.id)
    uow.enqueue(session.team_id, [
        Outgoing("ephemeral", f"empathy:{session.id}:invite:{session.phase_index}:{user}",
                 {"channel": session.channel_id, "user": user, "text": text, "blocks": invite})
        for user in people])


# -- transitions ---------------------------------------------------------------------------
def advance(uow: UnitOfWork, session: EmpathySession, *, from_index: int) -> bool:
    """Leave phase `from_index` (time up or Next phase); after the wrap-up the session finishes."""
    now, plan = uow.deps.clock.now(), agenda(session)
    if from_index >= len(plan) - 1:
        won = phases.finish_session(uow.db, session, from_index=from_index, now=now, status=SessionStatus.FINISHED)
        if won:
            uow.enqueue(session.team_id, [in_thread(session, "finished", _t(uow.deps, "finished"))])
        return won
    leaving = plan[from_index]
    won = phases.advance_phase(uow.db, session, from_index=from_index, now=now, seconds=plan[from_index + 1].seconds)
    if won:
        if leaving.kind == PhaseKind.SECTION and not session.live_notes:
            _reveal(uow, session, leaving, from_index)
        phase_started(uow, session)
    return won


def _reveal(uow: UnitOfWork, session: EmpathySession, closed: Phase, index: int) -> None:
    """Silent writing is over for `closed`: its notes go to the thread, with a question."""
    notes = notes_store.list_voted_notes(uow.db, team_id=session.team_id, session_id=session.id)
    uow.enqueue(session.team_id, [in_thread_blocks(session, f"reveal:{index}", *reveal_view.build_reveal(
        uow.deps.prompts, session=session, phase=closed, notes=notes))])


def end(uow: UnitOfWork, session: EmpathySession, *, by: str) -> bool:
    """The facilitator's End: finish now; the summary comes now unless the wrap-up queued it."""
    in_wrapup = phase(session).kind == PhaseKind.WRAPUP
    won = phases.finish_session(uow.db, session, from_index=session.phase_index, now=uow.deps.clock.now(),
                                status=SessionStatus.FINISHED if in_wrapup else SessionStatus.CANCELLED)
    if won:
        uow.enqueue(session.team_id, [in_thread(session, "ended", _t(uow.deps, "ended", by=by))])
        if not in_wrapup:
            queue_summary(uow, session)
    return won


def control(uow: UnitOfWork, session: EmpathySession, act: str, *, by: str) -> bool:
    """A facilitator button (already checked: facilitator, current phase). False: lost a race."""
    deps, now = uow.deps, uow.deps.clock.now()
    if act == "next":
        return advance(uow, session, from_index=session.phase_index)
    if act == "end":
        return end(uow, session, by=by)
    stamp = f"{act}:{session.phase_index}:{now.timestamp()}"
    if act == "extend":
        won = phases.extend(uow.db, session, seconds=EXTEND_SECONDS)
        text = _t(deps, "extended", by=by, name=_phase_name(deps, phase(session).key))
    elif session.status == SessionStatus.PAUSED:
        won = phases.resume(uow.db, session, now=now)
        text = _t(deps, "resumed", by=by)
    else:
        won = phases.pause(uow.db, session, now=now)
        text = _t(deps, "paused", by=by)
    if won:
        uow.enqueue(session.team_id, [in_thread(session, stamp, text)])
    return won


def stop_workspace(db: Session, team_id: str, now: datetime) -> None:
    """The workspace removed the app: its sessions end where they are, without a word (no post
    could reach it), and the timer tick stops looking at them."""
    ended = phases.cancel_workspace(db, team_id=team_id, now=now)
    if ended:
        log.info("ended %s empathy sessions of workspace %s, which removed the app", ended, team_id)


# -- the timer tick -------------------------------------------------------------------------
def run_due(deps: Deps) -> None:
    """Advance overdue phases (once, even after a restart), warn, nudge; refresh every live board."""
    with UnitOfWork(deps) as uow:
        live = phases.list_live_sessions(uow.db)
    for session in live:
        if session.status == SessionStatus.RUNNING:
            try:
                with UnitOfWork(deps) as uow:
                    _step(uow, session, deps.clock.now())
            except Exception as exc:
                log_failure(log, exc, "session %s: due work failed; retried at the next tick", session.id)
        board.refresh(deps, session.team_id, session.id)


def _step(uow: UnitOfWork, session: EmpathySession, now: datetime) -> None:
    current, ends = phase(session), session.phase_ends_at
    if ends is None:
        return
    if ends <= now:
        advance(uow, session, from_index=session.phase_index)
        return
    name = _phase_name(uow.deps, current.key)
    if (not session.warned and current.seconds > 2 * WARN_SECONDS and ends - now <= timedelta(seconds=WARN_SECONDS)
            and phases.claim_warning(uow.db, session)):
        uow.enqueue(session.team_id, [in_thread(session, f"warning:{session.phase_index}:{ends.timestamp()}", _t(
            uow.deps, "warning", name=name, minutes=math.ceil((ends - now).total_seconds() / 60)))])
    quiet_since = max(filter(None, [session.last_note_at, session.phase_started_at]), default=None)
    idle = min(IDLE_SECONDS, current.seconds // 2)  # a 2-minute section cannot wait 90 s to say so
    if (current.kind == PhaseKind.SECTION and not session.idle_nudged and quiet_since is not None
            and now - quiet_since >= timedelta(seconds=idle)
            and ends - now > timedelta(seconds=WARN_SECONDS) and phases.claim_idle_nudge(uow.db, session)):
        _nudge_facilitator(uow, session, name, now - quiet_since, now)


def _nudge_facilitator(uow: UnitOfWork, session: EmpathySession, name: str, quiet: timedelta,
                       now: datetime) -> None:
    text = _t(uow.deps, "idle", name=name, seconds=int(quiet.total_seconds()))
    nudge = blocks.message_blocks([blocks.section(text, accessory=blocks.button(
        _t(uow.deps, "idle_next"), ids.NEXT_PHASE, value=board_view.control_value(session)))])
    uow.enqueue(session.team_id, [Outgoing(
        "ephemeral", f"empathy:{session.id}:idle:{session.phase_index}:{now.timestamp()}",
        {"channel": session.channel_id, "user": session.facilitator_id, "text": text, "blocks": nudge,
         "thread_ts": session.board_ts})])
