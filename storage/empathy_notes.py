"""Sticky notes of empathy sessions: plain functions on the caller's unit of work.

Notes carry a `source_key` (the modal view and line, or the thread message and line) that is
unique per session, so a retried submission or a redelivered event never adds a note twice.
The author is stored for edit rights even when the session is anonymous; views decide whether
to show it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime

from sqlalchemy import Select, bindparam, delete, exists, or_, update
from sqlalchemy.orm import aliased
from sqlmodel import Session, func, select

from storage.db import insert_new
from storage.empathy import join
from storage.models import EmpathySession, Note, Vote
from storage.states import NoteBasis, NoteVisibility


@dataclass(frozen=True)
class VotedNote:
    id: int
    quadrant: str
    text: str
    author_id: str
    visibility: NoteVisibility
    votes: int  # a group's: its own and its members' pooled
    basis: NoteBasis = NoteBasis.UNMARKED
    heard_from: str = ""
    merged_into_id: int | None = None
    members: tuple[str, ...] = field(default=())  # texts merged into this note (a group)
    authors: tuple[str, ...] = field(default=())  # everyone credited: its author and its members'

    @property
    def hidden(self) -> bool:
        return self.visibility == NoteVisibility.HIDDEN

    @property
    def guess(self) -> bool:
        return self.basis == NoteBasis.GUESS

    @property
    def heard(self) -> bool:
        return self.basis == NoteBasis.HEARD


NewNote = tuple[str, str] | tuple[str, str, NoteBasis, str]
"""`(source_key, text)`, or `(source_key, text, basis, heard_from)` for a note marked on its own."""


def add_notes(
    db: Session, *, team_id: str, session_id: int, author_id: str, quadrant: str,
    texts: Sequence[NewNote], now: datetime, basis: NoteBasis = NoteBasis.UNMARKED, heard_from: str = "",
) -> int:
    """Add notes, skipping source keys already stored; each is marked `basis` (and `heard_from`)
    unless it carries its own mark. Joins the author and records the activity (for the idle hint).
    Three statements whatever the count; returns how many are new."""
    rows = []
    for source_key, text, mark, source in ((*note, basis, heard_from)[:4] for note in texts):
        rows.append({"team_id": team_id, "session_id": session_id, "quadrant": quadrant, "text": text,
                     "author_id": author_id, "visibility": NoteVisibility.VISIBLE, "source_key": source_key,
                     "basis": mark, "heard_from": source if mark == NoteBasis.HEARD else "",
                     "created_at": now, "updated_at": now})
    added = insert_new(db, Note, rows)
    join(db, team_id=team_id, session_id=session_id, user_id=author_id, now=now)
    db.execute(update(EmpathySession)
               .where(EmpathySession.id == session_id, EmpathySession.team_id == team_id)
               .values(last_note_at=now, idle_nudged=False))
    return added


def get_note(db: Session, *, team_id: str, note_id: int) -> Note | None:
    row = db.get(Note, note_id)
    return row if row is not None and row.team_id == team_id else None


def update_note_text(db: Session, *, team_id: str, note_id: int, author_id: str, text: str, now: datetime) -> bool:
    """Only the author may change a note."""
    result = db.execute(update(Note)
                        .where(Note.id == note_id, Note.team_id == team_id, Note.author_id == author_id)
                        .values(text=text, updated_at=now))
    return result.rowcount == 1


def delete_note(db: Session, *, team_id: str, note_id: int, author_id: str) -> bool:
    """Only the author may delete a note; its votes go with it."""
    note = get_note(db, team_id=team_id, note_id=note_id)
    if note is None or note.author_id != author_id:
        return False
    db.execute(delete(Vote).where(Vote.note_id == note_id))  # type: ignore[arg-type]
    db.delete(note)
    return True


def set_visibility(db: Session, *, team_id: str, session_id: int, note_id: int, visibility: NoteVisibility) -> bool:
    """Moderation by the facilitator (checked by the caller): hidden notes count nowhere."""
    result = db.execute(update(Note)
                        .where(Note.id == note_id, Note.team_id == team_id, Note.session_id == session_id)
                        .values(visibility=visibility))
    return result.rowcount == 1


def list_heard_notes(db: Session, *, team_id: str, session_id: int) -> list[Note]:
    """Visible notes someone heard from real people (grouped ones too), oldest first."""
    return list(db.exec(select(Note).where(
        Note.team_id == team_id, Note.session_id == session_id, Note.visibility == NoteVisibility.VISIBLE,
        Note.basis == NoteBasis.HEARD).order_by(Note.created_at, Note.id)).all())


def set_basis(db: Session, *, team_id: str, note_id: int, author_id: str, basis: NoteBasis, heard_from: str,
              now: datetime) -> bool:
    """Heard (and where) or guessed: only the author says what their note rests on."""
    result = db.execute(update(Note)
                        .where(Note.id == note_id, Note.team_id == team_id, Note.author_id == author_id)
                        .values(basis=basis, heard_from=heard_from if basis == NoteBasis.HEARD else "",
                                updated_at=now))
    return result.rowcount == 1


def merge_notes(db: Session, *, team_id: str, session_id: int, into_id: int, note_ids: list[int]) -> int:
    """Group duplicates under one note: each keeps its row, author and votes (pooled when read), and
    a group merged into another moves along, so groups stay one level deep. Returns how many moved."""
    others = [note_id for note_id in note_ids if note_id != into_id]
    head = get_note(db, team_id=team_id, note_id=into_id)
    if (not others or head is None or head.session_id != session_id or head.merged_into_id is not None
            or head.visibility != NoteVisibility.VISIBLE):
        return 0
    where = (Note.team_id == team_id, Note.session_id == session_id)
    db.execute(update(Note).where(*where, Note.merged_into_id.in_(others))  # type: ignore[union-attr]
               .values(merged_into_id=into_id))
    result = db.execute(update(Note).where(*where, Note.id.in_(others))  # type: ignore[union-attr]
                        .values(merged_into_id=into_id))
    return int(result.rowcount or 0)


def split_group(db: Session, *, team_id: str, session_id: int, head_id: int) -> int:
    """Undo a grouping made by mistake: every note merged into `head_id` stands alone again, with its
    own text and author (they were never changed). One statement; a second split finds nothing.
    Refused (0) once the head or a member has votes: pooled votes were cast for the group, and
    handing them to one of its notes would say something no voter said. Returns how many left."""
    member = aliased(Note)
    group = select(member.id).where(member.team_id == team_id, member.session_id == session_id,
                                    or_(member.id == head_id, member.merged_into_id == head_id))
    voted = exists().where(Vote.team_id == team_id, Vote.session_id == session_id, Vote.count > 0,
                           Vote.note_id.in_(group))  # type: ignore[attr-defined]
    result = db.execute(update(Note).where(Note.team_id == team_id, Note.session_id == session_id,
                                           Note.merged_into_id == head_id, ~voted).values(merged_into_id=None))
    return int(result.rowcount or 0)


def _voted_query(*, include_hidden: bool, by_author: bool) -> Select:
    votes = func.coalesce(func.sum(Vote.count), 0)
    query = (
        select(Note.id, Note.quadrant, Note.text, Note.author_id, Note.visibility, votes, Note.basis,
               Note.heard_from, Note.merged_into_id)
        .outerjoin(Vote, Vote.note_id == Note.id)
        .where(Note.team_id == bindparam("team_id"), Note.session_id == bindparam("session_id"))
        .group_by(Note.id, Note.quadrant, Note.text, Note.author_id, Note.visibility, Note.created_at,
                  Note.basis, Note.heard_from, Note.merged_into_id)
        .order_by(Note.created_at, Note.id)
    )
    if not include_hidden:
        query = query.where(Note.visibility == NoteVisibility.VISIBLE)
    if by_author:
        query = query.where(Note.author_id == bindparam("author_id"))
    return query


# Built once: every board refresh and ballot reads notes, and building the statement cost more
# than running it (SQLAlchemy caches the compiled form, not the Python objects).
_VOTED = {(hidden, author): _voted_query(include_hidden=hidden, by_author=author)
          for hidden in (False, True) for author in (False, True)}


def list_voted_notes(
    db: Session, *, team_id: str, session_id: int, include_hidden: bool = False, author_id: str | None = None,
) -> list[VotedNote]:
    """Notes with their vote totals, most-voted first (ties: oldest first). Grouped notes are
    folded into their group (texts, authors and votes); a person's own list shows each of theirs."""
    params = {"team_id": team_id, "session_id": session_id}
    if author_id is not None:
        params["author_id"] = author_id
    query = _VOTED[(include_hidden, author_id is not None)]
    rows = [VotedNote(*row, authors=(row[3],)) for row in db.exec(query, params=params).all()]
    notes = rows if author_id is not None else _fold_groups(rows)
    return sorted(notes, key=lambda n: -n.votes)  # stable: oldest first among equals


def _fold_groups(rows: list[VotedNote]) -> list[VotedNote]:
    heads = {n.id: n for n in rows if n.merged_into_id is None}
    for member in rows:
        head = heads.get(member.merged_into_id) if member.merged_into_id is not None else None
        if head is not None:
            authors = head.authors if member.author_id in head.authors else (*head.authors, member.author_id)
            heads[head.id] = replace(head, votes=head.votes + member.votes, members=(*head.members, member.text),
                                     authors=authors)
    return list(heads.values())
