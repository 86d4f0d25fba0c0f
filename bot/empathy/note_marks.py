"""Known or guessed, typed where people write: `heard (interview): ...` or `guess: ...`.

A thread reply has no form to pick from, so a note says what it rests on by how its line
starts. The rules, per line of a reply (one note per line, as before):

- `heard: text`, `heard (SOURCE): text` or `guess: text`, any case, after an optional list
  bullet (`-`, `*`, `•`) and with the word optionally in Slack bold or italics (`*heard*:`):
  the marker is stripped and the note is marked.
- SOURCE is read against the choices the Add note form offers (interview, ticket, call,
  other): the first word naming one of them wins ("user interviews", "support ticket", "sales
  call", "phone"). Any other source ("usability test") is kept as the person wrote it, up to
  `SOURCE_CHARS` characters, so nothing they said about where they heard it is lost.
- A line that is only a marker (`heard (interview):`) heads the lines below it: they take its
  mark unless they carry their own. It is not a note itself.
- Every other line is a note exactly as before, unmarked.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from storage.states import NoteBasis
from storage.text import clean_text

HEARD_FROM = ("interview", "ticket", "call", "other")
SOURCE_CHARS = 40
MARKER = re.compile(r"^(?:[-*•◦▪]\s+)?([*_]?)(heard|guess)\1\s*(?:\(([^()]*)\))?\s*:\s*", re.IGNORECASE)
_WORD = re.compile(r"[a-z]+")
_PREFIXES = {"interview": "interview", "ticket": "ticket"}  # interviews, interviewed, ticketing
_WORDS = {"call": "call", "calls": "call", "phone": "call", "other": "other", "elsewhere": "other"}


@dataclass(frozen=True)
class MarkedNote:
    text: str
    basis: NoteBasis = NoteBasis.UNMARKED
    heard_from: str = ""


def source_of(raw: str) -> str:
    """A source as stored: one of `HEARD_FROM` when a word names it, else the text itself (clipped)."""
    text = " ".join(clean_text(raw).split())
    for word in _WORD.findall(text.lower()):
        known = _WORDS.get(word) or next((key for prefix, key in _PREFIXES.items() if word.startswith(prefix)), None)
        if known:
            return known
    return text[:SOURCE_CHARS].strip()


def read_marked(lines: list[str]) -> list[MarkedNote]:
    """The notes of some lines (already split, one note per line), each with its mark."""
    notes, heading = [], MarkedNote("")
    for line in lines:
        found = MARKER.match(line)
        if found is None:
            notes.append(MarkedNote(line, heading.basis, heading.heard_from))
            continue
        basis = NoteBasis.HEARD if found.group(2).lower() == "heard" else NoteBasis.GUESS
        mark = MarkedNote("", basis, source_of(found.group(3) or "") if basis == NoteBasis.HEARD else "")
        text = line[found.end():].strip()
        if text:
            notes.append(MarkedNote(text, mark.basis, mark.heard_from))
        else:
            heading = mark
    return notes
