"""The session as a state machine, persisted in `empathy_session` (status + phase_index).

```mermaid
stateDiagram-v2
    [*] --> starting: start modal submitted
    starting --> [*]: Slack refused the channel (row deleted, facilitator told)
    starting --> running: board posted
    running --> running: phase time up / Next phase (phase_index + 1)
    running --> paused: Pause
    paused --> running: Resume / Next phase
    running --> finished: wrap-up time up / Next phase in wrap-up
    running --> cancelled: End before the wrap-up
    paused --> cancelled: End
```

Phases run intro -> sections -> vote -> wrap-up (agenda.py). Every transition is a
compare-and-set in storage.empathy_phases; only the caller that wins posts the phase's
prompt, ballots or summary, so a restart, a second replica or a double click never repeats
them. The timer tick (`run_due`) advances overdue phases, warns a minute before the end and
tells the facilitator when nobody has written for a while.
"""

from __future__ import annotations

import logging
import math
from collections.abc import Callable
from datetime import datetime, timedelta

from slack_sdk.errors import SlackApiError

from bot import blocks
from bot.deps import Deps
from bot.empathy import board_view, ids, wrapup
from bot.empathy.after_ack import AfterAck
from bot.empathy.agenda import CANVASES, Phase, build_agenda, phase_at
from bot.empathy.board_refresh import BoardRefresher
from bot.empathy.recent_sessions import RecentSessions
from storage import empathy as store
from storage import empathy_notes as notes_store
from storage import empathy_phases as phases
from storage.models import EmpathySession

log = logging.getLogger(__name__)
FACILITATION = "empathy/facilitation"
WARN_SECONDS = 60
IDLE_SECONDS = 90
EXTEND_SECONDS = 120
VOTES_PER_NOTE = 3
# Threads for modal opens and for the rest; mostly waiting on Slack, so enough for a burst of 50
# opens to finish well within the trigger_id's 3 seconds at a few hundred ms per call.
OPEN_THREADS, WORK_THREADS = 24, 16


