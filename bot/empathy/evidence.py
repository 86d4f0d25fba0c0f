"""Heard notes to persona evidence, in one click from the summary.

What the team heard from real people (an interview, a ticket, a call) is evidence, not an
assumption: it goes to the session's persona through the personas feature (its evidence storage,
revision, card refresh and review follow-ups), once per note however often the button is pressed.
"""

from __future__ import annotations

from slack_bolt import Ack

from bot.empathy.interaction import load, t, tell
from bot.personas import lifecycle
from bot.request_context import RequestContext
from storage import empathy as store
from storage import empathy_notes as notes_store

SUMMARY = "empathy/summary"


def handle_heard_to_evidence(ack: Ack, ctx: RequestContext) -> None:
    def say(macro: str, **kw: object) -> str:
        return ctx.deps.prompts.part(SUMMARY, macro, **kw)

    session, _ = load(ctx)
    if session is None:
        ack()
        tell(ctx, t(ctx, "session_over"))
        return
    persona = store.persona_for_session(ctx.db, team_id=session.team_id, session=session)
    if persona is None:
        answer = say("evidence_no_persona")
    elif ctx.user_id != session.facilitator_id and not lifecycle.may_manage(ctx.deps, persona, ctx.user_id):
        answer = say("evidence_not_allowed", facilitator=session.facilitator_id)
    else:
        work, added = lifecycle.in_request(ctx), 0
        for note in notes_store.list_heard_notes(ctx.db, team_id=session.team_id, session_id=session.id):
            added += lifecycle.add_evidence(
                ctx.deps, work, team_id=session.team_id, persona_id=persona.id, user_id=ctx.user_id,
                text=say("evidence_text", text=note.text, heard_from=note.heard_from, subject=session.subject),
                permalink="", author_id="" if session.anonymous else note.author_id,
                source_key=f"empathy-note:{note.id}") is not None
        answer = (say("evidence_added", count=added, persona=persona.name) if added
                  else say("evidence_none_new", persona=persona.name))
    ack()
    tell(ctx, answer)
