"""The empathy feature's listeners, in one table: which Slack id goes to which handler."""

from __future__ import annotations

from slack_bolt import App

from bot import outbox
from bot.deps import Deps
from bot.empathy import (
    channel_gone,
    controls,
    empty_session,
    evidence,
    grouping,
    ids,
    participation,
    session_flow,
    start,
    wrapup,
)

ACTIONS = {
    ids.START_FROM_HOME: start.handle_start_from_home,
    ids.JOIN: participation.handle_join,
    ids.ADD_NOTE: participation.handle_add_note,
    ids.MY_NOTES: participation.handle_my_notes,
    ids.ALL_NOTES: participation.handle_all_notes,
    ids.NOTES_PAGE: participation.handle_page,
    f"{ids.NOTES_PAGE}_next": participation.handle_page,
    ids.NOTE_MENU: participation.handle_note_menu,
    ids.NEXT_PHASE: controls.handle_next,
    ids.EXTEND: controls.handle_extend,
    ids.PAUSE: controls.handle_pause,
    ids.END: controls.handle_end,
    ids.OPEN_BALLOT: controls.handle_open_ballot,
    ids.OPEN_GROUPING: grouping.handle_open_grouping,
    ids.SPLIT_GROUP: grouping.handle_split_group,
    ids.HEARD_TO_EVIDENCE: evidence.handle_heard_to_evidence,
    ids.BALLOT_PAGE: controls.handle_ballot_page,
    f"{ids.BALLOT_PAGE}_next": controls.handle_ballot_page,
    ids.EXPORT: wrapup.handle_export,
    ids.EXPORT_JSON: wrapup.handle_export,
    ids.EXPORT_CSV: wrapup.handle_export,
    ids.RUN_AGAIN: empty_session.handle_run_again,
    ids.DELETE_EMPTY: empty_session.handle_delete_empty,
}
VIEWS = {
    ids.START_MODAL: start.handle_start_submission,
    ids.NOTE_MODAL: participation.handle_note_submission,
    ids.NOTE_EDIT_MODAL: participation.handle_edit_submission,
    ids.BALLOT_MODAL: controls.handle_ballot_submission,
    ids.GROUPING_MODAL: grouping.handle_grouping_submission,
}
OUTBOX = {
    "empathy.board": outbox.Kind(start.send_board, refused=start.board_refused),
    channel_gone.THREAD_POST: channel_gone.KIND,
    "empathy.summary": outbox.Kind(wrapup.send_summary),
    "empathy.canvas": outbox.Kind(wrapup.send_canvas),
}


def register(app: App, deps: Deps) -> None:
    for action_id, handler in ACTIONS.items():
        app.action(action_id)(handler)
    for callback_id, handler in VIEWS.items():
        app.view(callback_id)(handler)
    app.event("message", matchers=[participation.is_thread_reply])(participation.handle_thread_reply)
    deps.commands.add("/empathy", "start", start.handle_start_command,
                      summary=deps.prompts.part("empathy/help", "start"))
    deps.commands.add("/empathy", "export", wrapup.handle_export_command, usage="SESSION [md|json]",
                      summary=deps.prompts.part("empathy/help", "export"))
    deps.outbox_senders.update(OUTBOX)
    deps.ticks["empathy"] = lambda: session_flow.run_due(deps)
    deps.on_uninstall.append(session_flow.stop_workspace)
