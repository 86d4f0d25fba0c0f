"""The empathy wrap-up's "Link notes to a journey" (the button: `ids.LINK_NOTES`, value = the
session id): pick the journey, then every top-voted note is offered with a stage to choose (or
none) in one modal; linked notes appear on their stage under the session's persona."""

from __future__ import annotations

import json
from typing import Any

from slack_bolt import Ack
from slack_sdk.models.blocks import InputBlock, Option, StaticSelectElement
from slack_sdk.models.blocks.basic_components import PlainTextObject

from bot import blocks
from bot.journeys import changes, ids, lookup, modals, note_linking
from bot.modal_values import ModalValues
from bot.numbers import row_id
from bot.private_reply import tell_user
from bot.request_context import RequestContext
from prompts import Prompts
from storage import empathy_notes
from storage import journey_links as links
from storage import journeys as store
from storage.journey_models import Journey, Stage

NOTES = "journeys/notes"
ALL, ONE_BY_ONE = "all", "one"  # every top-voted note in one modal, or one note per step
NOTES_OFFERED = 20  # the top-voted notes of the session: 20 selects and a context fit a modal


def handle_link_notes(ack: Ack, ctx: RequestContext) -> None:
    summaries, _ = store.list_summaries(ctx.db, team_id=ctx.team_id, limit=100)
    prompts = ctx.deps.prompts
    if not summaries or row_id(ctx.value) is None:
        view = modals.build_info(prompts, prompts.part(modals.MODALS, "no_journeys"))
    else:
        view = blocks.modal(callback_id=ids.LINK_NOTES_PICK_MODAL, title=prompts.part(modals.MODALS, "link_title"),
                            submit=prompts.part(modals.MODALS, "next"), close=prompts.part(modals.MODALS, "cancel"),
                            private_metadata=ctx.value, blocks=[modals.select(
                                ids.JOURNEY_BLOCK, prompts.part(modals.MODALS, "journey"),
                                [(str(s.id), s.name) for s in summaries]), modals.select(
                                ids.HOW_BLOCK, prompts.part(NOTES, "how"),
                                [(ALL, prompts.part(NOTES, "how_all")), (ONE_BY_ONE, prompts.part(NOTES, "how_one"))],
                                initial=ALL, optional=True)])
    ack()
    ctx.later(lookup.open_modal, ctx, view)


def build_notes_modal(prompts: Prompts, *, journey: Journey, stages: list[Stage], session_id: int,
                      notes: list[tuple[int, str]]) -> dict:
    options = [Option(value=str(s.id), text=PlainTextObject(text=blocks.clip(f"{i}. {s.name}", 75)))
               for i, s in enumerate(stages, start=1)]
    rows: list[Any] = [blocks.context(prompts.part("journeys/notes", "intro", name=journey.name))]
    for note_id, text in notes[:NOTES_OFFERED]:
        rows.append(InputBlock(block_id=f"{ids.NOTE_PREFIX}{note_id}", optional=True,
                               label=PlainTextObject(text=blocks.clip(text, 150)),
                               element=StaticSelectElement(action_id="value", options=options,
                                                           placeholder=PlainTextObject(text=prompts.part(
                                                               "journeys/notes", "skip")))))
    return blocks.modal(callback_id=ids.LINK_NOTES_MODAL, title=prompts.part(modals.MODALS, "link_title"),
                        blocks=rows, submit=prompts.part(modals.MODALS, "link_submit"),
                        close=prompts.part(modals.MODALS, "cancel"),
                        private_metadata=json.dumps({"j": journey.id, "s": session_id}))


def handle_pick_journey(ack: Ack, ctx: RequestContext) -> None:
    journey = lookup.by_value(ctx, ModalValues(ctx.view).selected(ids.JOURNEY_BLOCK) or "")
    session_id = row_id(ctx.private_metadata) or 0
    prompts = ctx.deps.prompts
    voted = [n for n in empathy_notes.list_voted_notes(ctx.db, team_id=ctx.team_id, session_id=session_id)
             if not n.hidden]
    if journey is None or not voted:
        ack(response_action="update", view=modals.build_info(prompts, prompts.part("journeys/notes", "nothing")))
        return
    voted.sort(key=lambda n: (-n.votes, n.id))
    stages = store.list_stages(ctx.db, team_id=ctx.team_id, journey_id=journey.id)
    if ModalValues(ctx.view).selected(ids.HOW_BLOCK) == ONE_BY_ONE:
        ack(response_action="update", view=note_linking.build_step(
            prompts, journey=journey, stages=stages, session_id=session_id,
            notes=[(n.id, n.text, n.votes) for n in voted[:NOTES_OFFERED]], index=0, linked=0))
        return
    ack(response_action="update", view=build_notes_modal(prompts, journey=journey, stages=stages,
                                                         session_id=session_id,
                                                         notes=[(n.id, n.text) for n in voted]))


def handle_link_submission(ack: Ack, ctx: RequestContext) -> None:
    try:
        state = json.loads(ctx.private_metadata)
        journey, session_id = lookup.by_value(ctx, str(state["j"])), int(state["s"])
    except (ValueError, KeyError, TypeError):
        journey, session_id = None, 0
    form = ModalValues(ctx.view)
    values = ctx.view.get("state", {}).get("values", {})
    picked = {row_id(block.removeprefix(ids.NOTE_PREFIX)): row_id(form.selected(block) or "")
              for block in values if block.startswith(ids.NOTE_PREFIX)}
    chosen = {note: stage for note, stage in picked.items() if note and stage}
    added = 0
    if journey is not None and chosen:
        added = links.link_notes(ctx.db, journey=journey, session_id=session_id, links=chosen, by=ctx.user_id,
                                 now=ctx.now())
        if added:
            changes.changed(ctx, journey, detail="notes")
    ack()
    if journey is not None:
        ctx.later(tell_user, ctx.body, ctx.client, ctx.deps.prompts.part(lookup.REPLIES, "linked", name=journey.name,
                                                                         count=added), user=ctx.user_id)
