"""Pure builders for silent writing: what the board may show, and the notes a closed section
reveals in the thread with a question to discuss.

Silent writing (the default): while a section is open the board counts notes and writers but
shows no note, so the first notes do not sway everyone after; when the section closes, its notes
go to the thread. Vote totals stay hidden until the vote closes. A live session shows everything
as it comes, as the board always did.
"""

from __future__ import annotations

from dataclasses import replace

from bot import blocks
from bot.empathy.agenda import Phase, PhaseKind, of_session, phase_at
from prompts import Prompts
from storage.empathy_notes import VotedNote
from storage.models import EmpathySession

REVEAL = "empathy/reveal"
REVEAL_NOTES = 20
REVEAL_NOTE_CHARS = 280


def area_name(prompts: Prompts, session: EmpathySession, key: str) -> str:
    """A note area's name; inside a phase of several areas (Gray's *Think and feel*) its own."""
    for phase in of_session(session):
        if key in phase.areas and len(phase.areas) > 1:
            return prompts.part("empathy/phases", "inner_name", phase=phase.key, key=key)
    return prompts.part("empathy/phases", "name", key=key)


def revealed_areas(session: EmpathySession) -> set[str] | None:
    """The note areas whose notes anyone may read now; None: all of them."""
    agenda = of_session(session)
    current = phase_at(agenda, session.phase_index)
    if session.live_notes or not session.status.live or not current.kind.writing:
        return None
    return {area for phase in agenda[:session.phase_index] if phase.kind == PhaseKind.SECTION
            for area in phase.areas}


def votes_visible(session: EmpathySession) -> bool:
    """Running totals sway the vote: a silent session shows them once the vote is over."""
    if session.live_notes or not session.status.live:
        return True
    return phase_at(of_session(session), session.phase_index).kind == PhaseKind.WRAPUP


def visible_to(session: EmpathySession, notes: list[VotedNote], viewer: str) -> list[VotedNote]:
    """A person's view of the notes now: the facilitator (who may moderate before sharing) and
    each author see their own; everything else waits for its section to close."""
    areas = revealed_areas(session)
    if areas is not None and viewer != session.facilitator_id:
        notes = [n for n in notes if n.quadrant in areas or n.author_id == viewer]
    if not votes_visible(session):
        notes = [_without_votes(n) for n in notes]
    return notes


def _without_votes(note: VotedNote) -> VotedNote:
    return replace(note, votes=0)


def build_reveal(prompts: Prompts, *, session: EmpathySession, phase: Phase,
                 notes: list[VotedNote]) -> tuple[str, list[dict]]:
    """(fallback text, blocks): a closed section's notes and a question to talk about."""
    def t(macro: str, **kw: object) -> str:
        return prompts.part(REVEAL, macro, **kw)

    name = prompts.part("empathy/phases", "name", key=phase.key)
    mine = [n for n in notes if n.quadrant in phase.areas]
    writers = len({author for n in mine for author in (n.authors or (n.author_id,))})
    out = [blocks.section(t("heading", name=name, count=len(mine), writers=writers, key=phase.key))]
    for area in phase.areas:
        area_notes = [n for n in mine if n.quadrant == area]
        if not area_notes:
            continue
        shown = [blocks.clip(n.text, REVEAL_NOTE_CHARS) for n in area_notes[:REVEAL_NOTES]]
        title = area_name(prompts, session, area) if len(phase.areas) > 1 else ""
        out.append(blocks.section(blocks.clip(t("notes", title=title, notes=shown,
                                                more=len(area_notes) - len(shown)), blocks.SECTION_TEXT)))
    return t("fallback", name=name, count=len(mine)), blocks.message_blocks(out)
