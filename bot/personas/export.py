"""A persona as Markdown and JSON: everything, unclipped (the card is a summary, this is the record).

`build_export` is pure data; the Slack command uploads both files to the person's DM and the
CLI (`workshop-bot export persona NAME_OR_ID --format md|json`) prints one to stdout.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

from sqlmodel import Session

from bot.people import People, readable
from bot.personas import fields
from prompts import Prompts
from storage import persona_evidence
from storage import personas as store
from storage.db import unit_of_work
from storage.models import Persona

TEMPLATE = "personas/export_md"
FIELDS = (*(f.key for f in fields.FIELDS), "status", "version", "source_session_id")


def build_export(db: Session, persona: Persona) -> dict[str, Any]:
    evidence = persona_evidence.list_evidence(db, team_id=persona.team_id, persona_id=persona.id)
    revisions = store.list_revisions(db, team_id=persona.team_id, persona_id=persona.id, limit=10_000)
    return {
        "id": persona.id,
        **{key: getattr(persona, key) for key in FIELDS},
        "created_at": _iso(persona.created_at),
        "last_reviewed_at": _iso(persona.last_reviewed_at),
        "next_review_at": _iso(persona.next_review_at),
        "evidence": [{"text": e.text, "permalink": e.permalink, "author_id": e.author_id, "added_by": e.added_by,
                      "added_at": _iso(e.created_at), "stance": e.stance.value, "assumption": e.assumption}
                     for e in evidence],
        "revisions": [{"version": r.version, "editor_id": r.editor_id, "at": _iso(r.created_at), "note": r.note,
                       "changes": r.changes} for r in revisions],
    }


def to_json(export: dict[str, Any]) -> str:
    return json.dumps(export, indent=2, ensure_ascii=False) + "\n"


def to_markdown(prompts: Prompts, export: dict[str, Any], people: People | None = None) -> str:
    """For people: names (ids without Slack), dates in the reader's zone. `&`, `<`, `>` are
    written as entities, which every Markdown viewer shows as typed; raw, a typed `<b>` or
    `<img onerror=...>` would be read as HTML. Only http(s) sources become links."""
    people = people or People({}, UTC)

    def who(user_id: str | None) -> str:
        return people.names.get(user_id or "") or user_id or ""

    def when(value: str | None) -> str:
        return readable(value, people.tz)

    shown = {
        **export, "owner": who(export["owner_id"]), "last_reviewed": when(export["last_reviewed_at"]),
        "next_review": when(export["next_review_at"]),
        "evidence": [{**e, "link": _md_url(e.get("permalink") or ""), "author": who(e.get("author_id")),
                      "added": when(e["added_at"])} for e in export["evidence"]],
        "revisions": [{**r, "editor": who(r["editor_id"]), "when": when(r["at"])} for r in export["revisions"]],
    }
    return prompts.render(TEMPLATE, persona=shown) + "\n"


def render(prompts: Prompts, export: dict[str, Any], fmt: str, people: People | None = None) -> str:
    return to_json(export) if fmt == "json" else to_markdown(prompts, export, people)


def people_in(export: dict[str, Any]) -> set[str]:
    """Everyone an export names, to look up before writing it for a person."""
    return {export["owner_id"], *(e["author_id"] for e in export["evidence"] if e["author_id"]),
            *(e["added_by"] for e in export["evidence"]), *(r["editor_id"] for r in export["revisions"])}


def filename(persona: Persona, fmt: str) -> str:
    safe = "".join(c if c.isalnum() or c in "-_" else "-" for c in persona.name.lower()).strip("-")[:40]
    return f"persona-{persona.id}-{safe or 'persona'}.{fmt}"


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value is not None else None


def _md_url(url: str) -> str:
    """A link target that cannot run script or break out of `(...)`; "" when it is no web link."""
    if not url.lower().startswith(("https://", "http://")):
        return ""
    return url.replace(" ", "%20").replace("(", "%28").replace(")", "%29")


def export_for_cli(settings: Any, wanted: str, *, fmt: str, team_id: str | None) -> tuple[str, str]:
    """(text, "") or ("", what went wrong) for `workshop-bot export persona NAME_OR_ID`."""
    from storage.db import make_engine

    engine = make_engine(settings.database_url)
    try:
        with unit_of_work(engine) as db:
            found = store.find_any(db, wanted=wanted, team_id=team_id)
            if not found:
                return "", f"no persona called or numbered {wanted!r}"
            if len(found) > 1:
                return "", f"{len(found)} personas match {wanted!r}: " + ", ".join(
                    f"{p.id} ({p.name}, {p.team_id})" for p in found[:10]) + "; give the id"
            data = build_export(db, found[0])
        return render(Prompts(settings.prompts_dir), data, fmt), ""
    finally:
        engine.dispose()
