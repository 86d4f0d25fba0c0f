"""When it is polite to nudge an owner: their weekday working hours, in their own time zone.

Who owners are (`users.info`, cached per workspace) lives in bot.owners, shared with every
feature that lets a person choose an owner; it is re-exported here for governance's modules.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, tzinfo

from bot.owners import Owner, OwnerDirectory, owner_directory

__all__ = ["Owner", "OwnerDirectory", "WorkingHours", "owner_directory"]


@dataclass(frozen=True)
class WorkingHours:
    """When nudges may arrive in the owner's local time: weekdays, `start` to `end` o'clock."""

    start: int = 10
    end: int = 17

    def next_slot(self, now: datetime, tz: tzinfo) -> datetime:
        """`now` if it is within working hours where the owner is, else the next start of them."""
        local = now.astimezone(tz)
        if local.weekday() < 5 and self.start <= local.hour < self.end:
            return now
        day = local.date() if local.hour < self.start else local.date() + timedelta(days=1)
        while day.weekday() >= 5:
            day += timedelta(days=1)
        start = datetime(day.year, day.month, day.day, self.start, tzinfo=tz)
        return start.astimezone(UTC)

