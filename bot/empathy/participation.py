"""Taking part: join, add notes (modal or thread reply), list, edit, delete, hide.

Each handler reads what it needs, writes, and acks (the ack commits); modals and answers go
out after. A thread reply's line can say what it rests on (`heard (interview): ...`, `guess: ...`;
see note_marks). Notes carry a source key (the modal view, the thread message) so a retried
submission or a redelivered event never adds a note twice.
"""

from __future__ import annotations

from typing import Any

from slack_bolt import Ack

from bot.empathy import board, ids, note_marks, note_views, reveal_view
from bot.empathy.agenda import PhaseKind
from bot.empathy.interaction import load, t, tell, update_view
from bot.empathy.session_flow import is_live, phase, sections
from bot.modal_open import open_modal
from bot.modal_values import ModalValues
from bot.numbers import row_id
from bot.request_context import RequestContext
from prompts import unescape_slack
from storage import empathy as store
from storage import empathy_notes as notes_store
from storage.empathy_notes import VotedNote
from storage.models import EmpathySession
from storage.states import NoteVisibility


def handle_join(ack: Ack, ctx: RequestContext) -> None:
    session, _ = load(ctx)
    if session is None or not is_live(session):
        ack()
        tell(ctx, t(ctx, "session_over"))
        return
    new = store.join(ctx.db, team_id=session.team_id, session_id=session.id, user_id=ctx.user_id, now=ctx.now())
    ack()
    tell(ctx, t(ctx, "joined" if new else "already_joined"))
    ctx.later(board.refresh, ctx.deps, session.team_id, session.id)


def handle_add_note(ack: Ack, ctx: RequestContext) -> None:
    session, _ = load(ctx)
    ack()
    if session is None or not is_live(session) or not phase(session).kind.writing:
        tell(ctx, t(ctx, "error_closed") if is_live(session) else t(ctx, "session_over"))
        return
    ctx.later(open_modal, ctx, note_views.build_add_note_modal(ctx.deps.prompts, session=session,
                                                                quadrant=phase(session).key))


def handle_note_submission(ack: Ack, ctx: RequestContext) -> None:
    session, _ = load(ctx, ctx.private_metadata)
    form = ModalValues(ctx.view)
    lines = note_views.split_notes(form.text(ids.NOTE_TEXT_BLOCK))
    error = note_views.note_errors(ctx.deps.prompts, lines)
    if error is None and (session is None or not is_live(session) or not phase(session).kind.writing):
        error = t(ctx, "error_closed") if is_live(session) else t(ctx, "session_over")
    if error or session is None:
        ack(response_action="errors", errors={ids.NOTE_TEXT_BLOCK: error or t(ctx, "session_over")})
        return
    quadrant = form.selected(ids.QUADRANT_BLOCK) or phase(session).key
    if quadrant not in sections(session):
        quadrant = sections(session)[0]
    basis, heard_from = note_views.read_basis(ctx.view.get("state", {}).get("values", {}))
    notes_store.add_notes(ctx.db, team_id=session.team_id, session_id=session.id, author_id=ctx.user_id,
                          quadrant=quadrant, now=ctx.now(), basis=basis, heard_from=heard_from,
                          texts=[(f"view:{ctx.view.get('id')}:{i}", line) for i, line in enumerate(lines)])
    ack()
    ctx.later(board.refresh, ctx.deps, session.team_id, session.id)


def is_thread_reply(event: dict[str, Any]) -> bool:
    """A person's reply in a channel thread (no database: the handler looks the session up)."""
    thread = event.get("thread_ts")
    return bool(thread and thread != event.get("ts") and not event.get("bot_id") and not event.get("subtype")
                and event.get("user") and event.get("channel_type") in ("channel", "group")
                and isinstance(event.get("text"), str))


def handle_thread_reply(ctx: RequestContext) -> None:
    """Bolt acks events when this returns (the ack commits): the notes and the event's
    "processed" mark are saved together, before Slack hears back."""
    event = ctx.event
    session = store.get_session_by_thread(ctx.db, team_id=ctx.team_id, channel_id=event["channel"],
                                          thread_ts=event["thread_ts"])
    if session is None or not is_live(session):
        return
    current = phase(session)
    if current.kind != PhaseKind.SECTION:
        if current.kind in (PhaseKind.GROUP, PhaseKind.VOTE):  # in the intro, replies are context: no answer
            tell(ctx, t(ctx, "thread_closed"), channel=session.channel_id)
        return
    if session.anonymous:
        tell(ctx, t(ctx, "thread_anonymous"), channel=session.channel_id)
        return
    typed = unescape_slack(event["text"])  # Slack sends `&`, `<`, `>` as entities; store what was typed
    marked = note_marks.read_marked(note_views.split_notes(typed))[:50]  # `heard (interview): ...`
    texts = [(f"msg:{event.get('ts')}:{i}", note.text[: note_views.NOTE_LIMIT], note.basis, note.heard_from)
             for i, note in enumerate(marked)]
    if texts and notes_store.add_notes(ctx.db, team_id=session.team_id, session_id=session.id,
                                       author_id=event["user"], quadrant=current.key, now=ctx.now(), texts=texts):
        ctx.later(board.refresh, ctx.deps, session.team_id, session.id)


