"""Pure builder for the private ballot: a modal with 0-3 votes per note, paged past 80 notes.

A ballot is the participant's whole choice for the notes on the page, so submitting it again
(a retry, a double click, a change of mind) sets the same or a new state, never adds votes.
"""

from __future__ import annotations

import math
from functools import lru_cache
from typing import NamedTuple

from slack_sdk.models.blocks import InputBlock, Option, PlainTextObject, StaticSelectElement

from bot import blocks
from bot.empathy import ids
from bot.empathy.reveal_view import area_name
from bot.numbers import count, row_id
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
    """Everyone opens a ballot at once when the vote starts, so this is on the hot path (and it
    competes with everyone's acks for the GIL): the page's blocks are built and validated once per
    session, page and notes (`_page_blocks`, cached); a request only copies the inputs whose
    initial option is the voter's own and adds the note about votes on other pages."""
    shown, page, pages = page_of(notes, page)
    names = tuple(sorted((key, area_name(prompts, session, key)) for key in {n.quadrant for n in shown}))
    base = _page_blocks(prompts, session.id, session.subject, session.votes_per_person, per_note, page, pages,
                        tuple((n.id, n.quadrant, n.text) for n in shown), bool(notes), names)
    on_page = {n.id for n in shown}
    elsewhere = sum(count for note_id, count in ballot.items() if note_id not in on_page)
    head = list(base.head)
    if elsewhere:
        head.insert(1, blocks.context(_t(prompts, "elsewhere", count=elsewhere)).to_dict())
    inputs = []
    for note_id, block in base.inputs:
        count = min(ballot.get(note_id, 0), per_note)
        if count:
            block = {**block, "element": {**block["element"], "initial_option": base.chosen[count]}}
        inputs.append(block)
    view = {**base.view, "private_metadata": ballot_metadata(session.id, page, elsewhere),
            "blocks": [*head, *inputs, *base.tail]}
    if len(view["blocks"]) > blocks.VIEW_BLOCKS:
        raise blocks.BlockLimitError(f"{len(view['blocks'])} blocks in the ballot")
    return view


class _PageBlocks(NamedTuple):
    view: dict  # the modal without its blocks
    head: tuple[dict, ...]  # intro (and "no notes")
    inputs: tuple[tuple[int, dict], ...]  # (note id, its input with no vote chosen)
    tail: tuple[dict, ...]  # paging buttons
    chosen: tuple[dict, ...]  # the options, by vote count


def _t(prompts: Prompts, macro: str, **kw: object) -> str:
    return prompts.part(BALLOT, macro, **kw)


@lru_cache(maxsize=64)
def _page_blocks(prompts: Prompts, session_id: int, subject: str, votes: int, per_note: int, page: int,
                 pages: int, shown: tuple[tuple[int, str, str], ...], any_notes: bool,
                 area_names: tuple[tuple[str, str], ...]) -> _PageBlocks:
    """One note's input is built and validated with slack_sdk's models, the others are copies of
    it (same element, own block id, clipped label). Never mutate what this returns."""
    macros = prompts.env.get_template(f"{BALLOT}.j2").make_module()
    names = dict(area_names)  # each area as the session's canvas names it (Gray's Think and feel has three)

    def t(macro: str, **kw: object) -> str:
        return str(getattr(macros, macro)(**kw)).strip()

    head = [blocks.section(t("intro", subject=subject, votes=votes, per_note=per_note, page=page, pages=pages))]
    if not any_notes:
        head.append(blocks.section(t("no_notes")))
    options = [Option(value=str(count), text=t("option", count=count)) for count in range(per_note + 1)]
    model = InputBlock(block_id=f"{ids.VOTE_BLOCK_PREFIX}0", label=PlainTextObject(text="-"),
                       element=StaticSelectElement(action_id="value", options=options,
                                                   initial_option=options[0])).to_dict()
    chosen = tuple(option.to_dict() for option in options)
    inputs = []
    for note_id, quadrant, text in shown:
        label = blocks.clip(t("note_label", section=names[quadrant], text=text), LABEL_CHARS)
        element = {**model["element"], "initial_option": chosen[0]}
        inputs.append((note_id, {**model, "block_id": f"{ids.VOTE_BLOCK_PREFIX}{note_id}",
                                 "label": {"type": "plain_text", "text": label}, "element": element}))
    paging = []
    if page > 1:
        paging.append(blocks.button(t("previous"), ids.BALLOT_PAGE, value=f"{session_id}:{page - 1}"))
    if page < pages:
        paging.append(blocks.button(t("next"), f"{ids.BALLOT_PAGE}_next", value=f"{session_id}:{page + 1}"))
    tail = [blocks.actions(*paging, block_id="paging")] if paging else []
    view = blocks.modal(callback_id=ids.BALLOT_MODAL, title=t("title"), submit=t("submit") if any_notes else None,
                        close=t("close"), private_metadata=f"{session_id}:{page}", blocks=[*head, *tail])
    built = view["blocks"]
    return _PageBlocks(view={**view, "blocks": []}, head=tuple(built[:len(head)]), inputs=tuple(inputs),
                       tail=tuple(built[len(head):]), chosen=chosen)


def ballot_metadata(session_id: int, page: int, elsewhere: int) -> str:
    """`session:page:votes on other pages`, so a submission can be checked against the budget
    without the database while everyone waits for their ack (the save checks again)."""
    return f"{session_id}:{page}:{elsewhere}"


def votes_elsewhere(metadata: str) -> int | None:
    """The votes on other pages when the page was shown; None for a ballot from before they were sent."""
    parts = metadata.split(":")
    return count(parts[2], limit=99_999) if len(parts) == 3 else None


def read_ballot(values: dict, per_note: int) -> dict[int, int]:
    """`{note_id: votes}` from a submitted ballot's state values."""
    votes: dict[int, int] = {}
    for block_id, actions in values.items():
        if not block_id.startswith(ids.VOTE_BLOCK_PREFIX):
            continue
        option = (actions.get("value") or {}).get("selected_option") or {}
        chosen = count(option.get("value") or "0")
        note_id = row_id(block_id.removeprefix(ids.VOTE_BLOCK_PREFIX))
        if chosen is None or note_id is None:
            continue
        votes[note_id] = min(chosen, per_note)
    return votes


def build_saved(prompts: Prompts, *, spent: int, votes: int) -> dict:
    """What the ballot becomes once saved: the count, and how to change it (no second call to
    Slack: it is the answer to the submission itself)."""
    return blocks.modal(callback_id=ids.BALLOT_SAVED_MODAL, title=_t(prompts, "saved_title"),
                        close=_t(prompts, "close"),
                        blocks=[blocks.section(_t(prompts, "saved", spent=spent, votes=votes)),
                                blocks.context(_t(prompts, "saved_hint"))])
