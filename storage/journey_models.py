"""Tables of the journeys feature: a journey, its ordered stages, who is layered on it, each
layer's content per stage, its history, notes linked to stages, and where its card was posted.

Kept beside `storage.models` (which imports this module, so `SQLModel.metadata` always holds
these tables) to keep both modules small. A layer (`JourneyLayer`) speaks for a persona or a
role-based segment; its content per stage is a `PersonaStage` row whose item fields are
declared once in `storage.journey_fields`.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, Column, Index, Text, UniqueConstraint
from sqlmodel import Field, SQLModel

from storage.states import EvidenceStance, JourneyChange, JourneyState, JourneyStatus, LayerKind, StrEnumColumn


def _json_list() -> object:
    return Field(default_factory=list, sa_column=Column(JSON, nullable=False))


def _long_text(default: str = "") -> object:
    return Field(default=default, sa_column=Column(Text, nullable=False))


def _state(enum_type: type, default: object) -> object:
    return Field(default=default, sa_column=Column(StrEnumColumn(enum_type), nullable=False))


class Journey(SQLModel, table=True):
    """`revision` grows with every change; `image_revision` is the revision the last uploaded
    image showed, so the outbox key of the next image is shared by a whole burst of changes."""

    __tablename__ = "journey"
    __table_args__ = (Index("ix_journey_team_status", "team_id", "status"),)

    id: int | None = Field(default=None, primary_key=True)
    team_id: str = Field(index=True)
    name: str
    goal: str = _long_text()
    state: JourneyState = _state(JourneyState, JourneyState.CURRENT)
    scope_start: str = _long_text()  # where the journey starts, where it ends, why this journey
    scope_end: str = _long_text()
    scope_why: str = _long_text()
    backstage: str = _long_text()  # future state: the internal processes and tools behind it
    owner_id: str = Field(index=True)
    cadence_days: int = 90
    next_review_at: datetime | None = None
    last_reviewed_at: datetime | None = None
    status: JourneyStatus = _state(JourneyStatus, JourneyStatus.ACTIVE)
    revision: int = 1
    image_revision: int = 0
    created_by: str = ""
    created_at: datetime
    updated_at: datetime | None = None


class Stage(SQLModel, table=True):
    __tablename__ = "stage"
    __table_args__ = (UniqueConstraint("journey_id", "position"),)

    id: int | None = Field(default=None, primary_key=True)
    team_id: str = Field(index=True)
    journey_id: int = Field(foreign_key="journey.id", index=True)
    position: int
    name: str
    removable: bool = True


class JourneyLayer(SQLModel, table=True):
    """A persona or a segment on a journey; `subject_key` (`persona:12`, `segment:buyer`) keeps
    each one layered once per journey."""

    __tablename__ = "journey_layer"
    __table_args__ = (UniqueConstraint("journey_id", "subject_key"),)

    id: int | None = Field(default=None, primary_key=True)
    team_id: str = Field(index=True)
    journey_id: int = Field(foreign_key="journey.id", index=True)
    kind: LayerKind = _state(LayerKind, LayerKind.PERSONA)
    persona_id: int | None = Field(default=None, foreign_key="persona.id", index=True)
    segment: str = ""
    subject_key: str
    owner_id: str = ""  # who keeps this persona-journey link true (default: whoever linked it)
    created_by: str
    created_at: datetime


class PersonaStage(SQLModel, table=True):
    """One layer's content on one stage (fields: `storage.journey_fields.LAYER_FIELDS`)."""

    __tablename__ = "persona_stage"
    __table_args__ = (UniqueConstraint("layer_id", "stage_id"),)

    id: int | None = Field(default=None, primary_key=True)
    team_id: str = Field(index=True)
    layer_id: int = Field(foreign_key="journey_layer.id", index=True)
    stage_id: int = Field(foreign_key="stage.id", index=True)
    goals: list[str] = _json_list()
    actions: list[str] = _json_list()
    touchpoints: list[str] = _json_list()
    channels: list[str] = _json_list()
    questions: list[str] = _json_list()
    thoughts: list[str] = _json_list()
    emotion: int | None = None
    emotion_word: str = ""
    pains: list[str] = _json_list()
    opportunities: list[str] = _json_list()
    not_part: bool = False  # this stage is not part of this layer's journey
    updated_by: str = ""
    updated_at: datetime | None = None


