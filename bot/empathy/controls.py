"""Facilitator controls and the private ballot.

Facilitator buttons carry `session:phase`: only the facilitator may use them (others get a
polite no) and a button from an earlier phase is answered as stale instead of acting twice.
A ballot submission replaces the voter's whole choice, so retries never double-count; the
answer to the submission is the "saved" view itself (no call to Slack after the ack).
"""

from __future__ import annotations

from slack_bolt import Ack
from sqlalchemy.exc import IntegrityError

from bot.empathy import ballot_view, board, session_flow
from bot.empathy.agenda import PhaseKind
from bot.empathy.interaction import load, open_modal, t, tell, update_view
from bot.empathy.session_flow import VOTES_PER_NOTE, is_live, phase, sections
from bot.request_context import RequestContext
from storage import empathy as store
from storage import empathy_notes as notes_store
from storage import empathy_votes as votes_store
from storage.models import EmpathySession

BALLOT = ballot_view.BALLOT


def _control(ack: Ack, ctx: RequestContext, act: str) -> None:
    session, phase_index = load(ctx)
    user = ctx.user_id
    if session is None or not is_live(session):
        answer = t(ctx, "session_over")
    elif user != session.facilitator_id:
        answer = t(ctx, "facilitator_only", facilitator=session.facilitator_id)
    elif phase_index != session.phase_index or not session_flow.control(ctx.uow, session, act, by=user):
        answer = t(ctx, "stale_phase")
    else:
        ack()
        ctx.later(board.refresh, ctx.deps, session.team_id, session.id)
        return
    ack()
    tell(ctx, answer)


def handle_next(ack: Ack, ctx: RequestContext) -> None:
    _control(ack, ctx, "next")


def handle_extend(ack: Ack, ctx: RequestContext) -> None:
    _control(ack, ctx, "extend")


def handle_pause(ack: Ack, ctx: RequestContext) -> None:
    _control(ack, ctx, "pause")


def handle_end(ack: Ack, ctx: RequestContext) -> None:
    _control(ack, ctx, "end")


# -- the ballot --------------------------------------------------------------------------------
def voting(session: EmpathySession | None) -> bool:
    return session is not None and is_live(session) and phase(session).kind == PhaseKind.VOTE


def _ballot(ctx: RequestContext, session: EmpathySession, page: int) -> dict:
    notes = notes_store.list_voted_notes(ctx.db, team_id=session.team_id, session_id=session.id)
    order = sections(session)
    notes.sort(key=lambda n: (order.index(n.quadrant) if n.quadrant in order else 99, n.id))
    mine = votes_store.get_ballot(ctx.db, team_id=session.team_id, session_id=session.id, user_id=ctx.user_id)
    return ballot_view.build_ballot(ctx.deps.prompts, session=session, notes=notes, ballot=mine, page=page,
                                    per_note=VOTES_PER_NOTE)


def handle_open_ballot(ack: Ack, ctx: RequestContext) -> None:
    session, _ = load(ctx)
    if session is None or not voting(session):
        ack()
        tell(ctx, t(ctx, "session_over") if not is_live(session) else ctx.deps.prompts.part(BALLOT, "not_open"))
        return
    view = _ballot(ctx, session, 1)  # read-only: a voter counts as a participant once they vote
    ack()
    ctx.later(open_modal, ctx, view)


def handle_ballot_page(ack: Ack, ctx: RequestContext) -> None:
    session, page = load(ctx)
    view = _ballot(ctx, session, page or 1) if session is not None and voting(session) else None
    ack()
    if view is not None:
        ctx.later(update_view, ctx, str(ctx.view.get("id")), view)


def handle_ballot_submission(ack: Ack, ctx: RequestContext) -> None:
    """Checked and saved in one unit of work; a rule broken (over budget, a note gone) is shown
    inline and nothing changes."""
    session, _ = load(ctx, ctx.private_metadata)
    values = ctx.view.get("state", {}).get("values", {})
    first = next(iter(values), "")
    if session is None or not voting(session):
        ack(response_action="errors", errors={first: ctx.deps.prompts.part(BALLOT, "error_closed")})
        return
    votes = ballot_view.read_ballot(values, VOTES_PER_NOTE)
    rules = dict(team_id=session.team_id, session_id=session.id, user_id=ctx.user_id, votes=votes,
                 budget=session.votes_per_person, per_note=VOTES_PER_NOTE)
    try:
        try:
            spent = votes_store.set_ballot(ctx.db, **rules)
        except IntegrityError:  # the same person's other tab saved at the same moment: once more
            ctx.db.rollback()
            spent = votes_store.set_ballot(ctx.db, **rules)
    except votes_store.BallotError as exc:
        ctx.db.rollback()
        ack(response_action="errors", errors={first: _ballot_error(ctx, session, votes, exc)})
        return
    store.join(ctx.db, team_id=session.team_id, session_id=session.id, user_id=ctx.user_id, now=ctx.now())
    ack(response_action="update", view=ballot_view.build_saved(ctx.deps.prompts, spent=spent,
                                                                votes=session.votes_per_person))
    ctx.later(board.refresh, ctx.deps, session.team_id, session.id)


def _ballot_error(ctx: RequestContext, session: EmpathySession, votes: dict[int, int], exc: Exception) -> str:
    if str(exc) != "budget":
        return ctx.deps.prompts.part(BALLOT, "error_gone")
    current = votes_store.get_ballot(ctx.db, team_id=session.team_id, session_id=session.id, user_id=ctx.user_id)
    kept = sum(count for note_id, count in current.items() if note_id not in votes)
    return ctx.deps.prompts.part(BALLOT, "error_budget", votes=session.votes_per_person,
                                 spent=kept + sum(votes.values()))
