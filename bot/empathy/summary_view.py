"""Pure builders for the wrap-up: the summary message and the canvas sections."""

from __future__ import annotations

from dataclasses import dataclass

from slack_sdk.models.blocks import ConfirmObject, PlainTextObject

from bot import blocks
from bot.empathy import ids
from bot.empathy.agenda import PhaseKind, areas_of, of_session
from bot.empathy.reveal_view import area_name
from bot.journeys import ids as journey_ids
from bot.render.empathy_canvas import CanvasArea, CanvasSection
from prompts import Prompts
from storage.empathy_notes import VotedNote
from storage.models import EmpathySession

SUMMARY = "empathy/summary"
TOP_PER_SECTION = 3
GUESSES_FIRST = 5
SUMMARY_NOTE_CHARS = 300


@dataclass(frozen=True)
class Outcome:
    session: EmpathySession
    notes: list[VotedNote]
    participants: list[str]
    minutes: int


def by_section(session: EmpathySession, notes: list[VotedNote]) -> dict[str, list[VotedNote]]:
    grouped: dict[str, list[VotedNote]] = {key: [] for key in areas_of(session)}
    for note in notes:
        if note.quadrant in grouped:
            grouped[note.quadrant].append(note)
    return grouped


def build_summary(prompts: Prompts, outcome: Outcome) -> list[dict]:
    """Top notes per section; shorter quotes when escaped user text would make it too long."""
    for chars in (SUMMARY_NOTE_CHARS, 120, 40):
        try:
            return _build(prompts, outcome, chars)
        except blocks.BlockLimitError:
            if chars == 40:
                raise
    raise AssertionError("unreachable")


def _build(prompts: Prompts, outcome: Outcome, chars: int) -> list[dict]:
    def t(macro: str, **kw: object) -> str:
        return prompts.part(SUMMARY, macro, **kw)

    def name(key: str) -> str:
        return area_name(prompts, outcome.session, key)

    session = outcome.session
    out = [
        blocks.header(t("heading", subject=session.subject)),
        blocks.context(t("stats", notes=len(outcome.notes), participants=len(outcome.participants),
                         minutes=outcome.minutes, votes=sum(n.votes for n in outcome.notes))),
        *([blocks.context(t("success", text=blocks.clip(session.success, 500)))] if session.success else []),
    ]
    for key, notes in by_section(session, outcome.notes).items():
        top = [(blocks.clip(n.text, chars), n.votes) for n in notes[:TOP_PER_SECTION]]
        out.append(blocks.section(t("section", name=name(key), count=len(notes), notes=top)
                                  if notes else t("empty_section", name=name(key))))
    guesses = [(blocks.clip(n.text, chars), n.votes) for n in outcome.notes if n.guess][:GUESSES_FIRST]
    if guesses:
        out.append(blocks.section(t("check_first", notes=guesses)))
    heard = [n for n in outcome.notes if n.heard]
    if outcome.participants and not session.anonymous:
        out.append(blocks.context(t("participants", users=outcome.participants[:30],
                                    more=max(0, len(outcome.participants) - 30))))
    out.append(blocks.context(t("hypothesis", heard=len(heard), guesses=sum(1 for n in outcome.notes if n.guess),
                                total=len(outcome.notes))))
    evidence = [blocks.button(t("evidence_button", count=len(heard)), ids.HEARD_TO_EVIDENCE, value=str(session.id))]
    out.append(blocks.actions(
        blocks.button(t("persona_button"), ids.PERSONA_FROM_SESSION, value=str(session.id), style="primary"),
        *(evidence if heard else []),
        blocks.button(t("journey_button"), journey_ids.LINK_NOTES, value=str(session.id)),
        blocks.button(t("export_md"), ids.EXPORT, value=f"{session.id}:md"),
        blocks.button(t("export_json"), ids.EXPORT_JSON, value=f"{session.id}:json"),
        blocks.button(t("export_csv"), ids.EXPORT_CSV, value=f"{session.id}:csv"),
        block_id=f"summary_actions:{session.id}",
    ))
    return blocks.message_blocks(out)


def canvas_layout(prompts: Prompts, outcome: Outcome) -> tuple[list[CanvasSection], CanvasArea | None]:
    """The canvas's sections in its order, and Gray's *Think and feel* area (a phase of several
    note areas) drawn as one box holding its parts; None on the classic canvas."""
    grouped = by_section(outcome.session, outcome.notes)

    def section(key: str) -> CanvasSection:
        return CanvasSection(name=area_name(prompts, outcome.session, key),
                             notes=[(n.text, n.votes) for n in grouped.get(key, [])])

    outer: list[CanvasSection] = []
    area = None
    for phase in of_session(outcome.session):
        if phase.kind != PhaseKind.SECTION:
            continue
        if len(phase.areas) > 1:
            area = CanvasArea(name=prompts.part("empathy/phases", "name", key=phase.key),
                              sections=[section(key) for key in phase.areas])
        else:
            outer += [section(key) for key in phase.areas]
    return outer, area


def build_nothing_written(prompts: Prompts, session: EmpathySession) -> tuple[str, list[dict]]:
    """(fallback text, blocks) for a session that ended with no notes: run it again, or delete it."""
    def t(macro: str, **kw: object) -> str:
        return prompts.part(SUMMARY, macro, **kw)

    delete = blocks.button(t("delete_button"), ids.DELETE_EMPTY, value=str(session.id), style="danger")
    delete.confirm = ConfirmObject(title=PlainTextObject(text=t("delete_confirm_title")),
                                   text=PlainTextObject(text=t("delete_confirm_text")),
                                   confirm=PlainTextObject(text=t("delete_confirm_yes")),
                                   deny=PlainTextObject(text=t("delete_confirm_no")))
    return t("nothing_written_fallback"), blocks.message_blocks([
        blocks.section(t("nothing_written", facilitator=session.facilitator_id)),
        blocks.actions(blocks.button(t("again_button"), ids.RUN_AGAIN, value=str(session.id)), delete)])
