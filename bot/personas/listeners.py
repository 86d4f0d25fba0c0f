"""Personas listeners: parse, call lifecycle/storage, render, respond. Thin by design."""

from __future__ import annotations

import logging
from typing import Any

from slack_bolt import Ack, App, Respond
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.commands import CommandCall
from bot.deps import Deps
from bot.personas import capture, card_actions, cards, editing, export, ids, refresh
from bot.personas.subject import PersonaSubject
from bot.private_reply import tell_user
from storage import events
from storage import personas as store

log = logging.getLogger(__name__)
REPLIES = "personas/replies"


def register(app: App, deps: Deps) -> None:
    deps.subjects["persona"] = PersonaSubject(deps)
    capture.register(app, deps)  # first: `/persona new` leads the help
    editing.register(app, deps)

    def t(macro: str, **kw: object) -> str:
        return deps.prompts.part(REPLIES, macro, **kw)

    def ephemeral(text: str) -> dict[str, Any]:
        return {"text": text, "response_type": "ephemeral"}

    def handle_list(call: CommandCall) -> None:
        call.ack(response_type="ephemeral", **cards.listing(deps, call.team_id))

    def handle_show(call: CommandCall) -> None:
        wanted = call.raw_args.strip()
        if not wanted:
            call.ack(**ephemeral(t("which")))
            return
        persona, candidates = cards.find_one(deps, call.team_id, wanted)
        if persona is None:
            text = t("ambiguous", name=wanted, names=[p.name for p in candidates[:10]]) if candidates \
                else t("not_found", name=wanted)
            call.ack(**ephemeral(text))
            return
        call.ack(response_type="ephemeral", **cards.card(deps, persona, shareable=True))

    def handle_show_button(ack: Ack, body: dict[str, Any], client: WebClient, respond: Respond) -> None:
        ack()
        persona = _persona(deps, body)
        if persona is None:
            tell_user(body, client, t("gone"))
            return
        respond(response_type="ephemeral", replace_original=False, **cards.card(deps, persona, shareable=True))

    def handle_share(ack: Ack, body: dict[str, Any], client: WebClient, respond: Respond) -> None:
        ack()
        persona = _persona(deps, body)
        if persona is None:
            tell_user(body, client, t("gone"))
            return
        channel = (body.get("channel") or {}).get("id") or ""
        pressed = (body.get("container") or {}).get("message_ts") or body["actions"][0].get("action_ts", "")
        if not events.claim_event(deps.engine, event_id=f"persona_share:{persona.id}:{channel}:{pressed}",
                                  team_id=persona.team_id, now=deps.clock.now()):
            return  # a double click on the same preview: shared once
        intro = t("shared", user=body["user"]["id"])
        shown = cards.card(deps, persona, intro=intro)
        try:  # posted by the bot, the card has a ts and follows every later change
            posted = client.chat_postMessage(channel=channel, **shown)
        except SlackApiError as exc:  # a channel the bot is not in: Slack still takes it by response_url
            log.info("sharing persona %s by response_url: %s", persona.id, exc.response.get("error"))
            respond(response_type="in_channel", replace_original=False, delete_original=False, **shown)
            return
        refresh.remember(deps, team_id=persona.team_id, persona_id=persona.id,
                         where={"c": posted["channel"], "ts": posted["ts"], "i": intro})

    def handle_export(call: CommandCall) -> None:
        persona, candidates = cards.find_one(deps, call.team_id, call.raw_args.strip()) if call.raw_args.strip() \
            else (None, [])
        if persona is None:
            wanted = call.raw_args.strip()
            text = t("which_export") if not wanted else t("ambiguous", name=wanted, names=[
                p.name for p in candidates[:10]]) if candidates else t("not_found", name=wanted)
            call.ack(**ephemeral(text))
            return
        call.ack(**ephemeral(t("export_sent", name=persona.name)))
        data = export.build_export(deps.engine, persona)
        channel = call.client.conversations_open(users=call.user_id)["channel"]["id"]
        call.client.files_upload_v2(channel=channel, initial_comment=t("export_comment", name=persona.name),
                                    file_uploads=[{"content": export.render(deps.prompts, data, fmt),
                                                   "filename": export.filename(persona, fmt),
                                                   "title": export.filename(persona, fmt)} for fmt in ("md", "json")])

    deps.commands.add("/persona", "list", handle_list, summary=t("help_list"))
    deps.commands.add("/persona", "show", handle_show, usage="NAME", summary=t("help_show"))
    deps.commands.add("/persona", "export", handle_export, usage="NAME", summary=t("help_export"))
    app.action(ids.SHOW)(handle_show_button)
    app.action(ids.SHARE)(handle_share)
    card_actions.register(app, deps)


def _persona(deps: Deps, body: dict[str, Any]) -> Any:
    """The active persona a button names (its value is the id), or None for a stale button."""
    value = (body.get("actions") or [{}])[0].get("value") or ""
    if not value.isdigit():
        return None
    persona = store.get_persona(deps.engine, team_id=body["team"]["id"], persona_id=int(value))
    return persona if persona is not None and persona.status == "active" else None