# -- the note list ----------------------------------------------------------------------------
def _list_view(ctx: RequestContext, session: EmpathySession, mine: bool, page: int) -> dict:
    viewer = ctx.user_id
    notes: list[VotedNote] = notes_store.list_voted_notes(
        ctx.db, team_id=session.team_id, session_id=session.id, author_id=viewer if mine else None,
        include_hidden=mine or viewer == session.facilitator_id)
    notes = reveal_view.visible_to(session, notes, viewer)
    return note_views.build_notes_modal(ctx.deps.prompts, session=session, notes=notes, viewer_id=viewer,
                                        mine=mine, page=page, editable=is_live(session))


def handle_my_notes(ack: Ack, ctx: RequestContext) -> None:
    _open_list(ack, ctx, mine=True)


def handle_all_notes(ack: Ack, ctx: RequestContext) -> None:
    _open_list(ack, ctx, mine=False)


def _open_list(ack: Ack, ctx: RequestContext, *, mine: bool) -> None:
    session, _ = load(ctx)
    view = _list_view(ctx, session, mine, 1) if session is not None else None
    ack()
    if view is None:
        tell(ctx, t(ctx, "session_over"))
    else:
        ctx.later(open_modal, ctx, view)


def handle_page(ack: Ack, ctx: RequestContext) -> None:
    where = note_views.parse_list_metadata(ctx.value)
    session, _ = load(ctx, str(where[0])) if where else (None, None)
    view = _list_view(ctx, session, where[1], where[2]) if session is not None and where else None
    ack()
    if view is not None:
        ctx.later(update_view, ctx, str(ctx.view.get("id")), view)


def handle_note_menu(ack: Ack, ctx: RequestContext) -> None:
    what, _, raw_id = ctx.value.partition(":")
    where = note_views.parse_list_metadata(ctx.private_metadata)
    session, _ = load(ctx, str(where[0])) if where else (None, None)
    note_id = row_id(raw_id)
    note = notes_store.get_note(ctx.db, team_id=ctx.team_id, note_id=note_id) if note_id else None
    if session is None or where is None or note is None or note.session_id != session.id or not is_live(session):
        ack()
        return
    user, mine, page = ctx.user_id, where[1], where[2]
    if what == "edit" and note.author_id == user:
        ack()
        ctx.later(_push_edit, ctx, note_views.build_edit_modal(
            ctx.deps.prompts, note_text=note.text, metadata=f"{note.id}:{ctx.view.get('id')}:{int(mine)}",
            basis=note.basis, heard_from=note.heard_from))
        return
    if what == "delete":
        notes_store.delete_note(ctx.db, team_id=session.team_id, note_id=note.id, author_id=user)
    elif what in ("hide", "unhide") and user == session.facilitator_id:
        notes_store.set_visibility(ctx.db, team_id=session.team_id, session_id=session.id, note_id=note.id,
                                   visibility=NoteVisibility.HIDDEN if what == "hide" else NoteVisibility.VISIBLE)
    ctx.db.flush()
    view = _list_view(ctx, session, mine, page)
    ack()
    ctx.later(update_view, ctx, str(ctx.view.get("id")), view)
    ctx.later(board.refresh, ctx.deps, session.team_id, session.id)


def _push_edit(ctx: RequestContext, view: dict) -> None:
    ctx.client.views_push(trigger_id=ctx.trigger_id, view=view)


def handle_edit_submission(ack: Ack, ctx: RequestContext) -> None:
    raw_note, parent, mine = (ctx.private_metadata + "::").split(":")[:3]
    text = ModalValues(ctx.view).text(ids.NOTE_TEXT_BLOCK)
    error = note_views.note_errors(ctx.deps.prompts, [text] if text else [])
    note_id = row_id(raw_note)
    note = notes_store.get_note(ctx.db, team_id=ctx.team_id, note_id=note_id) if note_id else None
    session = store.get_session(ctx.db, team_id=note.team_id, session_id=note.session_id) if note else None
    if error is None and (note is None or session is None or not is_live(session)):
        error = t(ctx, "session_over")
    if error is None and note is not None and note.author_id != ctx.user_id:
        error = t(ctx, "not_yours")
    if error or note is None or session is None:
        ack(response_action="errors", errors={ids.NOTE_TEXT_BLOCK: error or t(ctx, "session_over")})
        return
    notes_store.update_note_text(ctx.db, team_id=note.team_id, note_id=note.id, author_id=ctx.user_id,
                                 text=text, now=ctx.now())
    basis, heard_from = note_views.read_basis(ctx.view.get("state", {}).get("values", {}))
    notes_store.set_basis(ctx.db, team_id=note.team_id, note_id=note.id, author_id=ctx.user_id, basis=basis,
                          heard_from=heard_from, now=ctx.now())
    view = _list_view(ctx, session, mine == "1", 1) if parent else None
    ack()
    if view is not None:
        ctx.later(update_view, ctx, parent, view)
    ctx.later(board.refresh, ctx.deps, session.team_id, session.id)
