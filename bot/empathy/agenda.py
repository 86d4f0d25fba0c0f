"""The phases of a session and their timeboxes, fitted to the chosen duration.

From METHOD.md: introduce the person (about 5 of 30 min), fill the sections (2-5 min each),
group and vote (about 5 min), then discuss and wrap up. So the intro, the grouping and the vote
are capped (at 5 min each) whatever the length, a section never gets less than 2 or more than
5 min, and the discussion and wrap-up get the rest: a long session is long where the team talks,
not where it waits for a timer. When the time is too short for everything, the fixed phases give
way first (down to a minute), then the Group phase is left out.

The classic canvas has one phase per quadrant. The updated canvas (Dave Gray, 2017) follows his
order: who and goal (the intro), sees, says, does, hears, then *Think and feel* as one area with
its pains and gains inside it, so that last phase takes notes in three areas.

A session stores the agenda it started with (`EmpathySession.agenda`), so a change to this
module never moves a running session's phases under it.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from functools import lru_cache
from typing import Any

from storage.models import EmpathySession

SECTION_PHASES: dict[str, tuple[tuple[str, tuple[str, ...]], ...]] = {
    "classic": (("says", ("says",)), ("thinks", ("thinks",)), ("does", ("does",)), ("feels", ("feels",)),
                ("pains", ("pains",)), ("gains", ("gains",))),
    "updated": (("sees", ("sees",)), ("says", ("says",)), ("does", ("does",)), ("hears", ("hears",)),
                ("thinkfeel", ("thinks", "pains", "gains"))),
}
CANVASES: dict[str, tuple[str, ...]] = {  # the note areas of each canvas, in its order
    canvas: tuple(area for _, areas in phases for area in areas) for canvas, phases in SECTION_PHASES.items()
}
MIN_MINUTES, MAX_MINUTES, DEFAULT_MINUTES = 15, 120, 30
SECTION_MIN, SECTION_MAX, CAPPED_MAX, FLOOR = 120, 300, 300, 60
README_LENGTHS = (15, 30, 60, 120)


class PhaseKind(StrEnum):
    INTRO = "intro"
    SECTION = "section"
    GROUP = "group"
    VOTE = "vote"
    WRAPUP = "wrapup"

    @property
    def writing(self) -> bool:
        """Notes can be added (the intro too: people jot down what they already know)."""
        return self in (PhaseKind.INTRO, PhaseKind.SECTION)


@dataclass(frozen=True)
class Phase:
    key: str
    kind: PhaseKind
    seconds: int
    areas: tuple[str, ...] = ()  # the note areas a section phase writes into

    def to_row(self) -> dict[str, Any]:
        return {"key": self.key, "kind": self.kind.value, "seconds": self.seconds, "areas": list(self.areas)}

    @staticmethod
    def from_row(row: dict[str, Any]) -> Phase:
        return Phase(str(row["key"]), PhaseKind(row["kind"]), int(row["seconds"]),
                     tuple(row.get("areas") or ()))


def _half_minutes(seconds: float, low: int, high: int) -> int:
    return int(min(high, max(low, seconds // 30 * 30)))


def build_agenda(canvas: str, minutes: int) -> list[Phase]:
    """The plan for a new session; the phases add up to exactly `minutes`."""
    total, sections = minutes * 60, SECTION_PHASES[canvas]
    count = len(sections)
    fixed = {"intro": _half_minutes(total / 6, FLOOR, CAPPED_MAX),
             "group": _half_minutes(total / 15, FLOOR, CAPPED_MAX),
             "vote": _half_minutes(total / 10, FLOOR, CAPPED_MAX)}
    if 4 * FLOOR + count * SECTION_MIN > total:
        del fixed["group"]  # no time to converge: better a vote than no sections
    talk = max(2 * FLOOR, total // 6)
    each = _half_minutes((total - sum(fixed.values()) - talk) / count, SECTION_MIN, SECTION_MAX)
    while total - sum(fixed.values()) - count * each < FLOOR and max(fixed.values()) > FLOOR:
        longest = max(fixed, key=lambda key: fixed[key])
        fixed[longest] = max(FLOOR, fixed[longest] - 30)
    wrapup = total - sum(fixed.values()) - count * each
    plan = [Phase("intro", PhaseKind.INTRO, fixed["intro"]),
            *(Phase(key, PhaseKind.SECTION, each, areas) for key, areas in sections)]
    if "group" in fixed:
        plan.append(Phase("group", PhaseKind.GROUP, fixed["group"]))
    return [*plan, Phase("vote", PhaseKind.VOTE, fixed["vote"]), Phase("wrapup", PhaseKind.WRAPUP, wrapup)]


def agenda_rows(canvas: str, minutes: int) -> list[dict[str, Any]]:
    """The plan as stored on the session."""
    return [phase.to_row() for phase in build_agenda(canvas, minutes)]


def stored_agenda(rows: list[dict[str, Any]] | None, canvas: str, minutes: int) -> list[Phase]:
    """The session's own plan (a row made before plans were stored has today's)."""
    if not rows:
        return build_agenda(canvas, minutes)
    key = tuple((row["key"], row["kind"], row["seconds"], tuple(row.get("areas") or ())) for row in rows)
    return list(_phases(key))


@lru_cache(maxsize=256)
def _phases(rows: tuple[tuple[Any, Any, Any, tuple[str, ...]], ...]) -> tuple[Phase, ...]:
    """A board names each area through the plan a dozen times per render, and every click reads
    the phase: the few plans in use are made into phases once."""
    return tuple(Phase.from_row({"key": key, "kind": kind, "seconds": seconds, "areas": areas})
                 for key, kind, seconds, areas in rows)


def of_session(session: EmpathySession) -> list[Phase]:
    return stored_agenda(session.agenda, session.canvas, session.duration_minutes)


def areas_of(session: EmpathySession) -> tuple[str, ...]:
    """The note areas of a session's canvas, in its order."""
    return section_areas(of_session(session))


