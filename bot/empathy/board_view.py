"""The live session board: one message, rebuilt from the database and updated in place.

Pure: a `BoardState` in, validated Block Kit out. Whatever the number of notes, the board stays
well inside Slack's 50 blocks and ~12k characters: each section shows its top notes (clipped),
the rest is counted and reachable through *All notes*.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime

from slack_sdk.models.blocks import ConfirmObject, PlainTextObject

from bot import blocks
from bot.empathy import ids
from bot.empathy.agenda import PhaseKind, of_session, phase_at, section_areas
from bot.empathy.reveal_view import area_name, revealed_areas, votes_visible
from prompts import Prompts
from storage.empathy_notes import VotedNote
from storage.models import EmpathySession
from storage.states import SessionStatus

BOARD = "empathy/board"
NOTES_PER_SECTION = 3
NOTE_PREVIEW_CHARS = 140
PARTICIPANTS_SHOWN = 30


@dataclass(frozen=True)
class BoardState:
    session: EmpathySession
    notes: list[VotedNote]
    participants: list[str]
    now: datetime


def seconds_left(session: EmpathySession, now: datetime) -> int:
    if session.paused_seconds_left is not None:
        return session.paused_seconds_left
    if session.phase_ends_at is None:
        return 0
    return max(0, int((session.phase_ends_at - now).total_seconds()))


def control_value(session: EmpathySession) -> str:
    """`session:phase`: a button pressed on an old board (an earlier phase) is recognised as stale."""
    return f"{session.id}:{session.phase_index}"


def build_board(prompts: Prompts, state: BoardState) -> list[dict]:
    """Top notes per section, fewer when escaped user text would make the message too long."""
    for per_section in range(NOTES_PER_SECTION, -1, -1):
        try:
            return _build(prompts, state, per_section)
        except blocks.BlockLimitError:
            if per_section == 0:
                raise
    raise AssertionError("unreachable")


def _build(prompts: Prompts, state: BoardState, per_section: int) -> list[dict]:
    def t(macro: str, **kw: object) -> str:
        return prompts.part(BOARD, macro, **kw)

    def name(key: str) -> str:
        return area_name(prompts, state.session, key)

    session = state.session
    agenda = of_session(session)
    phase = phase_at(agenda, session.phase_index)
    sections = section_areas(agenda)
    by_section: dict[str, list[VotedNote]] = {key: [] for key in sections}
    for note in state.notes:
        by_section.setdefault(note.quadrant, []).append(note)
    live = session.status.live or session.status == SessionStatus.STARTING  # the first board runs
    shown_people = state.participants[:PARTICIPANTS_SHOWN]
    out = [
        blocks.header(t("heading", subject=session.subject)),
        blocks.section(t("goal", goal=session.goal, facilitator=session.facilitator_id, number=session.id)),
        blocks.section(t("phase", name=name(phase.key), status=session.status,
                         minutes_left=math.ceil(seconds_left(session, state.now) / 60),
                         number=session.phase_index + 1, total=len(agenda))),
        blocks.context(t("counts", items=[(name(key), len(by_section[key])) for key in sections],
                         writers=len({a for n in state.notes for a in (n.authors or (n.author_id,))}),
                         silent=revealed_areas(session) is not None)),
        blocks.context(t("participants_count", count=len(state.participants)) if session.anonymous and
                       state.participants else t("participants", users=shown_people,
                                                 more=len(state.participants) - len(shown_people))),
        blocks.divider(),
    ]
    hidden_total, revealed, with_votes = 0, revealed_areas(session), votes_visible(session)
    for key in sections:
        notes = by_section[key]
        if revealed is not None and key not in revealed:
            out.append(blocks.section(t("silent_section", name=name(key), count=len(notes),
                                        writers=len({n.author_id for n in notes}))))
            continue
        shown = [(blocks.clip(n.text, NOTE_PREVIEW_CHARS), n.votes if with_votes else 0, len(n.members))
                 for n in notes[:per_section]]
        hidden_total += len(notes) - len(shown)
        text = (t("section_notes", name=name(key), count=len(notes), notes=shown,
                  more=len(notes) - len(shown)) if notes else t("empty_section", name=name(key)))
        out.append(blocks.section(text))
    if hidden_total:
        out.append(blocks.context(t("more_notes", count=hidden_total)))
    out.append(blocks.divider())
    value = str(session.id)
    people = []
    if live and phase.kind != PhaseKind.WRAPUP:
        people += [blocks.button(t("join"), ids.JOIN, value=value, style="primary")]
    if live and phase.kind.writing:
        people.append(blocks.button(t("add_note"), ids.ADD_NOTE, value=value))
    if live and phase.kind == PhaseKind.GROUP:
        people.append(blocks.button(t("group"), ids.OPEN_GROUPING, value=value, style="primary"))
    if live and phase.kind == PhaseKind.VOTE:
        people.append(blocks.button(t("vote"), ids.OPEN_BALLOT, value=value, style="primary"))
    people += [blocks.button(t("my_notes"), ids.MY_NOTES, value=value),
               blocks.button(t("all_notes"), ids.ALL_NOTES, value=value)]
    if not live and state.notes:
        people.append(blocks.button(t("export"), ids.EXPORT, value=f"{session.id}:md"))
    out.append(blocks.actions(*people, block_id=f"participant_controls:{session.id}"))
    if live:
        control = control_value(session)
        end = blocks.button(t("end"), ids.END, value=control, style="danger")
        end.confirm = ConfirmObject(title=PlainTextObject(text=t("end_confirm_title")),
                                    text=PlainTextObject(text=t("end_confirm_text")),
                                    confirm=PlainTextObject(text=t("end_confirm_yes")),
                                    deny=PlainTextObject(text=t("end_confirm_no")))
        out.append(blocks.actions(
            blocks.button(t("next_phase"), ids.NEXT_PHASE, value=control),
            blocks.button(t("extend"), ids.EXTEND, value=control),
            blocks.button(t("resume" if session.status == SessionStatus.PAUSED else "pause"), ids.PAUSE,
                          value=control),
            end,
            block_id=f"facilitator_controls:{session.id}",
        ))
        out.append(blocks.context(t("facilitator_hint")))
    return blocks.message_blocks(out)


def board_fallback_text(prompts: Prompts, session: EmpathySession) -> str:
    return prompts.part(BOARD, "fallback", subject=session.subject)
