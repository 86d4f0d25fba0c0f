"""Linking a session's top-voted notes one at a time (the wrap-up's "Link notes to a journey",
"One note at a time"): each step shows one note with a stage to choose or leave empty (skip).

Each submission links its note before the ack and answers with the next step (`update`), so a
closed modal keeps what was linked so far. The notes offered travel in `private_metadata` as
ids (the note's text is read again at each step), with the position and the count linked.
"""

from __future__ import annotations

import json

from slack_bolt import Ack
from slack_sdk.models.blocks import InputBlock, Option, StaticSelectElement
from slack_sdk.models.blocks.basic_components import PlainTextObject

from bot import blocks
from bot.journeys import changes, ids, lookup, modals
from bot.modal_values import ModalValues
from bot.numbers import row_id
from bot.request_context import RequestContext
from prompts import Prompts
from storage import empathy_notes
from storage import journey_links as links
from storage import journeys as store
from storage.journey_models import Journey, Stage

NOTES = "journeys/notes"


def build_step(prompts: Prompts, *, journey: Journey, stages: list[Stage], session_id: int,
               notes: list[tuple[int, str, int]], index: int, linked: int) -> dict:
    """The modal for note `index` of `notes` ((id, text, votes), the top-voted first)."""
    def t(macro: str, **kw: object) -> str:
        return prompts.part(NOTES, macro, **kw)

    note_id, text, votes = notes[index]
    options = [Option(value=str(s.id), text=PlainTextObject(text=blocks.clip(f"{i}. {s.name}", 75)))
               for i, s in enumerate(stages, start=1)]
    metadata = {"j": journey.id, "s": session_id, "n": [n for n, _, _ in notes], "i": index, "l": linked}
    last = index + 1 == len(notes)
    return blocks.modal(callback_id=ids.LINK_NOTES_STEP_MODAL, title=t("step_title"),
                        submit=t("finish" if last else "next"), close=prompts.part(modals.MODALS, "cancel"),
                        private_metadata=json.dumps(metadata, separators=(",", ":")), blocks=[
        blocks.context(t("step_intro", name=journey.name, number=index + 1, total=len(notes), linked=linked)),
        blocks.section(blocks.clip(t("step_note", text=text, votes=votes), 2900)),
        InputBlock(block_id=f"{ids.NOTE_PREFIX}{note_id}", optional=True,
                   label=PlainTextObject(text=prompts.part(modals.MODALS, "stage")),
                   element=StaticSelectElement(action_id="value", options=options,
                                               placeholder=PlainTextObject(text=t("skip")))),
    ])


def handle_step(ack: Ack, ctx: RequestContext) -> None:
    """Link this step's note (when a stage was chosen), then show the next note or the result."""
    prompts = ctx.deps.prompts
    try:
        state = json.loads(ctx.private_metadata)
        journey = lookup.by_value(ctx, str(state["j"]))
        session_id, note_ids, index, linked = int(state["s"]), [int(n) for n in state["n"]], int(state["i"]), \
            int(state["l"])
    except (ValueError, KeyError, TypeError):
        journey, note_ids, index, linked, session_id = None, [], 0, 0, 0
    if journey is None or not 0 <= index < len(note_ids):
        ack(response_action="update", view=modals.build_info(prompts, prompts.part(NOTES, "nothing")))
        return
    chosen = ModalValues(ctx.view).selected(f"{ids.NOTE_PREFIX}{note_ids[index]}") or ""
    if (stage_id := row_id(chosen)):
        added = links.link_notes(ctx.db, journey=journey, session_id=session_id, links={note_ids[index]: stage_id},
                                 by=ctx.user_id, now=ctx.now())
        if added:
            linked += added
            changes.changed(ctx, journey, detail="notes")
    if index + 1 >= len(note_ids):
        ack(response_action="update", view=modals.build_info(prompts, prompts.part(NOTES, "done", name=journey.name,
                                                                                    linked=linked)))
        return
    voted = {n.id: n for n in empathy_notes.list_voted_notes(ctx.db, team_id=ctx.team_id, session_id=session_id)}
    notes = [(n, voted[n].text, voted[n].votes) for n in note_ids if n in voted]
    position = next((i for i, (n, _, _) in enumerate(notes) if n == note_ids[index + 1]), None)
    if position is None:
        ack(response_action="update", view=modals.build_info(prompts, prompts.part(NOTES, "done", name=journey.name,
                                                                                    linked=linked)))
        return
    ack(response_action="update", view=build_step(
        prompts, journey=journey, stages=store.list_stages(ctx.db, team_id=ctx.team_id, journey_id=journey.id),
        session_id=session_id, notes=notes, index=position, linked=linked))
