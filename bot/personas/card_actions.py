"""The card's buttons (Edit, Add evidence, History, Retire, Suggest) and the evidence shortcut.

Anyone may view, suggest and add evidence; only the owner or an admin edits and retires, and
everyone else gets an ephemeral answer saying who can. Buttons name the persona by id; a
stale one (persona gone or retired) gets a polite answer, never an error. Every change is
written in the request's unit of work and committed by the ack; modals open after it.
"""

from __future__ import annotations

import hashlib
import json
import logging
from typing import Any

from slack_bolt import Ack
from slack_sdk.errors import SlackApiError

from bot.modal_open import open_modal
from bot.modal_values import ModalValues
from bot.numbers import row_id
from bot.personas import assumptions, fields, ids, lifecycle, modals, refresh, suggestion_reply
from bot.personas.subject import editor_view
from bot.private_reply import tell_user
from bot.request_context import RequestContext
from prompts import unescape_slack
from storage import events, persona_evidence
from storage import personas as store
from storage.models import Persona
from storage.outbox import Outgoing
from storage.states import EvidenceStance, PersonaStatus

log = logging.getLogger(__name__)
REPLIES = "personas/replies"
EVIDENCE_MAX = 3000


def t(ctx: RequestContext, macro: str, **kw: object) -> str:
    return ctx.deps.prompts.part(REPLIES, macro, **kw)


def tell(ctx: RequestContext, text: str) -> None:
    """An ephemeral answer after the ack (where the button was pressed)."""
    ctx.later(tell_user, ctx.body, ctx.client, text)


def dm(ctx: RequestContext, text: str, key: str) -> None:
    """A message in the person's DM, sent once this request is committed (the outbox)."""
    ctx.enqueue(Outgoing("post", key=key, payload={"channel": ctx.user_id, "text": text}))


def open_view(ctx: RequestContext, view: dict) -> None:
    open_modal(ctx, view)


def button_persona(ctx: RequestContext) -> Persona | None:
    """The active persona the button names; its card is remembered (to be refreshed later)."""
    value = ctx.value
    persona = store.get_persona(ctx.db, team_id=ctx.team_id, persona_id=number) \
        if (number := row_id(value)) else None
    if persona is None or persona.status != PersonaStatus.ACTIVE:
        tell(ctx, t(ctx, "gone"))
        return None
    refresh.remember(ctx.db, ctx.deps, team_id=persona.team_id, persona_id=persona.id,
                     where=refresh.origin(ctx.body))
    return persona


def managed_persona(ctx: RequestContext, action: str) -> Persona | None:
    """The button's persona when the clicking person may change it; otherwise they are told why."""
    persona = button_persona(ctx)
    if persona is not None and not lifecycle.may_manage(ctx.deps, persona, ctx.user_id):
        tell(ctx, t(ctx, "not_allowed", name=persona.name, owner=persona.owner_id, action=action))
        return None
    return persona


def handle_edit(ack: Ack, ctx: RequestContext) -> None:
    persona = managed_persona(ctx, "edit")
    view = editor_view(ctx.deps, ctx.db, ctx.team_id, persona.id, ctx.user_id, where=refresh.origin(ctx.body)) \
        if persona is not None else None
    ack()
    if view is not None:
        ctx.later(open_view, ctx, view)


def handle_retire(ack: Ack, ctx: RequestContext) -> None:
    persona = managed_persona(ctx, "retire")
    if persona is not None:
        lifecycle.retire(ctx.deps, lifecycle.in_request(ctx), team_id=persona.team_id, persona_id=persona.id,
                         user_id=ctx.user_id)
        refresh.after_change(ctx, persona.id, refresh.origin(ctx.body))
        tell(ctx, t(ctx, "retired", name=persona.name))
    ack()


def handle_history(ack: Ack, ctx: RequestContext) -> None:
    persona = button_persona(ctx)
    view = modals.build_history(ctx.deps.prompts, persona=persona, revisions=store.list_revisions(
        ctx.db, team_id=persona.team_id, persona_id=persona.id, limit=modals.HISTORY_LIMIT + 1)) \
        if persona is not None else None
    ack()
    if view is not None:
        ctx.later(open_view, ctx, view)


def handle_suggest(ack: Ack, ctx: RequestContext) -> None:
    persona = button_persona(ctx)
    ack()
    if persona is not None:
        ctx.later(open_view, ctx, modals.build_suggest(ctx.deps.prompts, persona=persona))


def handle_suggest_submit(ack: Ack, ctx: RequestContext) -> None:
    text = ModalValues(ctx.view).text(ids.SUGGESTION_BLOCK)
    if not text:
        ack(response_action="errors", errors={ids.SUGGESTION_BLOCK: t(ctx, "error_suggestion_empty")})
        return
    value, view_id = ctx.private_metadata, str(ctx.view.get("id"))
    persona = store.get_persona(ctx.db, team_id=ctx.team_id, persona_id=number) \
        if (number := row_id(value)) else None
    if persona is None:
        ack()
        tell(ctx, t(ctx, "gone"))
        return
    if events.mark_processed(ctx.db, event_id=f"persona_suggest:{view_id}", team_id=ctx.team_id, now=ctx.now()):
        lifecycle.suggest(ctx.deps, lifecycle.in_request(ctx), persona=persona, user_id=ctx.user_id,
                          text=text[:2000])  # the same suggestion submitted twice: sent once
        suggestion_reply.queue(ctx, name=persona.name, owner_id=persona.owner_id, key=f"persona_suggest:{view_id}")
    ack()


