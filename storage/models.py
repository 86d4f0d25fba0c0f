"""Tables of the domain model (see README, architecture).

Every row carries `team_id` and every query filters by it, so one database can serve many
workspaces. Datetimes are timezone-aware UTC (SQLModel's UTCDateTime refuses naive ones), so a
local time never slips into a comparison.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, Column, Index, Text, UniqueConstraint
from sqlmodel import Field, SQLModel

from storage.states import (
    EvidenceStance,
    NoteBasis,
    NoteVisibility,
    OutboxState,
    ReviewState,
    SessionStatus,
    StrEnumColumn,
)


def _json_list() -> object:
    return Field(default_factory=list, sa_column=Column(JSON, nullable=False))


def _long_text(default: str = "") -> object:
    return Field(default=default, sa_column=Column(Text, nullable=False))


def _state(enum_type: type, default: object) -> object:
    return Field(default=default, sa_column=Column(StrEnumColumn(enum_type), nullable=False))


class EmpathySession(SQLModel, table=True):
    __tablename__ = "empathy_session"
    __table_args__ = (
        Index("ix_empathy_session_due", "status", "phase_ends_at"),
        Index("ix_empathy_session_board", "team_id", "channel_id", "board_ts"),
    )

    id: int | None = Field(default=None, primary_key=True)
    team_id: str = Field(index=True)
    channel_id: str
    board_ts: str | None = None
    facilitator_id: str
    subject: str = _long_text()
    goal: str = _long_text()
    persona_id: int | None = Field(default=None, foreign_key="persona.id")
    canvas: str = "classic"
    duration_minutes: int = 30
    anonymous: bool = False
    votes_per_person: int = 5
    phase_index: int = 0
    phase_started_at: datetime | None = None
    phase_ends_at: datetime | None = None
    paused_seconds_left: int | None = None
    warned: bool = False
    idle_nudged: bool = False
    last_note_at: datetime | None = None
    status: SessionStatus = _state(SessionStatus, SessionStatus.STARTING)
    created_at: datetime
    finished_at: datetime | None = None
    agenda: list[dict] = _json_list()  # the phases it runs (bot/empathy/agenda.py), fixed at the start
    live_notes: bool = False  # notes and votes show as they come (else: silent writing, shared after)
    open_grouping: bool = False  # anyone may merge duplicates, not only the facilitator
    success: str = _long_text()  # Gray: how will we know they were successful?


class Participant(SQLModel, table=True):
    __tablename__ = "participant"
    __table_args__ = (UniqueConstraint("session_id", "user_id"),)

    id: int | None = Field(default=None, primary_key=True)
    team_id: str = Field(index=True)
    session_id: int = Field(foreign_key="empathy_session.id", index=True)
    user_id: str
    joined_at: datetime


class Note(SQLModel, table=True):
    __tablename__ = "note"
    __table_args__ = (UniqueConstraint("session_id", "source_key"),)

    id: int | None = Field(default=None, primary_key=True)
    team_id: str = Field(index=True)
    session_id: int = Field(foreign_key="empathy_session.id", index=True)
    quadrant: str
    text: str = _long_text()
    author_id: str
    visibility: NoteVisibility = _state(NoteVisibility, NoteVisibility.VISIBLE)
    stage_id: int | None = Field(default=None, foreign_key="stage.id")
    source_key: str | None = None
    created_at: datetime
    updated_at: datetime
    merged_into_id: int | None = Field(default=None, foreign_key="note.id", index=True)
    basis: NoteBasis = _state(NoteBasis, NoteBasis.UNMARKED)
    heard_from: str = ""  # where it was heard: interview, ticket, call


class Vote(SQLModel, table=True):
    __tablename__ = "vote"
    __table_args__ = (UniqueConstraint("note_id", "user_id"),)

    id: int | None = Field(default=None, primary_key=True)
    team_id: str = Field(index=True)
    session_id: int = Field(foreign_key="empathy_session.id", index=True)
    note_id: int = Field(foreign_key="note.id", index=True)
    user_id: str
    count: int = 0


class Persona(SQLModel, table=True):
    __tablename__ = "persona"
    __table_args__ = (Index("ix_persona_team_status", "team_id", "status"),)

    id: int | None = Field(default=None, primary_key=True)
    team_id: str = Field(index=True)
    name: str
    role: str = ""
    area: str = ""  # the product or area it belongs to (core personas are counted per area)
    context: str = _long_text()
    goals: list[str] = _json_list()
    behaviors: list[str] = _json_list()
    beliefs: list[str] = _json_list()  # what they think and feel
    needs: list[str] = _json_list()
    frustrations: list[str] = _json_list()
    opportunities: list[str] = _json_list()  # possible solutions (Lean UX's fourth quadrant)
    quote: str = _long_text()
    unsure: str = _long_text()
    kind: str = "proto"
    confidence: str = "low"
    owner_id: str = Field(index=True)
    cadence_days: int = 90
    next_review_at: datetime | None = None
    last_reviewed_at: datetime | None = None
    status: str = "active"
    source_session_id: int | None = None
    version: int = 1
    created_by: str
    created_at: datetime
    updated_at: datetime


class PersonaRevision(SQLModel, table=True):
    __tablename__ = "persona_revision"
    __table_args__ = (UniqueConstraint("persona_id", "version"),)

    id: int | None = Field(default=None, primary_key=True)
    team_id: str = Field(index=True)
    persona_id: int = Field(foreign_key="persona.id", index=True)
    version: int
    editor_id: str
    note: str = ""
    changes: dict = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    created_at: datetime


class Evidence(SQLModel, table=True):
    __tablename__ = "evidence"
    __table_args__ = (UniqueConstraint("persona_id", "source_key"),)

    id: int | None = Field(default=None, primary_key=True)
    team_id: str = Field(index=True)
    persona_id: int = Field(foreign_key="persona.id", index=True)
    text: str = _long_text()
    permalink: str = ""
    author_id: str = ""
    added_by: str
    source_key: str
    stance: EvidenceStance = _state(EvidenceStance, EvidenceStance.SUPPORTS)
    assumption: str = ""  # the persona field it tests; "" = the persona as a whole
    created_at: datetime


class PersonaCard(SQLModel, table=True):
    """Where a persona's card was posted, so every change rewrites each copy in place."""

    __tablename__ = "persona_card"
    __table_args__ = (UniqueConstraint("persona_id", "channel_id", "message_ts"),)

    id: int | None = Field(default=None, primary_key=True)
    team_id: str = Field(index=True)
    persona_id: int = Field(foreign_key="persona.id", index=True)
    channel_id: str
    message_ts: str
    intro: str = _long_text()
    created_at: datetime