class JourneyRevision(SQLModel, table=True):
    """The journey's history: who changed what, when; a removed stage's content lives on here."""

    __tablename__ = "journey_revision"

    id: int | None = Field(default=None, primary_key=True)
    team_id: str = Field(index=True)
    journey_id: int = Field(foreign_key="journey.id", index=True)
    change: JourneyChange = _state(JourneyChange, JourneyChange.EDITED)
    editor_id: str
    detail: dict = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    created_at: datetime


class JourneyNoteLink(SQLModel, table=True):
    """An empathy note placed on a stage, under the session's persona (if it had one)."""

    __tablename__ = "journey_note_link"
    __table_args__ = (UniqueConstraint("journey_id", "note_id"),)

    id: int | None = Field(default=None, primary_key=True)
    team_id: str = Field(index=True)
    journey_id: int = Field(foreign_key="journey.id", index=True)
    stage_id: int = Field(foreign_key="stage.id", index=True)
    note_id: int = Field(foreign_key="note.id", index=True)
    session_id: int = Field(foreign_key="empathy_session.id")
    persona_id: int | None = Field(default=None, foreign_key="persona.id")
    linked_by: str
    created_at: datetime


class JourneyCard(SQLModel, table=True):
    """Where a journey's card was posted (and its persona filter), so changes rewrite each copy."""

    __tablename__ = "journey_card"
    __table_args__ = (UniqueConstraint("journey_id", "channel_id", "message_ts"),)

    id: int | None = Field(default=None, primary_key=True)
    team_id: str = Field(index=True)
    journey_id: int = Field(foreign_key="journey.id", index=True)
    channel_id: str
    message_ts: str
    layer_filter: int | None = None  # a layer id: that layer only; None: every layer
    created_at: datetime


class JourneyVote(SQLModel, table=True):
    """One person's dot on one pain or opportunity of a map (`item_key`: which layer, stage, field
    and text; the text is kept, so a ballot reads the same after the cell is edited)."""

    __tablename__ = "journey_vote"
    __table_args__ = (UniqueConstraint("journey_id", "voter_id", "item_key"),)

    id: int | None = Field(default=None, primary_key=True)
    team_id: str = Field(index=True)
    journey_id: int = Field(foreign_key="journey.id", index=True)
    voter_id: str
    item_key: str
    field: str
    text: str = _long_text()
    layer_id: int
    stage_id: int
    created_at: datetime


class JourneyOpportunity(SQLModel, table=True):
    """An opportunity the team chose (by vote) to act on, and who owns acting on it."""

    __tablename__ = "journey_opportunity"
    __table_args__ = (UniqueConstraint("journey_id", "item_key"),)

    id: int | None = Field(default=None, primary_key=True)
    team_id: str = Field(index=True)
    journey_id: int = Field(foreign_key="journey.id", index=True)
    item_key: str
    field: str
    text: str = _long_text()
    layer_id: int
    stage_id: int
    owner_id: str
    assigned_by: str
    created_at: datetime


class JourneyEvidence(SQLModel, table=True):
    """What research says about a journey (or one layer of it, `layer_id`): a map is a hypothesis
    until research supports it, like a persona, and evidence may challenge it instead (`stance`)."""

    __tablename__ = "journey_evidence"

    id: int | None = Field(default=None, primary_key=True)
    team_id: str = Field(index=True)
    journey_id: int = Field(foreign_key="journey.id", index=True)
    layer_id: int | None = Field(default=None, foreign_key="journey_layer.id")
    text: str = _long_text()
    permalink: str = ""
    stance: EvidenceStance = _state(EvidenceStance, EvidenceStance.SUPPORTS)
    added_by: str
    created_at: datetime