class SessionFlow:
    """What moves sessions along; one per app, shared by the listeners and the tick."""

    def __init__(self, deps: Deps) -> None:
        self.deps = deps
        self.boards = BoardRefresher(clock=deps.clock, render=self.render_board, send=self._send_board,
                                     quiet=deps.in_flight.wait_for_quiet)
        self._after_ack = AfterAck(OPEN_THREADS, WORK_THREADS, quiet=deps.in_flight.wait_for_quiet)
        self.recent = RecentSessions(deps.engine, deps.clock)
        deps.on_stop.append(self.stop)

    def stop(self) -> None:
        """Finish the work already accepted, then drop pending board timers."""
        self._after_ack.shutdown()
        self.boards.stop()

    def later(self, work: Callable[..., None], *args: object, urgent: bool = False) -> None:
        """Run slow work after the ack on our own threads: Bolt's listener pool is small (5), and
        work queued there delays the acks of everyone else in a burst. `urgent`: it opens a modal
        (the trigger_id expires 3 s after the click), so it never waits behind saves and refreshes."""
        self._after_ack.submit(lambda: work(*args), urgent=urgent)

    # -- board ---------------------------------------------------------------------------
    def board_blocks(self, session: EmpathySession) -> list[dict]:
        state = board_view.BoardState(
            session=session,
            notes=notes_store.list_voted_notes(self.deps.engine, team_id=session.team_id,
                                               session_id=session.id),
            participants=store.list_participants(self.deps.engine, team_id=session.team_id,
                                                 session_id=session.id),
            now=self.deps.clock.now(),
        )
        return board_view.build_board(self.deps.prompts, state)

    def render_board(self, team_id: str, session_id: int) -> tuple[str, str, list[dict], str] | None:
        session = store.get_session(self.deps.engine, team_id=team_id, session_id=session_id)
        if session is None or not session.board_ts:
            return None
        text = board_view.board_fallback_text(self.deps.prompts, session)
        return session.channel_id, session.board_ts, self.board_blocks(session), text

    def _send_board(self, channel: str, ts: str, board: list[dict], text: str) -> None:
        self.deps.client.chat_update(channel=channel, ts=ts, blocks=board, text=text)

    def changed(self, session: EmpathySession, *, urgent: bool = False) -> None:
        """Something on the board changed: refresh it (coalesced, unless a phase changed)."""
        if urgent:
            self.boards.expedite(session.team_id, session.id)
        else:
            self.boards.mark(session.team_id, session.id)
        self.boards.flush_due()

    # -- transitions -----------------------------------------------------------------------
    def agenda(self, session: EmpathySession) -> list[Phase]:
        return build_agenda(session.canvas, session.duration_minutes)

    def phase(self, session: EmpathySession) -> Phase:
        return phase_at(self.agenda(session), session.phase_index)

    def sections(self, session: EmpathySession) -> tuple[str, ...]:
        return CANVASES[session.canvas]

    def control(self, session: EmpathySession, act: str, *, by: str) -> bool:
        """A facilitator button (already checked: facilitator, current phase). False: lost a race."""
        engine, now, key = self.deps.engine, self.deps.clock.now(), dict(team_id=session.team_id,
                                                                           session_id=session.id)
        name = self.deps.prompts.part("empathy/phases", "name", key=self.phase(session).key)
        if act == "next":
            return self.advance(session, from_index=session.phase_index)
        if act == "end":
            return self.end(session, by=by)
        if act == "extend":
            won = phases.extend(engine, **key, phase_index=session.phase_index, seconds=EXTEND_SECONDS)
            message = self.deps.prompts.part(FACILITATION, "extended", by=by, name=name)
        elif session.status == "paused":
            won = phases.resume(engine, **key, phase_index=session.phase_index, now=now)
            message = self.deps.prompts.part(FACILITATION, "resumed", by=by)
        else:
            won = phases.pause(engine, **key, phase_index=session.phase_index, now=now)
            message = self.deps.prompts.part(FACILITATION, "paused", by=by)
        if won:
            self.recent.forget(session)
            self.say(session, message)
            self.changed(session, urgent=True)
        return won

    def advance(self, session: EmpathySession, *, from_index: int) -> bool:
        """Leave phase `from_index` (time up or Next phase); after the wrap-up the session finishes."""
        now = self.deps.clock.now()
        agenda = self.agenda(session)
        if from_index >= len(agenda) - 1:
            won = phases.finish_session(self.deps.engine, team_id=session.team_id, session_id=session.id,
                                        from_index=from_index, now=now, status="finished")
            if won:
                self.recent.forget(session)
                self.say(session, self.deps.prompts.part(FACILITATION, "finished"))
        else:
            nxt = agenda[from_index + 1]
            won = phases.advance_phase(self.deps.engine, team_id=session.team_id, session_id=session.id,
                                       from_index=from_index, now=now, seconds=nxt.seconds)
            if won:
                self.recent.forget(session)
                self.phase_started(self.reload(session))
        if won:
            self.changed(session, urgent=True)
        return won

    def end(self, session: EmpathySession, *, by: str) -> bool:
        """The facilitator's End: finish now; the summary comes now unless the wrap-up posted it."""
        in_wrapup = self.phase(session).kind == "wrapup"
        won = phases.finish_session(self.deps.engine, team_id=session.team_id, session_id=session.id,
                                    from_index=session.phase_index, now=self.deps.clock.now(),
                                    status="finished" if in_wrapup else "cancelled")
        if won:
            self.recent.forget(session)
            self.say(session, self.deps.prompts.part(FACILITATION, "ended", by=by))
            if not in_wrapup:
                wrapup.post_summary(self.deps, self.reload(session))
            self.changed(session, urgent=True)
        return won

    def phase_started(self, session: EmpathySession) -> None:
        phase = self.phase(session)
        self.say(session, self.deps.prompts.part(
            FACILITATION, "phase_start", key=phase.key, kind=phase.kind,
            name=self.deps.prompts.part("empathy/phases", "name", key=phase.key),
            minutes=math.ceil(phase.seconds / 60), subject=session.subject, goal=session.goal,
            votes=session.votes_per_person, per_note=VOTES_PER_NOTE, anonymous=session.anonymous))
        if phase.kind == "vote":
            self._invite_voters(session)
        elif phase.kind == "wrapup":
            wrapup.post_summary(self.deps, session)

    def _invite_voters(self, session: EmpathySession) -> None:
        text = self.deps.prompts.part(FACILITATION, "ballot_invite", votes=session.votes_per_person)
        invite = blocks.message_blocks([
            blocks.section(text, accessory=blocks.button(
                self.deps.prompts.part(FACILITATION, "ballot_button"), ids.OPEN_BALLOT,
                value=str(session.id), style="primary")),
        ])
        for user in store.list_participants(self.deps.engine, team_id=session.team_id, session_id=session.id):
            self.later(self._invite, session.channel_id, user, text, invite)

    def _invite(self, channel: str, user: str, text: str, invite: list[dict]) -> None:
        """One invitation per after-ack task: 50 of them go out side by side, not 50 x Slack's
        latency one after another while everyone is already clicking Vote."""
        try:
            self.deps.client.chat_postEphemeral(channel=channel, user=user, text=text, blocks=invite)
        except SlackApiError as exc:
            log.info("no ballot invitation for %s: %s", user, exc.response.get("error"))

    def say(self, session: EmpathySession, text: str, **extra: object) -> None:
        """Post in the session's thread; a failure is logged, the session goes on."""
        try:
            self.deps.client.chat_postMessage(channel=session.channel_id, thread_ts=session.board_ts,
                                              text=blocks.clip(text, 3000), **extra)
        except SlackApiError as exc:
            log.warning("could not post in session %s: %s", session.id, exc.response.get("error"))

    def reload(self, session: EmpathySession) -> EmpathySession:
        fresh = store.get_session(self.deps.engine, team_id=session.team_id, session_id=session.id)
        return fresh or session

    # -- the timer tick --------------------------------------------------------------------
    def run_due(self) -> None:
        """Advance overdue phases (once, even after a restart), warn, nudge, refresh boards."""
        for session in phases.list_live_sessions(self.deps.engine):
            self.boards.mark(session.team_id, session.id)
            if session.status == "running":
                try:
                    self._step(session, self.deps.clock.now())
                except Exception:
                    log.exception("session %s: due work failed; retried at the next tick", session.id)
        self.boards.flush_due(wait=True)

    def _step(self, session: EmpathySession, now: datetime) -> None:
        phase = self.phase(session)
        ends = session.phase_ends_at
        if ends is None:
            return
        if ends <= now:
            self.advance(session, from_index=session.phase_index)
            return
        name = self.deps.prompts.part("empathy/phases", "name", key=phase.key)
        if (not session.warned and phase.seconds > 2 * WARN_SECONDS
                and ends - now <= timedelta(seconds=WARN_SECONDS)
                and phases.claim_warning(self.deps.engine, team_id=session.team_id, session_id=session.id,
                                         phase_index=session.phase_index)):
            self.say(session, self.deps.prompts.part(FACILITATION, "warning", name=name,
                                                     minutes=math.ceil((ends - now).total_seconds() / 60)))
        quiet_since = max(filter(None, [session.last_note_at, session.phase_started_at]), default=None)
        if (phase.kind == "section" and not session.idle_nudged and quiet_since is not None
                and now - quiet_since >= timedelta(seconds=IDLE_SECONDS)
                and ends - now > timedelta(seconds=WARN_SECONDS)
                and phases.claim_idle_nudge(self.deps.engine, team_id=session.team_id, session_id=session.id,
                                            phase_index=session.phase_index)):
            self._nudge_facilitator(session, name, now - quiet_since)

    def _nudge_facilitator(self, session: EmpathySession, name: str, quiet: timedelta) -> None:
        minutes = int(quiet.total_seconds() // 60)
        text = self.deps.prompts.part(FACILITATION, "idle", name=name, minutes=minutes)
        nudge = blocks.message_blocks([blocks.section(text, accessory=blocks.button(
            self.deps.prompts.part(FACILITATION, "idle_next"), ids.NEXT_PHASE,
            value=board_view.control_value(session)))])
        try:
            self.deps.client.chat_postEphemeral(channel=session.channel_id, user=session.facilitator_id,
                                                text=text, blocks=nudge, thread_ts=session.board_ts)
        except SlackApiError as exc:
            log.info("idle hint not delivered: %s", exc.response.get("error"))
