"""Pure builders for sticky notes: the add-note modal, the edit modal and the paged note list.

Authors are shown only when the session is not anonymous; in anonymous sessions nobody (the
facilitator included) sees them. The list is paged so a modal never exceeds 100 blocks.
"""

from __future__ import annotations

import math
from functools import lru_cache

from slack_sdk.models.blocks import (
    InputBlock,
    Option,
    OverflowMenuElement,
    PlainTextObject,
    StaticSelectElement,
)

from bot import blocks
from bot.empathy import ids, note_marks
from bot.empathy.agenda import areas_of
from bot.empathy.reveal_view import area_name
from bot.numbers import count, row_id
from prompts import Prompts
from storage.empathy_notes import VotedNote
from storage.models import EmpathySession
from storage.states import NoteBasis
from storage.text import clean_text

NOTES = "empathy/notes"
BASES = (NoteBasis.HEARD, NoteBasis.GUESS)
HEARD_FROM = note_marks.HEARD_FROM
NOTE_LIMIT = 3000
PAGE_SIZE = 20
LIST_TEXT_CHARS = 2500


def _t(prompts: Prompts, macro: str, **kw: object) -> str:
    return prompts.part(NOTES, macro, **kw)


def build_add_note_modal(prompts: Prompts, *, session: EmpathySession, quadrant: str) -> dict:
    """Everyone in a session opens the same modal (only the preselected area differs), so it is
    built and validated once per session, phase and area (`_add_note_modal`). Never mutate it."""
    areas = tuple((key, area_name(prompts, session, key)) for key in areas_of(session))
    return _add_note_modal(prompts, session.id, session.subject, session.anonymous, areas, quadrant)


@lru_cache(maxsize=256)
def _add_note_modal(prompts: Prompts, session_id: int, subject: str, anonymous: bool,
                    areas: tuple[tuple[str, str], ...], quadrant: str) -> dict:
    options = [Option(value=key, text=name) for key, name in areas]
    initial = next((o for o in options if o.value == quadrant), options[0])
    return blocks.modal(
        callback_id=ids.NOTE_MODAL, title=_t(prompts, "add_title"), submit=_t(prompts, "add_submit"),
        private_metadata=str(session_id),
        blocks=[
            blocks.section(_t(prompts, "add_intro", subject=subject, anonymous=anonymous)),
            InputBlock(block_id=ids.QUADRANT_BLOCK, label=PlainTextObject(text=_t(prompts, "section_label")),
                       element=StaticSelectElement(action_id="value", options=options,
                                                   initial_option=initial)),
            blocks.text_input(block_id=ids.NOTE_TEXT_BLOCK, label=_t(prompts, "text_label"), multiline=True,
                              placeholder=_t(prompts, "text_placeholder"), hint=_t(prompts, "text_hint"),
                              max_length=NOTE_LIMIT),
            *basis_inputs(prompts),
        ],
    )


def basis_inputs(prompts: Prompts, basis: NoteBasis = NoteBasis.UNMARKED, heard_from: str = "") -> list[InputBlock]:
    """Known or guessed (optional): heard from real people, and where; or a guess to check."""
    bases = [Option(value=b.value, text=_t(prompts, "basis_option", basis=b.value)) for b in BASES]
    sources = [Option(value=key, text=_t(prompts, "heard_from_option", source=key)) for key in HEARD_FROM]
    if heard_from and heard_from not in HEARD_FROM:  # typed in a thread reply: offered as it was written
        sources.append(Option(value=heard_from, text=blocks.clip(heard_from, 75)))
    return [
        InputBlock(block_id=ids.BASIS_BLOCK, label=PlainTextObject(text=_t(prompts, "basis_label")), optional=True,
                   element=StaticSelectElement(action_id="value", options=bases,
                                               initial_option=next((o for o in bases if o.value == basis), None),
                                               placeholder=PlainTextObject(text=_t(prompts, "basis_placeholder")))),
        InputBlock(block_id=ids.HEARD_FROM_BLOCK, label=PlainTextObject(text=_t(prompts, "heard_from_label")),
                   optional=True, hint=PlainTextObject(text=_t(prompts, "heard_from_hint")),
                   element=StaticSelectElement(action_id="value", options=sources,
                                               initial_option=next((o for o in sources if o.value == heard_from),
                                                                   None),
                                               placeholder=PlainTextObject(text=_t(prompts, "heard_from_label")))),
    ]


def read_basis(values: dict) -> tuple[NoteBasis, str]:
    """(basis, where heard) from a submitted note modal; a source alone means heard. A source typed
    in a thread reply comes back as its own option and is kept as written."""
    form = {key: ((values.get(key) or {}).get("value") or {}).get("selected_option") or {}
            for key in (ids.BASIS_BLOCK, ids.HEARD_FROM_BLOCK)}
    raw, source = form[ids.BASIS_BLOCK].get("value"), form[ids.HEARD_FROM_BLOCK].get("value")
    source = note_marks.source_of(source) if isinstance(source, str) else ""
    basis = NoteBasis(raw) if raw in {b.value for b in BASES} else (NoteBasis.HEARD if source else NoteBasis.UNMARKED)
    return basis, source if basis == NoteBasis.HEARD else ""