def handle_evidence_button(ack: Ack, ctx: RequestContext) -> None:
    persona = button_persona(ctx)
    ack()
    if persona is not None:
        ctx.later(open_view, ctx, modals.build_evidence(ctx.deps.prompts, personas=[], chosen=persona, text="",
                                                        source={}, where=refresh.origin(ctx.body)))


def handle_evidence_shortcut(ack: Ack, ctx: RequestContext) -> None:
    personas = store.list_personas(ctx.db, team_id=ctx.team_id)
    ack()
    if not personas:
        ctx.later(open_view, ctx, modals.build_no_personas(ctx.deps.prompts))
        return
    message = ctx.body.get("message") or {}
    source = {"channel": ctx.channel_id or (ctx.body.get("channel") or {}).get("id", ""),
              "ts": message.get("ts") or ctx.body.get("message_ts", ""), "author": message.get("user") or ""}
    ctx.later(_open_evidence, ctx, personas, unescape_slack(message.get("text") or "")[:EVIDENCE_MAX], source)


def _open_evidence(ctx: RequestContext, personas: list[Persona], text: str, source: dict[str, str]) -> None:
    """After the ack: the message's permalink (a Slack call) rides in the modal to the submission."""
    source = {**source, "link": _permalink(ctx, source["channel"], source["ts"])}
    open_view(ctx, modals.build_evidence(ctx.deps.prompts, personas=personas, chosen=None, text=text, source=source))


def handle_evidence_submit(ack: Ack, ctx: RequestContext) -> None:
    form, meta = ModalValues(ctx.view), _meta(ctx.view)
    persona_id = meta.get("persona") or form.selected(ids.PERSONA_BLOCK)
    text, link = form.text(ids.EVIDENCE_TEXT_BLOCK), form.text(ids.EVIDENCE_LINK_BLOCK)
    errors = {}
    if not text:
        errors[ids.EVIDENCE_TEXT_BLOCK] = t(ctx, "error_evidence_empty")
    if row_id(str(persona_id or "")) is None:
        errors[ids.PERSONA_BLOCK] = t(ctx, "error_pick")
    if errors:
        ack(response_action="errors", errors=errors)
        return
    persona = store.get_persona(ctx.db, team_id=ctx.team_id, persona_id=int(persona_id))
    view_id = str(ctx.view.get("id"))
    if persona is None or persona.status != PersonaStatus.ACTIVE:
        ack()
        tell(ctx, t(ctx, "gone"))
        return
    stance, tested = _what_it_shows(form)
    if tested and tested not in assumptions.testable(persona):
        ack(response_action="errors", errors={ids.EVIDENCE_ASSUMPTION_BLOCK: ctx.deps.prompts.part(
            modals.TEMPLATE, "error_assumption_empty", name=persona.name,
            field=ctx.deps.prompts.part("personas/card", "title", key=tested))})
        return
    if meta.get("channel") and meta.get("ts"):
        source_key, link = f"{meta['channel']}:{meta['ts']}", str(meta.get("link") or "")
    else:
        source_key = "typed:" + hashlib.sha256(f"{text}\n{link}".encode()).hexdigest()[:32]
    row = lifecycle.add_evidence(ctx.deps, lifecycle.in_request(ctx), team_id=ctx.team_id, persona_id=persona.id,
                                 user_id=ctx.user_id, text=text[:EVIDENCE_MAX], permalink=link[:1000],
                                 author_id=meta.get("author") or "", source_key=source_key, stance=stance,
                                 assumption=tested)
    if row is None:
        dm(ctx, t(ctx, "evidence_duplicate", name=persona.name), f"persona_evidence:{view_id}:{row is None}")
    else:
        refresh.after_change(ctx, persona.id, meta.get("o"))
        count = persona_evidence.count_evidence(ctx.db, team_id=ctx.team_id, persona_ids=[persona.id])[persona.id]
        dm(ctx, t(ctx, "evidence_added", name=persona.name, count=count, stance=stance,
                  field=ctx.deps.prompts.part("personas/card", "title", key=tested) if tested else ""),
           f"persona_evidence:{view_id}:{row is None}")
    ack()


def _what_it_shows(form: ModalValues) -> tuple[EvidenceStance, str]:
    """(stance, assumption tested: a core field key, or "" for the persona as a whole)."""
    chosen = form.selected(ids.EVIDENCE_STANCE_BLOCK)
    stance = EvidenceStance(chosen) if chosen in tuple(EvidenceStance) else EvidenceStance.SUPPORTS
    tested = form.selected(ids.EVIDENCE_ASSUMPTION_BLOCK) or ""
    return stance, tested if tested in fields.CORE else ""


def _meta(view: dict[str, Any]) -> dict[str, Any]:
    try:
        meta = json.loads(view.get("private_metadata") or "{}")
    except ValueError:
        return {}
    return meta if isinstance(meta, dict) else {}


def _permalink(ctx: RequestContext, channel: str, ts: str) -> str:
    try:
        return ctx.client.chat_getPermalink(channel=channel, message_ts=ts).get("permalink") or ""
    except SlackApiError as exc:
        log.warning("no permalink for %s/%s: %s", channel, ts, exc.response.get("error"))
        return ""
