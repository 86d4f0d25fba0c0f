"""The Group phase: merging duplicate notes before the vote.

The facilitator groups (and anyone, when the facilitator allowed it at the start). A merge keeps
every note's row, author and votes; reads fold a group into its kept note. The modal is answered
with its own next state (a fresh list), so a team can group one cluster after another. A group
made by mistake is split from the same modal, by the same people, while the Group phase lasts:
once voting starts the groups are what people vote on, so they stay.
"""

from __future__ import annotations

from slack_bolt import Ack

from bot.empathy import board, grouping_view, ids
from bot.empathy.agenda import PhaseKind
from bot.empathy.interaction import load, t, tell, update_view
from bot.empathy.session_flow import is_live, phase
from bot.modal_open import open_modal
from bot.modal_values import ModalValues
from bot.numbers import row_id
from bot.request_context import RequestContext
from storage import empathy_notes as notes_store
from storage.models import EmpathySession

GROUPING = grouping_view.GROUPING


def grouping(session: EmpathySession | None) -> bool:
    return session is not None and is_live(session) and phase(session).kind == PhaseKind.GROUP


def may_group(session: EmpathySession, user_id: str) -> bool:
    return session.open_grouping or user_id == session.facilitator_id


def _modal(ctx: RequestContext, session: EmpathySession, done: str = "") -> dict:
    notes = notes_store.list_voted_notes(ctx.db, team_id=session.team_id, session_id=session.id)
    return grouping_view.build_grouping_modal(ctx.deps.prompts, session=session, notes=notes, done=done)


def handle_open_grouping(ack: Ack, ctx: RequestContext) -> None:
    session, _ = load(ctx)
    if session is None or not grouping(session):
        ack()
        tell(ctx, ctx.deps.prompts.part(GROUPING, "not_open") if is_live(session) else t(ctx, "session_over"))
        return
    if not may_group(session, ctx.user_id):
        ack()
        tell(ctx, ctx.deps.prompts.part(GROUPING, "not_allowed", facilitator=session.facilitator_id))
        return
    view = _modal(ctx, session)
    ack()
    ctx.later(open_modal, ctx, view)


def handle_grouping_submission(ack: Ack, ctx: RequestContext) -> None:
    def error(block: str, macro: str) -> None:
        ack(response_action="errors", errors={block: ctx.deps.prompts.part(GROUPING, macro)})

    session, _ = load(ctx, ctx.private_metadata)
    if session is None or not grouping(session) or not may_group(session, ctx.user_id):
        error(ids.KEEP_BLOCK, "error_closed")
        return
    form = ModalValues(ctx.view)
    keep = row_id(form.selected(ids.KEEP_BLOCK))
    merge = sorted(filter(None, (row_id(value) for value in form.checked(ids.MERGE_BLOCK))))
    if keep is None or not merge or keep in merge:
        error(ids.MERGE_BLOCK, "error_same")
        return
    kept = notes_store.get_note(ctx.db, team_id=session.team_id, note_id=keep)
    moved = notes_store.merge_notes(ctx.db, team_id=session.team_id, session_id=session.id, into_id=keep,
                                    note_ids=merge)
    if not moved or kept is None:
        ctx.db.rollback()
        error(ids.KEEP_BLOCK, "error_gone")
        return
    ctx.db.flush()
    done = ctx.deps.prompts.part(GROUPING, "done", count=moved, text=kept.text[:200])
    ack(response_action="update", view=_modal(ctx, session, done))
    ctx.later(board.refresh, ctx.deps, session.team_id, session.id)


def handle_split_group(ack: Ack, ctx: RequestContext) -> None:
    """The Split button beside a group in the grouping modal; the modal is redrawn after the ack."""
    session, _ = load(ctx, ctx.private_metadata)
    view_id = str(ctx.view.get("id"))
    refusal = _split_refusal(ctx, session)
    if refusal or session is None:
        ack()
        ctx.later(update_view, ctx, view_id, grouping_view.build_refusal(
            ctx.deps.prompts, session_id=session.id if session else 0, text=refusal or t(ctx, "session_over")))
        return
    head_id = row_id(ctx.value)
    head = notes_store.get_note(ctx.db, team_id=session.team_id, note_id=head_id) if head_id else None
    released = 0
    if head is not None and head.session_id == session.id:
        released = notes_store.split_group(ctx.db, team_id=session.team_id, session_id=session.id, head_id=head.id)
        ctx.db.flush()
    if head is not None and released:
        done = ctx.deps.prompts.part(GROUPING, "split_done", count=released, text=head.text[:200])
    else:  # a second click, a retry, or a group someone changed meanwhile
        done = ctx.deps.prompts.part(GROUPING, "split_nothing")
    view = _modal(ctx, session, done)
    ack()
    ctx.later(update_view, ctx, view_id, view)
    if released:
        ctx.later(board.refresh, ctx.deps, session.team_id, session.id)


def _split_refusal(ctx: RequestContext, session: EmpathySession | None) -> str:
    """Why this click may not split (empty when it may): the same people and phase as grouping."""
    say = ctx.deps.prompts.part
    if session is None or not is_live(session):
        return t(ctx, "session_over")
    if not grouping(session):
        voted = phase(session).kind in (PhaseKind.VOTE, PhaseKind.WRAPUP)
        return say(GROUPING, "split_voting" if voted else "not_open")
    if not may_group(session, ctx.user_id):
        return say(GROUPING, "not_allowed", facilitator=session.facilitator_id)
    return ""