def build_edit_modal(prompts: Prompts, *, note_text: str, metadata: str, basis: NoteBasis = NoteBasis.UNMARKED,
                     heard_from: str = "") -> dict:
    return blocks.modal(
        callback_id=ids.NOTE_EDIT_MODAL, title=_t(prompts, "edit_title"), submit=_t(prompts, "edit_submit"),
        private_metadata=metadata,
        blocks=[blocks.text_input(block_id=ids.NOTE_TEXT_BLOCK, label=_t(prompts, "edit_label"),
                                  multiline=True, initial=note_text, max_length=NOTE_LIMIT),
                *basis_inputs(prompts, basis, heard_from)],
    )


def split_notes(text: str) -> list[str]:
    """One note per line that has something left once cleaned as it will be stored (a line of
    control characters only is dropped, not saved empty, and costs the others nothing)."""
    return [line.strip() for line in clean_text(text).splitlines() if line.strip()]


def note_errors(prompts: Prompts, lines: list[str], *, max_notes: int = 50) -> str | None:
    if not lines:
        return _t(prompts, "error_empty")
    longest = max(lines, key=len)
    if len(longest) > NOTE_LIMIT:
        return _t(prompts, "error_too_long", limit=NOTE_LIMIT, length=len(longest))
    if len(lines) > max_notes:
        return _t(prompts, "error_too_many", limit=max_notes)
    return None


def list_metadata(session_id: int, mine: bool, page: int) -> str:
    return f"{session_id}:{int(mine)}:{page}"


def parse_list_metadata(value: str) -> tuple[int, bool, int] | None:
    """(session, mine, page) from `list_metadata`; None for anything Slack would not echo back."""
    parts = value.split(":")
    if len(parts) != 3:
        return None
    session_id, mine, page = row_id(parts[0]), count(parts[1], limit=1), count(parts[2], limit=99_999)
    if session_id is None or mine is None or page is None:
        return None
    return session_id, mine == 1, page


def build_notes_modal(
    prompts: Prompts, *, session: EmpathySession, notes: list[VotedNote], viewer_id: str, mine: bool,
    page: int, editable: bool,
) -> dict:
    """The notes of a session (or the viewer's own), with a menu to edit/delete own notes and, for
    the facilitator, to hide or show notes."""
    pages = max(1, math.ceil(len(notes) / PAGE_SIZE))
    page = min(max(page, 1), pages)
    shown = notes[(page - 1) * PAGE_SIZE: page * PAGE_SIZE]
    out = [blocks.section(_t(prompts, "list_intro", subject=session.subject, count=len(notes), page=page,
                             pages=pages))]
    if not notes:
        out.append(blocks.section(_t(prompts, "list_empty", mine=mine)))
    facilitator = viewer_id == session.facilitator_id
    for note in shown:
        menu = []
        if editable and note.author_id == viewer_id:
            menu += [Option(value=f"edit:{note.id}", text=_t(prompts, "menu_edit")),
                     Option(value=f"delete:{note.id}", text=_t(prompts, "menu_delete"))]
        if editable and facilitator:
            action = "unhide" if note.hidden else "hide"
            menu.append(Option(value=f"{action}:{note.id}", text=_t(prompts, f"menu_{action}")))
        authors = [] if session.anonymous else list(note.authors or (note.author_id,))
        text = _t(prompts, "note_line", section=area_name(prompts, session, note.quadrant), votes=note.votes,
                  text=blocks.clip(note.text, LIST_TEXT_CHARS), authors=authors, hidden=note.hidden,
                  basis=note.basis.value, heard_from=note.heard_from,
                  members=[blocks.clip(m, 200) for m in note.members[:5]], more=max(0, len(note.members) - 5))
        accessory = OverflowMenuElement(action_id=ids.NOTE_MENU, options=menu) if menu else None
        out.append(blocks.section(text, block_id=f"note:{note.id}", accessory=accessory))
    paging = []
    if page > 1:
        paging.append(blocks.button(_t(prompts, "previous"), ids.NOTES_PAGE,
                                    value=list_metadata(session.id or 0, mine, page - 1)))
    if page < pages:
        paging.append(blocks.button(_t(prompts, "next"), f"{ids.NOTES_PAGE}_next",
                                    value=list_metadata(session.id or 0, mine, page + 1)))
    if paging:
        out.append(blocks.actions(*paging, block_id="paging"))
    return blocks.modal(callback_id=ids.NOTES_MODAL, title=_t(prompts, "list_title", mine=mine),
                        close=_t(prompts, "list_close"),
                        private_metadata=list_metadata(session.id or 0, mine, page), blocks=out)
