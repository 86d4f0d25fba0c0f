"""The one engine that runs every multi-step conversation (a flow declared as data).

A `Flow` lists its `Step`s; each step parses one free-text answer. The engine owns everything
the steps share: `back`, `skip`, `cancel`, `help` and `ok` (keep the current answer), the
"4 of 12" progress hint, idle expiry, and the state, which lives in one `Conversation` row per
(team, user, channel, thread). A restart therefore resumes at the same question, and a second
conversation of the same person runs in its own thread, so answers never mix.

An answer is a DM event: its handler writes the answer through the request's unit of work and
queues the bot's next message (the next question, an error) in the outbox, so the answer, the
question and the event's "processed" mark commit together before Slack gets its 200. A crash
after that still asks the question (the outbox sends it), a redelivered event is skipped, and
a question that did reach Slack is never asked again (the outbox looks before resending). Every
write compares-and-sets on the row's `updated_at` (see storage.conversations).
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from slack_bolt import App
from slack_sdk import WebClient

from bot import blocks, outbox
from bot.conversation_flow import COMMAND_WORDS, Asking, Command, Finished, Flow, Invalid, Say
from bot.deps import Deps
from bot.request_context import RequestContext
from bot.unit_of_work import UnitOfWork
from prompts import unescape_slack
from storage import conversations as store
from storage.models import Conversation
from storage.outbox import Outgoing

TEMPLATE = "conversation/engine"
TICK_NAME = "conversations"
START = "conversation.start"
MAX_ANSWER = 3000


def lane(channel_id: str, thread_ts: str) -> str:
    """One conversation's messages go out one after another, in order."""
    return f"conversation:{channel_id}:{thread_ts}"