def phase_at(agenda: list[Phase], index: int) -> Phase:
    """The phase at `index`; past the end (a finished session) the last one."""
    return agenda[min(max(index, 0), len(agenda) - 1)]


def section_areas(agenda: list[Phase]) -> tuple[str, ...]:
    """Every note area of a plan, in its order."""
    return tuple(area for phase in agenda if phase.kind == PhaseKind.SECTION for area in phase.areas)


def agenda_table(minutes_list: tuple[int, ...] = README_LENGTHS) -> list[list[str]]:
    """README's agenda table (a test compares it with README): one row per phase kind, one column
    per canvas and length, in minutes."""
    def fmt(seconds: int) -> str:
        return f"{seconds // 60}" if seconds % 60 == 0 else f"{seconds / 60:.1f}"

    head = ["Phase", *(f"{canvas} {m} min" for canvas in SECTION_PHASES for m in minutes_list)]
    rows = []
    for label, pick in (("Intro: who and goal", PhaseKind.INTRO), ("Each section", PhaseKind.SECTION),
                        ("Group", PhaseKind.GROUP), ("Vote", PhaseKind.VOTE),
                        ("Discuss and wrap up", PhaseKind.WRAPUP)):
        row = [label]
        for canvas in SECTION_PHASES:
            for m in minutes_list:
                found = [p.seconds for p in build_agenda(canvas, m) if p.kind == pick]
                row.append(fmt(found[0]) if found else "-")
        rows.append(row)
    return [head, *rows]


def agenda_markdown() -> str:
    """`agenda_table` as README's Markdown table (`python -m bot.empathy.agenda` prints it)."""
    head, *rows = agenda_table()
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    return "\n".join([*lines, *("| " + " | ".join(row) + " |" for row in rows)])


if __name__ == "__main__":
    print(agenda_markdown())
