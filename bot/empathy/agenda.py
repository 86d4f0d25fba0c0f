"""The phases of a session and their timeboxes, scaled to the chosen duration.

From METHOD.md: introduce the person (~5 of 30 min), fill the sections (2-5 min each), vote and
discuss (~5 min), wrap up. The classic canvas has says/thinks/does/feels + pains/gains; the
updated canvas (Dave Gray) adds see and hear.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

CANVASES: dict[str, tuple[str, ...]] = {
    "classic": ("says", "thinks", "does", "feels", "pains", "gains"),
    "updated": ("sees", "says", "does", "hears", "thinks", "feels", "pains", "gains"),
}
MIN_MINUTES, MAX_MINUTES, DEFAULT_MINUTES = 10, 120, 30


class PhaseKind(StrEnum):
    INTRO = "intro"
    SECTION = "section"
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


def build_agenda(canvas: str, minutes: int) -> list[Phase]:
    """Intro and vote take a sixth each, wrap-up a fifteenth; the sections share the rest."""
    total = minutes * 60
    intro = vote = total // 6
    wrapup = total // 15
    sections = CANVASES[canvas]
    each = (total - intro - vote - wrapup) // len(sections)
    return [
        Phase("intro", PhaseKind.INTRO, intro),
        *(Phase(key, PhaseKind.SECTION, each) for key in sections),
        Phase("vote", PhaseKind.VOTE, vote),
        Phase("wrapup", PhaseKind.WRAPUP, wrapup),
    ]


def phase_at(agenda: list[Phase], index: int) -> Phase:
    """The phase at `index`; past the end (a finished session) the last one."""
    return agenda[min(max(index, 0), len(agenda) - 1)]
