"""Participants' listeners: join, add notes (modal or thread reply), list, edit, delete, hide.

Thin handlers: ack first (or answer a modal with inline errors), then storage, then the board
is marked for a coalesced refresh. Notes carry a source key (the modal view, the thread message)
so a retried submission or a redelivered event never adds a note twice.
"""

from __future__ import annotations

from typing import Any

from slack_bolt import Ack, App
from slack_sdk import WebClient

from bot.deps import Deps
from bot.empathy import ids, note_views
from bot.empathy.interaction import NOTES, action_value, is_live, load, load_recent, team_of, tell, user_of
from bot.empathy.session_flow import SessionFlow
from bot.modal_values import ModalValues
from storage import empathy as store
from storage import empathy_notes as notes_store
from storage.models import EmpathySession

WRITING = ("intro", "section")


def register(app: App, deps: Deps, flow: SessionFlow) -> None:
    def t(macro: str, **kw: object) -> str:
        return deps.prompts.part(NOTES, macro, **kw)

    def handle_join(ack: Ack, body: dict[str, Any], client: WebClient) -> None:
        ack()
        flow.later(join, body, client)

    def join(body: dict[str, Any], client: WebClient) -> None:
        session, _ = load(deps, body, action_value(body))
        if not is_live(session):
            tell(client, body, t("session_over"))
            return
        new = notes_store.join(deps.engine, team_id=session.team_id, session_id=session.id,
                               user_id=user_of(body), now=deps.clock.now())
        tell(client, body, t("joined" if new else "already_joined"))
        flow.changed(session)

    def handle_add_note(ack: Ack, body: dict[str, Any], client: WebClient) -> None:
        ack()
        flow.later(open_add_note, body, client, urgent=True)

    def open_add_note(body: dict[str, Any], client: WebClient) -> None:
        session, _ = load(deps, body, action_value(body))
        if not is_live(session) or flow.phase(session).kind not in WRITING:
            tell(client, body, t("error_closed") if is_live(session) else t("session_over"))
            return
        client.views_open(trigger_id=body["trigger_id"], view=note_views.build_add_note_modal(
            deps.prompts, session=session, quadrant=flow.phase(session).key))

    def handle_note_submission(ack: Ack, body: dict[str, Any], client: WebClient) -> None:
        view = body["view"]
        session = load_recent(flow.recent, body, view.get("private_metadata") or "")
        form = ModalValues(view)
        lines = note_views.split_notes(form.text(ids.NOTE_TEXT_BLOCK))
        error = note_views.note_errors(deps.prompts, lines)
        if error is None and (not is_live(session) or flow.phase(session).kind not in WRITING):
            error = t("error_closed")
        if error:
            ack(response_action="errors", errors={ids.NOTE_TEXT_BLOCK: error})
            return
        ack()
        quadrant = form.selected(ids.QUADRANT_BLOCK) or flow.phase(session).key
        if quadrant not in flow.sections(session):
            quadrant = flow.sections(session)[0]
        flow.later(add_notes, session, body, client, quadrant,
                   [(f"view:{view['id']}:{i}", line) for i, line in enumerate(lines)])

    def add_notes(session: EmpathySession, body: dict[str, Any], client: WebClient, quadrant: str,
                  texts: list[tuple[str, str]]) -> None:
        """The ack trusted a recent read of the session; one that has ended since gets the notes
        back instead (a note written as a section closes still counts)."""
        if not is_live(store.get_session(deps.engine, team_id=session.team_id, session_id=session.id)):
            tell(client, body, t("not_added", notes=[text for _, text in texts]), channel=session.channel_id)
            return
        notes_store.add_notes(deps.engine, team_id=session.team_id, session_id=session.id, author_id=user_of(body),
                              quadrant=quadrant, now=deps.clock.now(), texts=texts)
        flow.changed(session)

    def is_session_reply(event: dict[str, Any], body: dict[str, Any]) -> bool:
        """Only human replies in the thread of a live session board; DMs etc. are someone else's."""
        thread = event.get("thread_ts")
        if (not thread or thread == event.get("ts") or event.get("bot_id") or event.get("subtype")
                or event.get("channel_type") not in ("channel", "group")):
            return False
        session = store.get_session_by_thread(deps.engine, team_id=team_of(body), channel_id=event["channel"],
                                              thread_ts=thread)
        return is_live(session)

    def handle_thread_reply(event: dict[str, Any], body: dict[str, Any], client: WebClient) -> None:
        """Events are acked by Bolt before this runs; the notes are saved on the feature's own threads
        so a burst of replies never holds Bolt's few listener threads (and everyone's acks)."""
        flow.later(save_thread_reply, event, body, client)

    def save_thread_reply(event: dict[str, Any], body: dict[str, Any], client: WebClient) -> None:
        session = store.get_session_by_thread(deps.engine, team_id=team_of(body), channel_id=event["channel"],
                                              thread_ts=event["thread_ts"])
        if not is_live(session):
            return
        phase = flow.phase(session)
        reply = {"user": {"id": event["user"]}}
        if phase.kind != "section":
            if phase.kind in ("intro", "vote"):
                tell(client, reply, t("thread_closed"), channel=session.channel_id)
            return
        if session.anonymous:
            tell(client, reply, t("thread_anonymous"), channel=session.channel_id)
            return
        lines = [line[: note_views.NOTE_LIMIT] for line in note_views.split_notes(event.get("text") or "")]
        added = notes_store.add_notes(
            deps.engine, team_id=session.team_id, session_id=session.id, author_id=event["user"],
            quadrant=phase.key, now=deps.clock.now(),
            texts=[(f"msg:{event['ts']}:{i}", line) for i, line in enumerate(lines)])
        if added:
            flow.changed(session)

    def list_view(session: EmpathySession, viewer: str, mine: bool, page: int) -> dict:
        notes = notes_store.list_voted_notes(
            deps.engine, team_id=session.team_id, session_id=session.id, author_id=viewer if mine else None,
            include_hidden=mine or viewer == session.facilitator_id)
        return note_views.build_notes_modal(deps.prompts, session=session, notes=notes, viewer_id=viewer,
                                            mine=mine, page=page, editable=is_live(session))

    def open_list(mine: bool) -> Any:
        def handle(ack: Ack, body: dict[str, Any], client: WebClient) -> None:
            ack()
            session, _ = load(deps, body, action_value(body))
            if session is None:
                tell(client, body, t("session_over"))
                return
            client.views_open(trigger_id=body["trigger_id"], view=list_view(session, user_of(body), mine, 1))
        return handle

    def handle_page(ack: Ack, body: dict[str, Any], client: WebClient) -> None:
        ack()
        session_id, mine, page = note_views.parse_list_metadata(action_value(body))
        session = store.get_session(deps.engine, team_id=team_of(body), session_id=session_id)
        if session is not None:
            client.views_update(view_id=body["view"]["id"], hash=body["view"].get("hash"),
                                view=list_view(session, user_of(body), mine, page))

    def handle_note_menu(ack: Ack, body: dict[str, Any], client: WebClient) -> None:
        ack()
        what, _, raw_id = action_value(body).partition(":")
        view = body["view"]
        session_id, mine, page = note_views.parse_list_metadata(view.get("private_metadata") or "0:0:1")
        session = store.get_session(deps.engine, team_id=team_of(body), session_id=session_id)
        note = notes_store.get_note(deps.engine, team_id=team_of(body), note_id=int(raw_id or 0))
        user = user_of(body)
        if session is None or note is None or note.session_id != session.id or not is_live(session):
            return
        if what == "edit" and note.author_id == user:
            client.views_push(trigger_id=body["trigger_id"], view=note_views.build_edit_modal(
                deps.prompts, note_text=note.text, metadata=f"{note.id}:{view['id']}:{int(mine)}"))
            return
        if what == "delete":
            notes_store.delete_note(deps.engine, team_id=session.team_id, note_id=note.id, author_id=user)
        elif what in ("hide", "unhide") and user == session.facilitator_id:
            notes_store.set_hidden(deps.engine, team_id=session.team_id, session_id=session.id,
                                   note_id=note.id, hidden=what == "hide")
        client.views_update(view_id=view["id"], view=list_view(session, user, mine, page))
        flow.changed(session)

    def handle_edit_submission(ack: Ack, body: dict[str, Any], client: WebClient) -> None:
        raw_note, parent, mine = ((body["view"].get("private_metadata") or "") + "::").split(":")[:3]
        text = ModalValues(body["view"]).text(ids.NOTE_TEXT_BLOCK)
        error = note_views.note_errors(deps.prompts, [text] if text else [])
        note = notes_store.get_note(deps.engine, team_id=team_of(body), note_id=int(raw_note or 0))
        session = note and store.get_session(deps.engine, team_id=note.team_id, session_id=note.session_id)
        if error is None and (note is None or not is_live(session)):
            error = t("session_over")
        if error is None and note.author_id != user_of(body):
            error = t("not_yours")
        if error:
            ack(response_action="errors", errors={ids.NOTE_TEXT_BLOCK: error})
            return
        ack()
        notes_store.update_note_text(deps.engine, team_id=note.team_id, note_id=note.id, author_id=user_of(body),
                                     text=text, now=deps.clock.now())
        if parent:
            client.views_update(view_id=parent, view=list_view(session, user_of(body), mine == "1", 1))
        flow.changed(session)

    app.action(ids.JOIN)(handle_join)
    app.action(ids.ADD_NOTE)(handle_add_note)
    app.view(ids.NOTE_MODAL)(handle_note_submission)
    app.event("message", matchers=[is_session_reply])(handle_thread_reply)
    app.action(ids.MY_NOTES)(open_list(True))
    app.action(ids.ALL_NOTES)(open_list(False))
    app.action(ids.NOTES_PAGE)(handle_page)
    app.action(f"{ids.NOTES_PAGE}_next")(handle_page)
    app.action(ids.NOTE_MENU)(handle_note_menu)
    app.view(ids.NOTE_EDIT_MODAL)(handle_edit_submission)
