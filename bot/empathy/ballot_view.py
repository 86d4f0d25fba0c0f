"""Pure builder for the private ballot: a modal with 0-3 votes per note, paged past 80 notes.

A ballot is the participant's whole choice for the notes on the page, so submitting it again
(a retry, a double click, a change of mind) sets the same or a new state, never adds votes.
"""

from __future__ import annotations

import math

from slack_sdk.models.blocks import InputBlock, Option, PlainTextObject, StaticSelectElement

from bot import blocks
from bot.empathy import ids
from prompts import Prompts
from storage.empathy_notes import VotedNote
from storage.models import EmpathySession

BALLOT = "empathy/ballot"
PAGE_SIZE = 80
LABEL_CHARS = 200


def page_of(notes: list[VotedNote], page: int) -> tuple[list[VotedNote], int, int]:
    pages = max(1, math.ceil(len(notes) / PAGE_SIZE))
    page = min(max(page, 1), pages)
    return notes[(page - 1) * PAGE_SIZE: page * PAGE_SIZE], page, pages


def build_ballot(
    prompts: Prompts, *, session: EmpathySession, notes: list[VotedNote], ballot: dict[int, int],
    page: int, per_note: int,
) -> dict:
    """Everyone opens a ballot at once when the vote starts, so this is on the hot path: one note's
    input is built and validated with slack_sdk's models, the others are copies of it (same
    element, own block id, clipped label, own initial option)."""
    macros = prompts.env.get_template(f"{BALLOT}.j2").make_module()
    names = {key: prompts.part("empathy/phases", "name", key=key) for key in {n.quadrant for n in notes}}

    def t(macro: str, **kw: object) -> str:
        return str(getattr(macros, macro)(**kw)).strip()

    shown, page, pages = page_of(notes, page)
    elsewhere = sum(count for note_id, count in ballot.items() if note_id not in {n.id for n in shown})
    head = [blocks.section(t("intro", subject=session.subject, votes=session.votes_per_person,
                             per_note=per_note, page=page, pages=pages))]
    if elsewhere:
        head.append(blocks.context(t("elsewhere", count=elsewhere)))
    if not notes:
        head.append(blocks.section(t("no_notes")))
    options = [Option(value=str(count), text=t("option", count=count)) for count in range(per_note + 1)]
    model = InputBlock(block_id=f"{ids.VOTE_BLOCK_PREFIX}0", label=PlainTextObject(text="-"),
                       element=StaticSelectElement(action_id="value", options=options,
                                                   initial_option=options[0])).to_dict()
    chosen = [option.to_dict() for option in options]
    inputs = []
    for note in shown:
        label = blocks.clip(t("note_label", section=names[note.quadrant], text=note.text), LABEL_CHARS)
        element = {**model["element"], "initial_option": chosen[min(ballot.get(note.id, 0), per_note)]}
        inputs.append({**model, "block_id": f"{ids.VOTE_BLOCK_PREFIX}{note.id}",
                       "label": {"type": "plain_text", "text": label}, "element": element})
    paging = []
    if page > 1:
        paging.append(blocks.button(t("previous"), ids.BALLOT_PAGE, value=f"{session.id}:{page - 1}"))
    if page < pages:
        paging.append(blocks.button(t("next"), f"{ids.BALLOT_PAGE}_next", value=f"{session.id}:{page + 1}"))
    tail = [blocks.actions(*paging, block_id="paging")] if paging else []
    view = blocks.modal(callback_id=ids.BALLOT_MODAL, title=t("title"), submit=t("submit") if notes else None,
                        close=t("close"), private_metadata=f"{session.id}:{page}", blocks=[*head, *tail])
    view["blocks"][len(head):len(head)] = inputs
    if len(view["blocks"]) > blocks.VIEW_BLOCKS:
        raise blocks.BlockLimitError(f"{len(view['blocks'])} blocks in the ballot")
    return view


def read_ballot(values: dict, per_note: int) -> dict[int, int]:
    """`{note_id: votes}` from a submitted ballot's state values."""
    votes: dict[int, int] = {}
    for block_id, actions in values.items():
        if not block_id.startswith(ids.VOTE_BLOCK_PREFIX):
            continue
        option = (actions.get("value") or {}).get("selected_option") or {}
        try:
            count = int(option.get("value") or 0)
            note_id = int(block_id.removeprefix(ids.VOTE_BLOCK_PREFIX))
        except ValueError:
            continue
        votes[note_id] = min(max(count, 0), per_note)
    return votes
