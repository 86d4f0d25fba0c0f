"""A session whose channel went away (archived, deleted, the bot removed) ends cleanly.

Found out when Slack refuses a post in the session's thread for good: the session is ended
(cancelled, its notes kept), nothing more is posted there, and the facilitator gets a DM in
plain words saying what happened and how to get the notes.
"""

from __future__ import annotations

from bot import outbox
from bot.deps import Deps
from bot.unit_of_work import UnitOfWork
from storage import empathy as store
from storage import empathy_phases as phases
from storage.outbox import Outgoing
from storage.states import SessionStatus

GONE = frozenset({"channel_not_found", "not_in_channel", "is_archived"})
THREAD_POST = "empathy.thread"


def thread_refused(deps: Deps, delivery: outbox.Delivery, error: str) -> None:
    if error not in GONE:
        return
    payload = delivery.payload
    with UnitOfWork(deps) as uow:
        session = store.get_session_by_thread(uow.db, team_id=delivery.team_id, channel_id=str(payload["channel"]),
                                              thread_ts=str(payload.get("thread_ts")))
        if session is None or not session.status.live:
            return
        if not phases.finish_session(uow.db, session, from_index=session.phase_index, now=deps.clock.now(),
                                     status=SessionStatus.CANCELLED):
            return
        text = deps.prompts.part("empathy/errors", "channel_gone", channel=session.channel_id,
                                 subject=session.subject, number=session.id,
                                 why=deps.prompts.part("errors/slack", "said", error=error))
        uow.enqueue(session.team_id, [Outgoing("post", f"empathy:{session.id}:channel_gone",
                                               {"channel": session.facilitator_id, "text": text})])


KIND = outbox.Kind(outbox.post, refused=thread_refused)
