"""The states and kinds rows move through, as enums (stored as their plain string values).

Spelled once here, so a typo is an AttributeError instead of a row no query ever finds again.
`StrEnumColumn` stores the value as a string (no database enum type to migrate) and hands the
enum back on load.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Any

from sqlalchemy import String
from sqlalchemy.engine import Dialect
from sqlalchemy.types import TypeDecorator


class SessionStatus(StrEnum):
    STARTING = "starting"  # the row exists, its board is not posted yet
    RUNNING = "running"
    PAUSED = "paused"
    FINISHED = "finished"
    CANCELLED = "cancelled"  # ended by the facilitator before the wrap-up

    @property
    def live(self) -> bool:
        return self in (SessionStatus.RUNNING, SessionStatus.PAUSED)


LIVE_STATUSES = (SessionStatus.RUNNING, SessionStatus.PAUSED)


class NoteVisibility(StrEnum):
    VISIBLE = "visible"
    HIDDEN = "hidden"  # moderated by the facilitator: counted nowhere


class NoteBasis(StrEnum):
    """What a sticky note rests on: something someone heard from real people, or a guess."""

    UNMARKED = "unmarked"
    HEARD = "heard"  # with a source (interview, ticket, call)
    GUESS = "guess"


class ReviewState(StrEnum):
    PENDING = "pending"
    SENDING = "sending"  # claimed by a sweep (lease)
    SENT = "sent"
    SNOOZED = "snoozed"
    ESCALATING = "escalating"  # claimed by the escalation (lease)
    ESCALATED = "escalated"
    UNOWNED = "unowned"  # the owner left: waiting for someone to reassign
    DONE = "done"
    CANCELLED = "cancelled"


OPEN_REVIEW_STATES = (ReviewState.PENDING, ReviewState.SENDING, ReviewState.SENT, ReviewState.SNOOZED,
                      ReviewState.ESCALATING, ReviewState.ESCALATED, ReviewState.UNOWNED)


class OutboxState(StrEnum):
    PENDING = "pending"  # due at `due_at`
    SENDING = "sending"  # claimed at `claimed_at` (lease)
    SENT = "sent"
    FAILED = "failed"  # Slack refused it for good, or it kept failing


class PersonaStatus(StrEnum):
    ACTIVE = "active"
    RETIRED = "retired"


class PersonaKind(StrEnum):
    PROTO = "proto"  # a hypothesis from a workshop
    VALIDATED = "validated"  # backed by evidence


class EvidenceStance(StrEnum):
    """What a piece of evidence shows about the assumption it tests."""

    SUPPORTS = "supports"
    CHALLENGES = "challenges"


class JourneyStatus(StrEnum):
    ACTIVE = "active"
    RETIRED = "retired"  # no longer reviewed or shown in lists


class JourneyState(StrEnum):
    """Which world a journey map describes: today's experience, or the one we intend to build."""

    CURRENT = "current"
    FUTURE = "future"


class LayerKind(StrEnum):
    """Who a journey layer speaks for: a persona, or a role-based segment ("buyer") when no
    persona exists yet (shown as such, so nobody mistakes it for researched people)."""

    PERSONA = "persona"
    SEGMENT = "segment"


class JourneyChange(StrEnum):
    """What a journey revision records (its history)."""

    CREATED = "created"
    EDITED = "edited"
    STAGE_ADDED = "stage_added"
    STAGE_RENAMED = "stage_renamed"
    STAGE_MOVED = "stage_moved"
    STAGE_REMOVED = "stage_removed"
    LAYER_ADDED = "layer_added"
    LAYER_EDITED = "layer_edited"
    NOTES_LINKED = "notes_linked"


class StrEnumColumn(TypeDecorator[StrEnum]):
    """A string column that reads back as `enum_type`."""

    impl = String
    cache_ok = True

    def __init__(self, enum_type: type[StrEnum], *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.enum_type = enum_type
        self._members = {member.value: member for member in enum_type}  # a dict lookup, not Enum's __call__

    def process_bind_param(self, value: Any, dialect: Dialect) -> str | None:
        if value is None:
            return None
        return value.value if isinstance(value, self.enum_type) else self.enum_type(value).value

    def process_result_value(self, value: Any, dialect: Dialect) -> StrEnum | None:
        """Every row read converts its states (151 per ballot opened), so members are looked up
        in a dict; a value no member has still raises, as `enum_type(value)` would."""
        if value is None:
            return None
        member = self._members.get(value)
        return member if member is not None else self.enum_type(value)
