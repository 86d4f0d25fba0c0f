"""What a conversation is made of, as data: a `Flow` of `Step`s (see `bot.conversation`).

Kept apart from the engine so a feature declares its flow without the engine's machinery.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from bot.deps import Deps


class Invalid(Exception):
    """An answer the step cannot take; `macro` (in the flow's template) explains why."""

    def __init__(self, macro: str, step: str | None = None, **context: object) -> None:
        super().__init__(macro)
        self.macro, self.step, self.context = macro, step, context


@dataclass(frozen=True)
class Asking:
    """What a step's parser may look at besides the text."""

    deps: Deps
    team_id: str
    user_id: str
    values: dict[str, Any]


@dataclass(frozen=True)
class Step:
    key: str
    parse: Callable[[str, Asking], Any]
    required: bool = False
    on_skip: Any = None


@dataclass(frozen=True)
class Finished:
    team_id: str
    user_id: str
    channel_id: str
    thread_ts: str
    values: dict[str, Any]
    context: dict[str, Any]


@dataclass(frozen=True)
class Say:
    """A message to post; `posted(channel, ts)` is told where it landed (e.g. to update it later)."""

    text: str
    blocks: list[dict] | None = None
    posted: Callable[[str, str], None] | None = None


@dataclass(frozen=True)
class Flow:
    """A conversation as data. `template` holds `intro`, `question_<step>` and the error macros;
    `show(key, value)` reads a stored answer back; `finish` makes the result (may raise Invalid
    with `step` set to send the person back to that question)."""

    name: str
    template: str
    steps: tuple[Step, ...]
    show: Callable[[str, Any], str]
    finish: Callable[[Finished], Say]

    def index(self, key: str) -> int:
        return next(i for i, step in enumerate(self.steps) if step.key == key)
