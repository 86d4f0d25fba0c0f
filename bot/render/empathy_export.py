"""A finished (or running) empathy session as a portable document: JSON, Markdown and CSV.

Pure: domain rows in, a dict / text out. People are shown by name (`names`, looked up by the
caller; an id when unknown) and dates in the reader's time zone. An anonymous session exports
no authors, and its participants in alphabetical order: in join order they would line up with
the order of the notes.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Mapping
from datetime import UTC, datetime, tzinfo
from typing import Any

from bot.empathy.agenda import areas_of
from bot.empathy.reveal_view import area_name
from bot.people import readable
from prompts import Prompts
from storage.empathy_notes import VotedNote
from storage.models import EmpathySession
from storage.states import NoteBasis

FORMATS = ("md", "json", "csv")


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value else None


def build_export(
    prompts: Prompts, *, session: EmpathySession, notes: list[VotedNote], participants: list[str],
    names: Mapping[str, str] | None = None, tz: tzinfo = UTC,
) -> dict[str, Any]:
    """The session's content, sections in canvas order and notes most-voted first."""
    names = names or {}

    def name(key: str) -> str:
        return area_name(prompts, session, key)

    def person(user_id: str) -> dict[str, str]:
        return {"id": user_id, "name": names.get(user_id) or user_id}

    sections = []
    for key in areas_of(session):
        section_notes = []
        for note in notes:
            if note.quadrant != key:
                continue
            entry: dict[str, Any] = {"text": note.text, "votes": note.votes}
            if not session.anonymous:
                entry["author"] = person(note.author_id)
            if note.basis != NoteBasis.UNMARKED:  # known or guessed, and where it was heard
                entry["basis"] = note.basis.value
                if note.heard_from:
                    entry["heard_from"] = note.heard_from
            if note.members:  # duplicates grouped into it in the Group phase: every author credited
                entry["grouped"] = list(note.members)
                if not session.anonymous:
                    entry["credited"] = [person(a) for a in note.authors]
            section_notes.append(entry)
        sections.append({"key": key, "name": name(key), "notes": section_notes})
    people = [person(p) for p in participants]
    if session.anonymous:
        people.sort(key=lambda p: (p["name"].lower(), p["id"]))
    end = session.finished_at
    minutes = round((end - session.created_at).total_seconds() / 60) if end else None
    return {
        "session": {
            "id": session.id, "subject": session.subject, "goal": session.goal, "success": session.success,
            "canvas": session.canvas, "live_notes": session.live_notes,
            "status": session.status, "anonymous": session.anonymous, "channel": session.channel_id,
            "facilitator": person(session.facilitator_id), "votes_per_person": session.votes_per_person,
            "planned_minutes": session.duration_minutes, "actual_minutes": minutes,
            "started_at": _iso(session.created_at), "finished_at": _iso(end),
            "started": readable(session.created_at, tz), "finished": readable(end, tz),
            "persona_id": session.persona_id,
        },
        "participants": people,
        "note_count": sum(len(s["notes"]) for s in sections),
        "sections": sections,
    }


def to_json(export: dict[str, Any]) -> str:
    return json.dumps(export, indent=2, ensure_ascii=False) + "\n"


def to_markdown(prompts: Prompts, export: dict[str, Any]) -> str:
    return prompts.render("empathy/export_md", **export) + "\n"


def to_csv(export: dict[str, Any]) -> str:
    """One row per note (section, note, votes, author, heard or guessed, where, grouped duplicates):
    for a spreadsheet."""
    out = io.StringIO()
    writer = csv.writer(out)
    anonymous = export["session"]["anonymous"]
    writer.writerow(["section", "note", "votes", *([] if anonymous else ["author"]), "basis", "heard_from",
                     "grouped"])
    for section in export["sections"]:
        for note in section["notes"]:
            writer.writerow([section["name"], note["text"], note["votes"],
                             *([] if anonymous else [note["author"]["name"]]), note.get("basis", ""),
                             note.get("heard_from", ""), " | ".join(note.get("grouped", []))])
    return out.getvalue()


def render(prompts: Prompts, export: dict[str, Any], fmt: str) -> str:
    if fmt == "json":
        return to_json(export)
    return to_csv(export) if fmt == "csv" else to_markdown(prompts, export)
