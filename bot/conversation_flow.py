"""What a conversation is made of, as data: a `Flow` of `Step`s (see `bot.conversation`).

Kept apart from the engine so a feature declares its flow without the engine's machinery. A
flow is a declared state machine: the states are its steps (a row's `step` is always one of
their keys), each answer moves to the next step, `Command`s move back, skip, keep or leave,
and after the last step `finish` makes the result (or sends the person back to one step).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum
from typing import TYPE_CHECKING, Any

from sqlmodel import Session

from storage.outbox import Outgoing

if TYPE_CHECKING:
    from bot.deps import Deps
    from bot.unit_of_work import UnitOfWork
    from prompts import Prompts


class Command(StrEnum):
    """The words every step understands (the engine's, not the flow's)."""

    BACK = "back"
    SKIP = "skip"
    CANCEL = "cancel"
    HELP = "help"
    OK = "ok"  # keep the current answer


COMMAND_WORDS = {"back": Command.BACK, "skip": Command.SKIP, "cancel": Command.CANCEL, "stop": Command.CANCEL,
                 "help": Command.HELP, "?": Command.HELP, "ok": Command.OK, "keep": Command.OK}


class Invalid(Exception):
    """An answer the step cannot take; `macro` (in the flow's template) explains why."""

    def __init__(self, macro: str, step: str | None = None, **context: object) -> None:
        super().__init__(macro)
        self.macro, self.step, self.context = macro, step, context


@dataclass(frozen=True)
class Asking:
    """What a step's parser may look at besides the text (`db`: the request's unit of work)."""

    deps: Deps
    db: Session
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
    """The answers, and where the conversation took place (`lane`: its messages' outbox lane)."""

    team_id: str
    user_id: str
    channel_id: str
    thread_ts: str
    values: dict[str, Any]
    context: dict[str, Any]
    lane: str


@dataclass(frozen=True)
class Say:
    """A message to post in the conversation."""

    text: str
    blocks: list[dict] | None = None


@dataclass(frozen=True)
class Flow:
    """A conversation as data. `template` holds `intro`, `question_<step>` and the error macros;
    `show(key, value)` reads a stored answer back; `finish(done, uow)` writes the result in the
    unit of work of the last answer and returns the last message (a `Say`, or an outbox message
    of the flow's own); it may raise Invalid with `step` set to send the person back there.

    A flow whose steps depend on what it is about (a journey's stages) gives `bind`: the
    conversation's stored context -> the flow with its steps (and `ask`: step key -> question),
    so a restart rebuilds the same steps from the row alone."""

    name: str
    template: str
    steps: tuple[Step, ...]
    show: Callable[[str, Any], str]
    finish: Callable[[Finished, UnitOfWork], Say | Outgoing]
    bind: Callable[[dict[str, Any]], Flow] | None = None
    ask: Callable[[str], str] | None = None

    def bound(self, context: dict[str, Any]) -> Flow:
        return self.bind(context) if self.bind is not None else self

    def question(self, prompts: Prompts, key: str) -> str:
        return self.ask(key) if self.ask is not None else prompts.part(self.template, f"question_{key}")

    def index(self, key: str) -> int:
        return next(i for i, step in enumerate(self.steps) if step.key == key)
