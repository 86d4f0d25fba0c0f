"""A finished (or running) empathy session as a portable document: JSON data and Markdown.

Pure: domain rows in, a dict / text out. Authors are included only when the session was not
anonymous, so an export never reveals what Slack never showed.
"""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from bot.empathy.agenda import CANVASES
from prompts import Prompts
from storage.empathy_notes import VotedNote
from storage.models import EmpathySession

FORMATS = ("md", "json")


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value else None


def build_export(
    prompts: Prompts, *, session: EmpathySession, notes: list[VotedNote], participants: list[str]
) -> dict[str, Any]:
    """The session's content, sections in canvas order and notes most-voted first."""
    def name(key: str) -> str:
        return prompts.part("empathy/phases", "name", key=key)

    sections = []
    for key in CANVASES[session.canvas]:
        section_notes = []
        for note in notes:
            if note.quadrant != key:
                continue
            entry: dict[str, Any] = {"text": note.text, "votes": note.votes}
            if not session.anonymous:
                entry["author"] = note.author_id
            section_notes.append(entry)
        sections.append({"key": key, "name": name(key), "notes": section_notes})
    end = session.finished_at
    minutes = round((end - session.created_at).total_seconds() / 60) if end else None
    return {
        "session": {
            "id": session.id, "subject": session.subject, "goal": session.goal, "canvas": session.canvas,
            "status": session.status, "anonymous": session.anonymous, "channel": session.channel_id,
            "facilitator": session.facilitator_id, "votes_per_person": session.votes_per_person,
            "planned_minutes": session.duration_minutes, "actual_minutes": minutes,
            "started_at": _iso(session.created_at), "finished_at": _iso(end),
            "persona_id": session.persona_id,
        },
        "participants": participants,
        "note_count": sum(len(s["notes"]) for s in sections),
        "sections": sections,
    }


def to_json(export: dict[str, Any]) -> str:
    return json.dumps(export, indent=2, ensure_ascii=False) + "\n"


def to_markdown(prompts: Prompts, export: dict[str, Any]) -> str:
    return prompts.render("empathy/export_md", **export) + "\n"


def render(prompts: Prompts, export: dict[str, Any], fmt: str) -> str:
    return to_json(export) if fmt == "json" else to_markdown(prompts, export)
