"""The card's buttons (Add evidence, History, Retire, Suggest) and the evidence shortcut.

Anyone may view, suggest and add evidence; only the owner or an admin edits and retires, and
everyone else gets an ephemeral answer saying who can. Buttons name the persona by id; a
stale one (persona gone or retired) gets a polite answer, never an error.
"""

from __future__ import annotations

import hashlib
import json
import logging
from typing import Any

from slack_bolt import Ack, App, Respond
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.deps import Deps
from bot.modal_values import ModalValues
from bot.personas import ids, lifecycle, modals, refresh
from bot.personas.subject import editor_view
from bot.private_reply import tell_user
from prompts import unescape_slack
from storage import events, persona_evidence
from storage import personas as store
from storage.models import Persona

log = logging.getLogger(__name__)
REPLIES = "personas/replies"
EVIDENCE_MAX = 3000


def register(app: App, deps: Deps) -> None:
    def t(macro: str, **kw: object) -> str:
        return deps.prompts.part(REPLIES, macro, **kw)

    def button_persona(body: dict[str, Any], client: WebClient, respond: Respond) -> Persona | None:
        value = (body.get("actions") or [{}])[0].get("value") or ""
        persona = store.get_persona(deps.engine, team_id=body["team"]["id"], persona_id=int(value)) \
            if value.isdigit() else None
        if persona is None or persona.status != "active":
            tell_user(body, client, t("gone"))
            return None
        refresh.remember(deps, team_id=persona.team_id, persona_id=persona.id, where=refresh.origin(body))
        return persona

    def managed_persona(body: dict[str, Any], client: WebClient, respond: Respond, action: str) -> Persona | None:
        """The button's persona when the clicking person may change it; otherwise they are told why."""
        persona = button_persona(body, client, respond)
        if persona is not None and not lifecycle.may_manage(deps, persona, body["user"]["id"]):
            tell_user(body, client, t("not_allowed", name=persona.name, owner=persona.owner_id,
                                                action=action))
            return None
        return persona

    def handle_edit(ack: Ack, body: dict[str, Any], client: WebClient, respond: Respond) -> None:
        ack()
        persona = managed_persona(body, client, respond, "edit")
        if persona is None:
            return
        user_id = body["user"]["id"]
        client.views_open(trigger_id=body["trigger_id"], view=editor_view(
            deps, persona.team_id, persona.id, user_id, where=refresh.origin(body)))

    def handle_retire(ack: Ack, body: dict[str, Any], client: WebClient, respond: Respond) -> None:
        ack()
        persona = managed_persona(body, client, respond, "retire")
        if persona is None:
            return
        user_id = body["user"]["id"]
        lifecycle.retire(deps, team_id=persona.team_id, persona_id=persona.id, user_id=user_id)
        refresh.follow(deps, client, team_id=persona.team_id, persona_id=persona.id, where=refresh.origin(body))
        tell_user(body, client, t("retired", name=persona.name))

    def handle_history(ack: Ack, body: dict[str, Any], client: WebClient, respond: Respond) -> None:
        ack()
        persona = button_persona(body, client, respond)
        if persona is None:
            return
        revisions = store.list_revisions(deps.engine, team_id=persona.team_id, persona_id=persona.id,
                                         limit=modals.HISTORY_LIMIT + 1)
        client.views_open(trigger_id=body["trigger_id"],
                          view=modals.build_history(deps.prompts, persona=persona, revisions=revisions))

    def handle_suggest(ack: Ack, body: dict[str, Any], client: WebClient, respond: Respond) -> None:
        ack()
        persona = button_persona(body, client, respond)
        if persona is not None:
            client.views_open(trigger_id=body["trigger_id"], view=modals.build_suggest(deps.prompts, persona=persona))

    def handle_suggest_submit(ack: Ack, body: dict[str, Any], client: WebClient) -> None:
        text = ModalValues(body["view"]).text(ids.SUGGESTION_BLOCK)
        if not text:
            ack(response_action="errors", errors={ids.SUGGESTION_BLOCK: t("error_suggestion_empty")})
            return
        ack()
        value = body["view"].get("private_metadata") or ""
        persona = store.get_persona(deps.engine, team_id=body["team"]["id"], persona_id=int(value)) \
            if value.isdigit() else None
        user_id = body["user"]["id"]
        if persona is None:
            client.chat_postMessage(channel=user_id, text=t("gone"))
            return
        if not events.claim_event(deps.engine, event_id=f"persona_suggest:{body['view']['id']}",
                                  team_id=persona.team_id, now=deps.clock.now()):
            return  # the same suggestion submitted twice: sent once
        lifecycle.suggest(deps, persona=persona, user_id=user_id, text=text[:2000])
        client.chat_postMessage(channel=user_id, text=t("suggestion_sent", name=persona.name, owner=persona.owner_id))

    def handle_evidence_button(ack: Ack, body: dict[str, Any], client: WebClient, respond: Respond) -> None:
        ack()
        persona = button_persona(body, client, respond)
        if persona is not None:
            client.views_open(trigger_id=body["trigger_id"], view=modals.build_evidence(
                deps.prompts, personas=[], chosen=persona, text="", source={}, where=refresh.origin(body)))

    def handle_evidence_shortcut(ack: Ack, body: dict[str, Any], client: WebClient) -> None:
        ack()
        message = body.get("message") or {}
        personas = store.list_personas(deps.engine, team_id=body["team"]["id"])
        if not personas:
            client.views_open(trigger_id=body["trigger_id"], view=modals.build_no_personas(deps.prompts))
            return
        source = {"channel": body["channel"]["id"], "ts": message.get("ts") or body.get("message_ts", ""),
                  "author": message.get("user") or ""}
        client.views_open(trigger_id=body["trigger_id"], view=modals.build_evidence(
            deps.prompts, personas=personas, chosen=None, text=unescape_slack(message.get("text") or "")[:EVIDENCE_MAX],
            source=source))

    def handle_evidence_submit(ack: Ack, body: dict[str, Any], client: WebClient) -> None:
        form = ModalValues(body["view"])
        meta = _meta(body["view"])
        persona_id = meta.get("persona") or form.selected(ids.PERSONA_BLOCK)
        text, link = form.text(ids.EVIDENCE_TEXT_BLOCK), form.text(ids.EVIDENCE_LINK_BLOCK)
        errors = {}
        if not text:
            errors[ids.EVIDENCE_TEXT_BLOCK] = t("error_evidence_empty")
        if not str(persona_id or "").isdigit():
            errors[ids.PERSONA_BLOCK] = t("error_pick")
        if errors:
            ack(response_action="errors", errors=errors)
            return
        ack()
        team_id, user_id = body["team"]["id"], body["user"]["id"]
        persona = store.get_persona(deps.engine, team_id=team_id, persona_id=int(persona_id))
        if persona is None or persona.status != "active":
            client.chat_postMessage(channel=user_id, text=t("gone"))
            return
        if meta.get("channel") and meta.get("ts"):
            source_key = f"{meta['channel']}:{meta['ts']}"
            link = _permalink(client, meta["channel"], meta["ts"])
        else:
            source_key = "typed:" + hashlib.sha256(f"{text}\n{link}".encode()).hexdigest()[:32]
        row = lifecycle.add_evidence(deps, team_id=team_id, persona_id=persona.id, user_id=user_id,
                                     text=text[:EVIDENCE_MAX], permalink=link[:1000],
                                     author_id=meta.get("author") or "", source_key=source_key)
        if row is None:
            client.chat_postMessage(channel=user_id, text=t("evidence_duplicate", name=persona.name))
            return
        refresh.follow(deps, client, team_id=team_id, persona_id=persona.id, where=meta.get("o"))
        count = persona_evidence.count_evidence(deps.engine, team_id=team_id,
                                                persona_ids=[persona.id]).get(persona.id, 0)
        client.chat_postMessage(channel=user_id, text=t("evidence_added", name=persona.name, count=count))

    app.action(ids.EDIT)(handle_edit)
    app.action(ids.RETIRE)(handle_retire)
    app.action(ids.HISTORY)(handle_history)
    app.action(ids.SUGGEST)(handle_suggest)
    app.action(ids.ADD_EVIDENCE)(handle_evidence_button)
    app.view(ids.SUGGEST_MODAL)(handle_suggest_submit)
    app.view(ids.EVIDENCE_MODAL)(handle_evidence_submit)
    app.shortcut(ids.EVIDENCE_SHORTCUT)(handle_evidence_shortcut)


def _meta(view: dict[str, Any]) -> dict[str, Any]:
    try:
        meta = json.loads(view.get("private_metadata") or "{}")
    except ValueError:
        return {}
    return meta if isinstance(meta, dict) else {}


def _permalink(client: WebClient, channel: str, ts: str) -> str:
    try:
        return client.chat_getPermalink(channel=channel, message_ts=ts).get("permalink") or ""
    except SlackApiError as exc:
        log.warning("no permalink for %s/%s: %s", channel, ts, exc.response.get("error"))
        return ""