class Review(SQLModel, table=True):
    """A nudge to an owner; unique per (subject, reason, due_at) so nothing is nudged twice."""

    __tablename__ = "review"
    __table_args__ = (
        UniqueConstraint("team_id", "subject_type", "subject_id", "reason", "due_at"),
        Index("ix_review_state_due", "state", "due_at"),
    )

    id: int | None = Field(default=None, primary_key=True)
    team_id: str = Field(index=True)
    subject_type: str
    subject_id: int
    owner_id: str = Field(index=True)
    reason: str
    detail: str = ""
    due_at: datetime
    state: ReviewState = _state(ReviewState, ReviewState.PENDING)
    channel_id: str | None = None
    message_ts: str | None = None
    sent_at: datetime | None = None
    snoozed_until: datetime | None = None
    escalated_at: datetime | None = None
    done_at: datetime | None = None


class Conversation(SQLModel, table=True):
    """One in-progress multi-step capture per user and place (DM or thread)."""

    __tablename__ = "conversation"
    __table_args__ = (UniqueConstraint("team_id", "user_id", "channel_id", "thread_ts"),)

    id: int | None = Field(default=None, primary_key=True)
    team_id: str = Field(index=True)
    user_id: str
    channel_id: str
    thread_ts: str = ""
    flow: str
    step: str
    answers: dict = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    updated_at: datetime
    expires_at: datetime = Field(index=True)


class ProcessedEvent(SQLModel, table=True):
    """Event ids already handled: Slack redelivers and Bolt does not deduplicate."""

    __tablename__ = "processed_event"

    event_id: str = Field(primary_key=True)
    team_id: str
    received_at: datetime = Field(index=True)


class OutboxMessage(SQLModel, table=True):
    """A Slack post a state change requires, written in the same transaction as the change.

    Sent after the commit and retried until Slack takes it; `key` makes enqueueing idempotent
    (the same phase prompt is queued once however often its transition is retried), and the
    claim (`state`, `claimed_at`) makes sending exactly-once across threads and replicas.
    """

    __tablename__ = "outbox_message"
    __table_args__ = (
        UniqueConstraint("team_id", "key"),
        Index("ix_outbox_message_due", "state", "due_at"),
    )

    id: int | None = Field(default=None, primary_key=True)
    team_id: str
    key: str
    kind: str
    lane: str = ""
    payload: dict = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    state: OutboxState = _state(OutboxState, OutboxState.PENDING)
    due_at: datetime
    attempts: int = 0
    claimed_at: datetime | None = None
    sent_at: datetime | None = None
    channel_id: str | None = None
    message_ts: str | None = None
    last_error: str = ""
    created_at: datetime


# The journeys feature's tables live beside this module; importing them here keeps one metadata
# (and `from storage.models import Journey` working).
from storage.journey_models import (  # noqa: E402, F401
    Journey,
    JourneyCard,
    JourneyLayer,
    JourneyNoteLink,
    JourneyRevision,
    PersonaStage,
    Stage,
)
