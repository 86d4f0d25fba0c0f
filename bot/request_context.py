"""One request, one typed context, one unit of work; and an `ack()` that commits first.

A global middleware builds `RequestContext` from Bolt's context and the body (who, where, which
button and value, which view) and puts it in Bolt's context as `ctx`, so every handler can ask
for it by name: `def handle_join(ack: Ack, ctx: RequestContext)`. It also replaces the
request's `ack` with `CommittingAck`: the unit of work is committed when the handler acks, so
what the person is told is saved is in the database before Slack hears back, and nothing
(the work queued with `ctx.later`, the outbox) starts before that commit. If the commit fails,
the ack says so instead of pretending.

The app runs with `process_before_response`: a handler runs to its end before the answer goes
back, so it only reads, writes and acks; every Slack call goes through `ctx.later`.

An event's "already processed" mark is written by that commit, so it commits together with
what the event produced (or not at all, and Slack's redelivery does the work). A redelivery of
an event already processed is answered before any listener runs; one that races the first
delivery keeps nothing of what its handler wrote.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from slack_bolt import Ack, BoltRequest, BoltResponse
from slack_sdk import WebClient
from sqlalchemy.exc import SQLAlchemyError
from sqlmodel import Session

from bot.deps import Deps
from bot.private_reply import tell_user
from bot.unit_of_work import UnitOfWork
from storage import events
from storage.db import log_failure
from storage.outbox import Outgoing

log = logging.getLogger(__name__)
TRY_AGAIN = "errors/try_again"


@dataclass
class RequestContext:
    deps: Deps
    body: dict[str, Any]
    client: WebClient
    kind: str  # block_actions, view_submission, slash command ("command"), event_callback, shortcut...
    team_id: str
    user_id: str
    channel_id: str
    trigger_id: str
    response_url: str
    action: dict[str, Any] = field(default_factory=dict)
    view: dict[str, Any] = field(default_factory=dict)
    event: dict[str, Any] = field(default_factory=dict)
    uow: UnitOfWork = field(init=False)

    def __post_init__(self) -> None:
        self.uow = UnitOfWork(self.deps)

    def __deepcopy__(self, _memo: dict) -> RequestContext:
        return self  # one request's context; never copied (we use no lazy listeners)

    @classmethod
    def from_bolt(cls, deps: Deps, request: BoltRequest) -> RequestContext:
        body, context = request.body if isinstance(request.body, dict) else {}, request.context
        actions = body.get("actions")
        action = actions[0] if isinstance(actions, list) and actions and isinstance(actions[0], dict) else {}
        view, event = body.get("view"), body.get("event")
        return cls(
            deps=deps, body=body, client=context.client,
            kind=str(body.get("type") or ("command" if body.get("command") else "")),
            team_id=str(context.team_id or _team_of(body)),
            user_id=str(context.user_id or ""),
            channel_id=str(context.channel_id or ""),
            trigger_id=str(body.get("trigger_id") or ""),
            response_url=str(context.response_url or ""),
            action=action, view=view if isinstance(view, dict) else {},
            event=event if isinstance(event, dict) else {},
        )

    # -- what the action carries ------------------------------------------------------------
    @property
    def action_id(self) -> str:
        return str(self.action.get("action_id") or "")

    @property
    def value(self) -> str:
        """The clicked button's value, or the chosen option's."""
        return str(self.action.get("value") or (self.action.get("selected_option") or {}).get("value") or "")

    @property
    def private_metadata(self) -> str:
        return str(self.view.get("private_metadata") or "")

    @property
    def message_ts(self) -> str:
        return str((self.body.get("container") or {}).get("message_ts") or "")

    # -- the unit of work -------------------------------------------------------------------
    @property
    def db(self) -> Session:
        return self.uow.db

    def now(self) -> datetime:
        return self.deps.clock.now()

    def enqueue(self, *messages: Outgoing) -> int:
        """Queue outbox messages with this request's writes; sent once they are committed."""
        return self.uow.enqueue(self.team_id, list(messages))

    def later(self, work: Callable[..., None], /, *args: object, **kwargs: object) -> None:
        """Slack calls and other slow work: after the ack (and so after the commit)."""
        self.uow.after_commit(work, *args, **kwargs)


def _team_of(body: dict[str, Any]) -> str:
    team = body.get("team")
    return (team.get("id") if isinstance(team, dict) else None) or body.get("team_id") or \
        ((body.get("user") or {}).get("team_id") if isinstance(body.get("user"), dict) else None) or ""


class CommittingAck(Ack):
    """`ack()` that commits the request's unit of work first, and says so when it cannot."""

    def __init__(self, ctx: RequestContext) -> None:
        super().__init__()
        self.ctx = ctx

    def __call__(self, *args: Any, **kwargs: Any) -> BoltResponse:  # type: ignore[override]
        try:
            self.ctx.uow.commit()  # a redelivered event: nothing kept, and Slack gets its 200
        except SQLAlchemyError as error:
            log_database_error("save", self.ctx, error)
            return self.refuse()
        return super().__call__(*args, **kwargs)

    def refuse(self) -> BoltResponse:
        """Nothing was saved: say so where Slack shows it (inline in a form, in reply to a
        command, as an ephemeral after a click); an event gets a 500 so Slack sends it again."""
        ctx = self.ctx
        text = ctx.deps.prompts.render(TRY_AGAIN)
        if ctx.kind == "event_callback":
            self.response = BoltResponse(status=500, body="")
            return self.response
        if ctx.kind == "view_submission":
            block = _first_input(ctx.view)
            if block:
                return super().__call__(response_action="errors", errors={block: text})
        if ctx.kind == "command":
            return super().__call__(text=text, response_type="ephemeral")
        ctx.deps.later(tell_privately, ctx, text)
        return super().__call__()


def log_database_error(doing: str, ctx: RequestContext, error: BaseException) -> None:
    log_failure(log, error, "could not %s a %s from %s", doing, ctx.kind, ctx.user_id)


def _first_input(view: dict[str, Any]) -> str:
    for block in view.get("blocks") or []:
        if isinstance(block, dict) and block.get("type") == "input" and block.get("block_id"):
            return str(block["block_id"])
    return ""


def tell_privately(ctx: RequestContext, text: str) -> None:
    tell_user(ctx.body, ctx.client, text, channel=ctx.channel_id)


def request_middleware(deps: Deps) -> Callable[..., BoltResponse | None]:
    """Bolt global middleware: the typed context, the committing ack, the event's mark."""

    def open_request(req: BoltRequest, resp: BoltResponse, next: Callable[[], None]) -> BoltResponse | None:
        ctx = RequestContext.from_bolt(deps, req)
        req.context["ctx"] = ctx
        req.context["ack"] = CommittingAck(ctx)
        event_id = ctx.body.get("event_id") if ctx.kind == "event_callback" else None
        if event_id:
            if events.is_processed(ctx.db, event_id=str(event_id)):
                ctx.uow.rollback()  # a redelivery: answered before any listener runs
                return BoltResponse(status=200, body="")
            ctx.uow.mark_event(str(event_id), ctx.team_id)
        next()
        return resp

    return open_request