@dataclass
class ConversationEngine:
    deps: Deps
    flows: dict[str, Flow] = field(default_factory=dict)

    def _t(self, macro: str, **kw: object) -> str:
        return self.deps.prompts.part(TEMPLATE, macro, **kw)

    def _expiry(self, now: datetime) -> datetime:
        return now + timedelta(minutes=self.deps.settings.conversation_idle_minutes)

    # -- starting ---------------------------------------------------------------------------
    def begin(self, ctx: RequestContext, *, flow: str, prefill: dict[str, Any] | None = None,
              context: dict[str, Any] | None = None) -> None:
        """In a request: queue the start (opening the DM is a Slack call, after the commit)."""
        ctx.enqueue(Outgoing(START, key=f"{START}:{ctx.trigger_id or uuid.uuid4().hex}", payload={
            "user": ctx.user_id, "flow": flow, "prefill": dict(prefill or {}), "context": dict(context or {})}))

    def send_start(self, client: WebClient, delivery: outbox.Delivery) -> tuple[str, str] | None:
        """The outbox sender of a start: open the DM, claim the place (the DM itself, or a new
        thread when a conversation is going on there), queue the intro and the first question."""
        p, team_id = delivery.payload, delivery.team_id
        spec, user_id = self.flows[p["flow"]].bound(p["context"]), str(p["user"])
        channel = client.conversations_open(users=user_id)["channel"]["id"]
        answers = {"values": p["prefill"], "context": p["context"], "started_by": delivery.id}
        intro = self.deps.prompts.part(spec.template, "intro", **p["context"])
        with UnitOfWork(self.deps) as uow:
            if any(row.answers.get("started_by") == delivery.id for row in store.list_conversations(
                    uow.db, team_id=team_id, user_id=user_id, channel_id=channel)):
                return None  # started by an earlier try of this message
            row = self._claim_place(uow, team_id, user_id, channel, "", spec, answers)
            if row is not None:
                self._say(uow, row, Say(intro))
                self._ask(uow, row, spec)
                return None
        found = outbox.find_posted(client, channel=channel, thread_ts=None, delivery=delivery) \
            if delivery.retry else None
        if found is None:
            posted = client.chat_postMessage(channel=channel, text=f"{intro}\n{self._t('in_thread')}",
                                             metadata=delivery.metadata)
            found = posted["channel"], posted["ts"]
        with UnitOfWork(self.deps) as uow:
            row = self._claim_place(uow, team_id, user_id, channel, found[1], spec, answers)
            if row is not None:
                self._ask(uow, row, spec)
        return found

    def _claim_place(self, uow: UnitOfWork, team_id: str, user_id: str, channel: str, thread_ts: str,
                     spec: Flow, answers: dict) -> Conversation | None:
        now = self.deps.clock.now()
        row = store.create_conversation(uow.db, team_id=team_id, user_id=user_id, channel_id=channel,
                                        thread_ts=thread_ts, flow=spec.name, step=spec.steps[0].key,
                                        answers=answers, now=now, expires_at=self._expiry(now))
        if row is not None:
            return row
        old = store.get_conversation(uow.db, team_id=team_id, user_id=user_id, channel_id=channel,
                                     thread_ts=thread_ts)
        if old is None or old.expires_at > now:
            return None
        store.finish_conversation(uow.db, conversation_id=old.id, seen_updated_at=old.updated_at)
        return store.create_conversation(uow.db, team_id=team_id, user_id=user_id, channel_id=channel,
                                         thread_ts=thread_ts, flow=spec.name, step=spec.steps[0].key,
                                         answers=answers, now=now, expires_at=self._expiry(now))

    # -- answering ---------------------------------------------------------------------------
    def answer(self, uow: UnitOfWork, *, team_id: str, user_id: str, channel_id: str, thread_ts: str,
               text: str) -> None:
        for _ in range(3):
            row = store.get_conversation(uow.db, team_id=team_id, user_id=user_id, channel_id=channel_id,
                                         thread_ts=thread_ts)
            if row is None and thread_ts:
                row = store.get_conversation(uow.db, team_id=team_id, user_id=user_id, channel_id=channel_id)
            if row is None:
                if not thread_ts:
                    uow.enqueue(team_id, [_post(channel_id, "", Say(self._t("no_conversation")))])
                return
            if self._answer(uow, row, text):
                return

    def _answer(self, uow: UnitOfWork, row: Conversation, text: str) -> bool:
        """False when another message got there first (the caller reads the row again)."""
        spec = self.flows.get(row.flow)
        if spec is None:
            return True
        spec = spec.bound(row.answers.get("context", {}))
        if row.expires_at <= self.deps.clock.now():
            if store.finish_conversation(uow.db, conversation_id=row.id, seen_updated_at=row.updated_at):
                self._say(uow, row, self._expired_say(spec))
            return True
        index = spec.index(row.step)
        step = spec.steps[index]
        values = dict(row.answers.get("values", {}))
        command = COMMAND_WORDS.get(text.strip().lower().rstrip(".!"))
        if command is Command.OK and not _filled(values.get(step.key)):
            command = Command.SKIP  # nothing to keep: `ok` on an empty question moves on like `skip`
        if command is Command.CANCEL:
            if store.finish_conversation(uow.db, conversation_id=row.id, seen_updated_at=row.updated_at):
                self._say(uow, row, Say(self._t("cancelled")))
            return True
        if command is Command.HELP:
            return self._reject(uow, row, spec, self._t("help", required=step.required))
        if command is Command.BACK:
            if index == 0:
                return self._reject(uow, row, spec, self._t("at_first_question"))
            return self._move(uow, row, spec, spec.steps[index - 1].key, values)
        if command is Command.SKIP:
            if step.required and not _filled(values.get(step.key)):
                return self._reject(uow, row, spec, self._t("cannot_skip"))
            if not step.required:
                values[step.key] = step.on_skip
            return self._forward(uow, row, spec, index, values)
        if command is Command.OK:
            return self._forward(uow, row, spec, index, values)
        if len(text) > MAX_ANSWER:
            return self._reject(uow, row, spec, self._t("too_long", limit=MAX_ANSWER, length=len(text)))
        try:
            values[step.key] = step.parse(text.strip(), Asking(self.deps, uow.db, row.team_id, row.user_id, values))
        except Invalid as problem:
            return self._reject(uow, row, spec, self.deps.prompts.part(spec.template, problem.macro,
                                                                       **problem.context))
        return self._forward(uow, row, spec, index, values)

    def _reject(self, uow: UnitOfWork, row: Conversation, spec: Flow, text: str) -> bool:
        """Say why, then ask the same question again; the conversation does not move."""
        self._say(uow, row, Say(text))
        self._ask(uow, row, spec)
        return True

    def _forward(self, uow: UnitOfWork, row: Conversation, spec: Flow, index: int, values: dict) -> bool:
        """The next question; straight to the end when this one was sent back by `finish`."""
        if index + 1 < len(spec.steps) and row.answers.get("redo") != spec.steps[index].key:
            return self._move(uow, row, spec, spec.steps[index + 1].key, values)
        return self._finish(uow, row, spec, values)

    def _save(self, uow: UnitOfWork, row: Conversation, step: str, answers: dict) -> bool:
        now = self.deps.clock.now()
        stamp = store.next_version(row.updated_at, now)
        if not store.advance_conversation(uow.db, conversation_id=row.id, seen_updated_at=row.updated_at,
                                          step=step, answers=answers, updated_at=stamp,
                                          expires_at=self._expiry(now)):
            return False
        row.step, row.answers, row.updated_at = step, answers, stamp
        return True

    def _move(self, uow: UnitOfWork, row: Conversation, spec: Flow, step: str, values: dict) -> bool:
        if not self._save(uow, row, step, {**row.answers, "values": values}):
            return False
        self._ask(uow, row, spec)
        return True

    def _finish(self, uow: UnitOfWork, row: Conversation, spec: Flow, values: dict) -> bool:
        """The last answer: the flow writes its result in this same unit of work, the row goes."""
        answers = {**{k: v for k, v in row.answers.items() if k != "redo"}, "values": values}
        if not self._save(uow, row, row.step, answers):
            return False
        done = Finished(row.team_id, row.user_id, row.channel_id, row.thread_ts, values,
                        dict(row.answers.get("context", {})), lane(row.channel_id, row.thread_ts))
        try:
            last = spec.finish(done, uow)
        except Invalid as problem:
            back = problem.step or spec.steps[0].key
            self._say(uow, row, Say(self.deps.prompts.part(spec.template, problem.macro, **problem.context)))
            row.answers = {**row.answers, "redo": back}  # its answer goes straight back to the end
            return self._move(uow, row, spec, back, values) or True
        store.finish_conversation(uow.db, conversation_id=row.id, seen_updated_at=row.updated_at)
        uow.enqueue(row.team_id, [last if isinstance(last, Outgoing) else _post(row.channel_id, row.thread_ts, last)])
        return True

    # -- asking and saying ------------------------------------------------------------------------
    def _ask(self, uow: UnitOfWork, row: Conversation, spec: Flow) -> None:
        index = spec.index(row.step)
        step = spec.steps[index]
        current = row.answers.get("values", {}).get(step.key)
        question = spec.question(self.deps.prompts, step.key)
        parts = [blocks.section(question)]
        if _filled(current):
            parts.append(blocks.section(self._t("current", value=spec.show(step.key, current))))
        parts.append(blocks.context(self._t("progress", number=index + 1, total=len(spec.steps),
                                            required=step.required, has_current=_filled(current))))
        self._say(uow, row, Say(question, blocks.message_blocks(parts)))

    def _say(self, uow: UnitOfWork, row: Conversation, say: Say) -> None:
        uow.enqueue(row.team_id, [_post(row.channel_id, row.thread_ts, say)])

    def _expired_say(self, spec: Flow) -> Say:
        return Say(self._t("expired", minutes=self.deps.settings.conversation_idle_minutes,
                           restart=self.deps.prompts.part(spec.template, "restart")))

    # -- expiry -----------------------------------------------------------------------------------
    def expire_idle(self) -> None:
        """Close conversations idle past `conversation_idle_minutes`, telling each person once."""
        with UnitOfWork(self.deps) as uow:
            for row in store.list_expired_conversations(uow.db, now=self.deps.clock.now()):
                spec = self.flows.get(row.flow)
                if store.finish_conversation(uow.db, conversation_id=row.id, seen_updated_at=row.updated_at) \
                        and spec is not None:
                    self._say(uow, row, self._expired_say(spec))


