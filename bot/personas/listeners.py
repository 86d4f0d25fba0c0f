"""The personas feature's listeners, in one table: which Slack id goes to which handler.

Handlers read and write through the request's unit of work and ack (the ack commits); Slack
calls follow the commit (`ctx.later`), and messages that must not be lost go through the outbox.
"""

from __future__ import annotations

from typing import Any

from slack_bolt import Ack, App
from slack_sdk.webhook import WebhookClient

from bot import conversation, outbox
from bot.commands import CommandCall
from bot.deps import Deps
from bot.numbers import row_id
from bot.people import look_up
from bot.personas import capture, card_actions, cards, editing, export, flow, ids, lifecycle, refresh, suggestion_reply
from bot.personas.subject import PersonaSubject
from bot.request_context import RequestContext
from storage import events
from storage import personas as store
from storage.models import Persona
from storage.states import PersonaStatus

REPLIES = "personas/replies"


def t(ctx: RequestContext, macro: str, **kw: object) -> str:
    return ctx.deps.prompts.part(REPLIES, macro, **kw)


def _ephemeral(text: str) -> dict[str, Any]:
    return {"text": text, "response_type": "ephemeral"}


def _not_found(ctx: RequestContext, wanted: str, candidates: list[Persona], which: str) -> str:
    if not wanted:
        return t(ctx, which)
    if candidates:
        return t(ctx, "ambiguous", name=wanted, names=[p.name for p in candidates[:10]])
    return t(ctx, "not_found", name=wanted)


def handle_list(call: CommandCall) -> None:
    call.ack(response_type="ephemeral", **cards.listing(call.ctx.deps, call.ctx.db, call.team_id))


def handle_show(call: CommandCall) -> None:
    ctx, wanted = call.ctx, call.raw_args.strip()
    persona, candidates = cards.find_one(ctx.db, call.team_id, wanted) if wanted else (None, [])
    if persona is None:
        call.ack(**_ephemeral(_not_found(ctx, wanted, candidates, "which")))
        return
    call.ack(response_type="ephemeral", **cards.card(ctx.deps, ctx.db, persona, shareable=True))


def handle_show_button(ack: Ack, ctx: RequestContext) -> None:
    persona = _persona(ctx)
    shown = cards.card(ctx.deps, ctx.db, persona, shareable=True) if persona is not None else None
    ack()
    if shown is None:
        card_actions.tell(ctx, t(ctx, "gone"))
    else:
        ctx.later(_respond, ctx, {"response_type": "ephemeral", "replace_original": False, **shown})


def _respond(ctx: RequestContext, message: dict[str, Any]) -> None:
    WebhookClient(ctx.response_url, ssl=ctx.client.ssl, proxy=ctx.client.proxy).send(**message)


def handle_share(ack: Ack, ctx: RequestContext) -> None:
    persona = _persona(ctx)
    if persona is None:
        ack()
        card_actions.tell(ctx, t(ctx, "gone"))
        return
    channel = (ctx.body.get("channel") or {}).get("id") or ctx.channel_id
    pressed = ctx.message_ts or str(ctx.action.get("action_ts") or "")
    where = f"{persona.id}:{channel}:{pressed}"
    if events.mark_processed(ctx.db, event_id=f"persona_share:{where}", team_id=ctx.team_id, now=ctx.now()):
        ctx.enqueue(refresh.post_card(  # a double click on the same preview: shared once
            persona.id, channel=channel, intro=t(ctx, "shared", user=ctx.user_id), response_url=ctx.response_url,
            key=f"{refresh.CARD}:share:{where}"))
    ack()


def handle_export(call: CommandCall) -> None:
    ctx, wanted = call.ctx, call.raw_args.strip()
    persona, candidates = cards.find_one(ctx.db, call.team_id, wanted) if wanted else (None, [])
    if persona is None:
        call.ack(**_ephemeral(_not_found(ctx, wanted, candidates, "which_export")))
        return
    data = export.build_export(ctx.db, persona)
    call.ack(**_ephemeral(t(ctx, "export_sent", name=persona.name)))
    ctx.later(_upload, ctx, persona, data)


def _upload(ctx: RequestContext, persona: Persona, data: dict[str, Any]) -> None:
    people = look_up(ctx.client, {ctx.user_id, *export.people_in(data)}, viewer=ctx.user_id)
    channel = ctx.client.conversations_open(users=ctx.user_id)["channel"]["id"]
    ctx.client.files_upload_v2(
        channel=channel, initial_comment=t(ctx, "export_comment", name=persona.name),
        file_uploads=[{"content": export.render(ctx.deps.prompts, data, fmt, people),
                       "filename": export.filename(persona, fmt),
                       "title": export.filename(persona, fmt)} for fmt in ("md", "json")])


def _persona(ctx: RequestContext) -> Persona | None:
    """The active persona a button names (its value is the id), or None for a stale button."""
    value = ctx.value
    persona = store.get_persona(ctx.db, team_id=ctx.team_id, persona_id=number) \
        if (number := row_id(value)) else None
    return persona if persona is not None and persona.status == PersonaStatus.ACTIVE else None


ACTIONS = {
    ids.NEW_FROM_HOME: capture.handle_new_shortcut,
    ids.FROM_SESSION: capture.handle_from_session,
    ids.SHOW: handle_show_button,
    ids.SHARE: handle_share,
    ids.EDIT: card_actions.handle_edit,
    ids.RETIRE: card_actions.handle_retire,
    ids.HISTORY: card_actions.handle_history,
    ids.SUGGEST: card_actions.handle_suggest,
    ids.ADD_EVIDENCE: card_actions.handle_evidence_button,
}
SHORTCUTS = {
    ids.NEW_SHORTCUT: capture.handle_new_shortcut,
    ids.EVIDENCE_SHORTCUT: card_actions.handle_evidence_shortcut,
}
VIEWS = {
    ids.FORM_MODAL: editing.handle_submission,
    ids.SUGGEST_MODAL: card_actions.handle_suggest_submit,
    ids.EVIDENCE_MODAL: card_actions.handle_evidence_submit,
}
COMMANDS = (  # (subcommand, handler, usage, help macro); `new` first: it leads the help
    ("new", capture.handle_new_command, "", "help_new"),
    ("form", editing.handle_form_command, "", "help_form"),
    ("list", handle_list, "", "help_list"),
    ("show", handle_show, "NAME", "help_show"),
    ("export", handle_export, "NAME", "help_export"),
)
OUTBOX = {
    lifecycle.CHANGED: outbox.Kind(lifecycle.send_changed),
    refresh.CARD: outbox.Kind(refresh.send_card),
    suggestion_reply.KIND: outbox.Kind(suggestion_reply.send),
}


def register(app: App, deps: Deps) -> None:
    deps.subjects["persona"] = PersonaSubject(deps)
    conversation.register(app, deps).flows[flow.NAME] = flow.build_flow(deps)
    for action_id, handler in ACTIONS.items():
        app.action(action_id)(handler)
    for callback_id, handler in SHORTCUTS.items():
        app.shortcut(callback_id)(handler)
    for callback_id, handler in VIEWS.items():
        app.view(callback_id)(handler)
    for name, handler, usage, summary in COMMANDS:
        deps.commands.add("/persona", name, handler, usage=usage, summary=deps.prompts.part(REPLIES, summary))
    deps.outbox_senders.update(OUTBOX)
