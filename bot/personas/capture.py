"""Starting the proto-persona conversation: `/persona new`, the shortcut, Home, an empathy session.

Each entry acks at once and then opens the DM (slow Slack calls after the ack). The
conversation itself is `flow` run by the shared engine (`bot.conversation`).
"""

from __future__ import annotations

from typing import Any

from slack_bolt import Ack, App, Respond
from slack_sdk import WebClient

from bot.commands import CommandCall
from bot.conversation import ConversationEngine, conversations
from bot.deps import Deps
from bot.personas import flow, ids
from bot.private_reply import tell_user
from storage import empathy
from storage.db import unit_of_work

REPLIES = "personas/replies"


def register(app: App, deps: Deps) -> None:
    engine = conversations(app, deps)
    engine.flows[flow.NAME] = flow.build_flow(deps)

    def t(macro: str, **kw: object) -> str:
        return deps.prompts.part(REPLIES, macro, **kw)

    def handle_new_command(call: CommandCall) -> None:
        call.ack(text=t("dm_sent"), response_type="ephemeral")
        start(deps, engine, call.client, team_id=call.team_id, user_id=call.user_id)

    def handle_new_shortcut(ack: Ack, body: dict[str, Any], client: WebClient) -> None:
        ack()
        start(deps, engine, client, team_id=body["team"]["id"], user_id=body["user"]["id"])

    def handle_from_session(ack: Ack, body: dict[str, Any], client: WebClient, respond: Respond) -> None:
        ack()
        team_id, user_id = body["team"]["id"], body["user"]["id"]
        value = (body.get("actions") or [{}])[0].get("value") or ""
        with unit_of_work(deps.engine) as db:
            session = empathy.get_session(db, team_id=team_id, session_id=int(value)) \
                if value.isdigit() and len(value) < 12 else None
            found = empathy.top_notes_by_quadrant(db, team_id=team_id, session_id=session.id) if session else {}
        if session is None:
            tell_user(body, client, deps.prompts.render("errors/stale_action"))
            return
        prefill = flow.prefill_from_session(found, subject=session.subject, goal=session.goal)
        start(deps, engine, client, team_id=team_id, user_id=user_id, prefill=prefill,
              context={"source_session_id": session.id, "session_subject": session.subject})

    deps.commands.add("/persona", "new", handle_new_command, summary=t("help_new"))
    app.shortcut(ids.NEW_SHORTCUT)(handle_new_shortcut)
    app.action(ids.NEW_FROM_HOME)(handle_new_shortcut)
    app.action(ids.FROM_SESSION)(handle_from_session)


def start(deps: Deps, engine: ConversationEngine, client: WebClient, *, team_id: str, user_id: str,
          prefill: dict[str, Any] | None = None, context: dict[str, Any] | None = None) -> str:
    """Open the conversation in the person's DM; the owner and cadence start at their defaults."""
    values = {"owner_id": user_id, "cadence_days": deps.settings.review_cadence_days, **(prefill or {})}
    return engine.start(client, team_id=team_id, user_id=user_id, flow=flow.NAME, prefill=values,
                        context=context)