def _post(channel: str, thread_ts: str, say: Say) -> Outgoing:
    payload: dict[str, Any] = {"channel": channel, "text": blocks.clip(say.text, 3000)}
    if thread_ts:
        payload["thread_ts"] = thread_ts
    if say.blocks:
        payload["blocks"] = say.blocks
    return Outgoing("post", key=f"conversation:{uuid.uuid4().hex}", payload=payload, lane=lane(channel, thread_ts))


def _filled(value: Any) -> bool:
    return value not in (None, "", [])


# -- the DM listener ------------------------------------------------------------------------------
def is_for_a_conversation(event: dict[str, Any], context: dict[str, Any]) -> bool:
    """A person's DM message that answers a conversation, or is one of its words (`help`...).

    Bolt runs only the first listener that matches, so other DMs are left to other features.
    """
    if not (event.get("channel_type") == "im" and not event.get("bot_id") and not event.get("subtype")
            and bool(event.get("user")) and isinstance(event.get("text"), str)):
        return False
    if event["text"].strip().lower().rstrip(".!") in COMMAND_WORDS:
        return True
    ctx: RequestContext = context["ctx"]
    return store.has_conversation(ctx.db, team_id=ctx.team_id or event.get("team") or "", user_id=event["user"],
                                  channel_id=event["channel"])


def handle_dm(ctx: RequestContext) -> None:
    """Bolt acks the event when this returns: the answer, the next question (in the outbox) and
    the event's mark are committed together before Slack hears back."""
    event = ctx.event
    engine: ConversationEngine = ctx.deps.conversations
    engine.answer(ctx.uow, team_id=ctx.team_id or event.get("team") or "", user_id=event["user"],
                  channel_id=event["channel"], thread_ts=event.get("thread_ts") or "",
                  text=unescape_slack(event["text"]))


def send_start(deps: Deps, client: WebClient, delivery: outbox.Delivery) -> tuple[str, str] | None:
    return deps.conversations.send_start(client, delivery)


def register(app: App, deps: Deps) -> ConversationEngine:
    """The app's one engine, made and wired to DM messages the first time a feature asks."""
    if deps.conversations is not None:
        return deps.conversations
    engine = ConversationEngine(deps)
    deps.conversations = engine
    deps.ticks[TICK_NAME] = engine.expire_idle
    deps.outbox_senders[START] = outbox.Kind(send_start)
    app.event("message", matchers=[is_for_a_conversation])(handle_dm)
    return engine
