"""Edit and create by form: the Edit button, `/persona form`, and the modal's submission.

The submission is validated in full before anything is stored (inline errors, nothing lost),
permission is checked again on submit (the button may be old), and the edit is a
compare-and-set on the version the form was opened at, so a concurrent edit is never overwritten.
"""

from __future__ import annotations

from typing import Any

from slack_bolt import Ack, App
from slack_sdk import WebClient

from bot.commands import CommandCall
from bot.deps import Deps
from bot.personas import cards, form, ids, lifecycle, refresh
from storage import events, persona_evidence
from storage import personas as store

FLOW = "personas/flow"
REPLIES = "personas/replies"


def register(app: App, deps: Deps) -> None:
    def handle_form_command(call: CommandCall) -> None:
        call.ack()
        call.client.views_open(trigger_id=call.trigger_id, view=form.build_form(
            deps.prompts, persona=None, owner_id=call.user_id, cadence_days=deps.settings.review_cadence_days))

    def handle_submission(ack: Ack, body: dict[str, Any], client: WebClient) -> None:
        team_id, user_id = body["team"]["id"], body["user"]["id"]
        view = body["view"]
        meta = form.metadata(view)
        values, errors = form.read_form(deps.prompts, view, me=user_id)
        persona_id = meta.get("id")
        if "name" in values and store.name_taken(deps.engine, team_id=team_id, name=values["name"],
                                                 except_id=persona_id):
            errors["name"] = deps.prompts.part(FLOW, "error_name_taken", name=values["name"])
        if persona_id is None:
            if errors:
                ack(response_action="errors", errors=errors)
                return
            ack()
            if not events.claim_event(deps.engine, event_id=f"persona_form:{view['id']}", team_id=team_id,
                                      now=deps.clock.now()):
                return  # the same form submitted twice (a retry): created once
            persona = lifecycle.create(deps, team_id=team_id, user_id=user_id, values=values)
            _send_card(deps, client, user_id, persona, deps.prompts.part(FLOW, "saved", name=persona.name))
            return
        persona = store.get_persona(deps.engine, team_id=team_id, persona_id=persona_id)
        if persona is None or persona.status != "active" or not lifecycle.may_manage(deps, persona, user_id):
            owner = persona.owner_id if persona is not None else ""
            ack(response_action="errors", errors={"name": deps.prompts.part(FLOW, "error_not_allowed", owner=owner)})
            return
        if values.get("kind") == "validated" and persona.kind != "validated" and not persona_evidence.count_evidence(
                deps.engine, team_id=team_id, persona_ids=[persona_id]).get(persona_id):
            errors["kind"] = deps.prompts.part(FLOW, "error_validated_needs_evidence")
        if persona.version != meta.get("v"):
            errors["name"] = deps.prompts.part(FLOW, "error_stale")
        if errors:
            ack(response_action="errors", errors=errors)
            return
        ack()  # before the change: its announcements (governance, Home) may call Slack
        done = lifecycle.edit(deps, team_id=team_id, persona_id=persona_id, expected_version=meta.get("v", 0),
                              values=values, user_id=user_id, note=form.note(view))
        if done is None:  # another edit landed between the check and the write
            client.chat_postMessage(channel=user_id, text=deps.prompts.part(FLOW, "error_stale"))
            return
        if done.changes:
            refresh.follow(deps, client, team_id=team_id, persona_id=persona_id, where=meta.get("o"))
        key = "saved" if done.changes else "unchanged"
        text = deps.prompts.part(REPLIES, key, name=done.persona.name, version=done.persona.version)
        _send_card(deps, client, user_id, done.persona, text)

    app.view(ids.FORM_MODAL)(handle_submission)
    deps.commands.add("/persona", "form", handle_form_command, summary=deps.prompts.part(REPLIES, "help_form"))


def _send_card(deps: Deps, client: WebClient, user_id: str, persona: Any, intro: str) -> None:
    """The saved card in the person's DM (the modal is gone; the DM is where they see it).

    Later changes rewrite it without the intro: "saved (version 2)" would be wrong by then."""
    posted = client.chat_postMessage(channel=user_id, **cards.card(deps, persona, shareable=False, intro=intro))
    refresh.remember(deps, team_id=persona.team_id, persona_id=persona.id,
                     where={"c": posted["channel"], "ts": posted["ts"]})
