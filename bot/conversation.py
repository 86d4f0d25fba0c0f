"""The one engine that runs every multi-step conversation (a flow declared as data).

A `Flow` lists its `Step`s; each step parses one free-text answer. The engine owns everything
the steps share: `back`, `skip`, `cancel`, `help` and `ok` (keep the current answer), the
"4 of 12" progress hint, idle expiry, and the state, which lives in one `Conversation` row per
(team, user, channel, thread). A restart therefore resumes at the same question, and a second
conversation of the same person runs in its own thread, so answers never mix.

Every write compares-and-sets on the row's `updated_at` (see storage.conversations).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from slack_bolt import App
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot import blocks
from bot.conversation_flow import Asking, Finished, Flow, Invalid, Say, Step
from bot.deps import Deps
from bot.slack_client import NotInstalled
from prompts import unescape_slack
from storage import conversations as store
from storage.models import Conversation

log = logging.getLogger(__name__)
TEMPLATE = "conversation/engine"
TICK_NAME = "conversations"
MAX_ANSWER = 3000
COMMANDS = {"back": "back", "skip": "skip", "cancel": "cancel", "stop": "cancel", "help": "help", "?": "help",
            "ok": "ok", "keep": "ok"}
FINISHING = "__finishing__"
__all__ = ["Asking", "ConversationEngine", "Finished", "Flow", "Invalid", "Say", "Step", "conversations"]


@dataclass
class ConversationEngine:
    deps: Deps
    flows: dict[str, Flow] = field(default_factory=dict)

    def _t(self, macro: str, **kw: object) -> str:
        return self.deps.prompts.part(TEMPLATE, macro, **kw)

    def _expiry(self, now: Any) -> Any:
        return now + timedelta(minutes=self.deps.settings.conversation_idle_minutes)

    # -- starting ---------------------------------------------------------------------------
    def start(self, client: WebClient, *, team_id: str, user_id: str, flow: str,
              prefill: dict[str, Any] | None = None, context: dict[str, Any] | None = None) -> str:
        """Open the person's DM and ask the first question; returns the DM channel id."""
        spec = self.flows[flow]
        channel = client.conversations_open(users=user_id)["channel"]["id"]
        now = self.deps.clock.now()
        answers = {"values": dict(prefill or {}), "context": dict(context or {})}
        row = self._claim_place(team_id, user_id, channel, "", spec, answers)
        thread_ts = ""
        intro = self.deps.prompts.part(spec.template, "intro", **answers["context"])
        if row is None:
            posted = client.chat_postMessage(channel=channel, text=f"{intro}\n{self._t('in_thread')}")
            thread_ts = posted["ts"]
            row = self._claim_place(team_id, user_id, channel, thread_ts, spec, answers)
            if row is None:
                raise RuntimeError("could not start a conversation")
        else:
            client.chat_postMessage(channel=channel, text=intro)
        log.info("conversation %s started for %s (%s %s) at %s", flow, user_id, channel, thread_ts, now)
        self._ask(client, row, spec, answers)
        return channel

    def _claim_place(self, team_id: str, user_id: str, channel: str, thread_ts: str, spec: Flow,
                     answers: dict) -> Conversation | None:
        now = self.deps.clock.now()
        for _ in range(2):
            row = store.create_conversation(self.deps.engine, team_id=team_id, user_id=user_id,
                                            channel_id=channel, thread_ts=thread_ts, flow=spec.name,
                                            step=spec.steps[0].key, answers=answers, now=now,
                                            expires_at=self._expiry(now))
            if row is not None:
                return row
            old = store.get_conversation(self.deps.engine, team_id=team_id, user_id=user_id,
                                         channel_id=channel, thread_ts=thread_ts)
            if old is None or old.expires_at > now:
                return None
            store.finish_conversation(self.deps.engine, conversation_id=old.id, seen_updated_at=old.updated_at)
        return None

    # -- answering ---------------------------------------------------------------------------
    def handle_message(self, client: WebClient, *, team_id: str, user_id: str, channel_id: str,
                       thread_ts: str, text: str) -> None:
        for _ in range(3):
            row = store.get_conversation(self.deps.engine, team_id=team_id, user_id=user_id,
                                         channel_id=channel_id, thread_ts=thread_ts)
            if row is None and thread_ts:
                row = store.get_conversation(self.deps.engine, team_id=team_id, user_id=user_id,
                                             channel_id=channel_id, thread_ts="")
            if row is None:
                if not thread_ts:
                    self._post(client, channel_id, "", Say(self._t("no_conversation")))
                return
            if self._answer(client, row, text):
                return

    def _answer(self, client: WebClient, row: Conversation, text: str) -> bool:
        """Apply one message to the conversation; False when another message got there first."""
        spec = self.flows.get(row.flow)
        now = self.deps.clock.now()
        if spec is None or row.step == FINISHING:
            return True
        if row.expires_at <= now:
            if store.finish_conversation(self.deps.engine, conversation_id=row.id, seen_updated_at=row.updated_at):
                self._post(client, row.channel_id, row.thread_ts, self._expired_say(spec))
            return True
        index = spec.index(row.step)
        step = spec.steps[index]
        values = dict(row.answers.get("values", {}))
        has_current = _filled(values.get(step.key))
        command = COMMANDS.get(text.strip().lower().rstrip(".!"))
        if command == "cancel":
            if store.finish_conversation(self.deps.engine, conversation_id=row.id, seen_updated_at=row.updated_at):
                self._post(client, row.channel_id, row.thread_ts, Say(self._t("cancelled")))
            return True
        if command == "help":
            self._post(client, row.channel_id, row.thread_ts, Say(self._t("help", required=step.required)))
            self._ask(client, row, spec, row.answers)
            return True
        if command == "back":
            if index == 0:
                self._post(client, row.channel_id, row.thread_ts, Say(self._t("at_first_question")))
                self._ask(client, row, spec, row.answers)
                return True
            return self._move(client, row, spec, spec.steps[index - 1].key, values)
        if command == "ok" and not has_current:
            command = "skip"  # nothing to keep: `ok` on an empty question moves on like `skip`
        if command == "skip":
            if step.required and not has_current:
                self._post(client, row.channel_id, row.thread_ts, Say(self._t("cannot_skip")))
                self._ask(client, row, spec, row.answers)
                return True
            if not step.required:
                values[step.key] = step.on_skip
            return self._forward(client, row, spec, index, values)
        if command == "ok":
            return self._forward(client, row, spec, index, values)
        if len(text) > MAX_ANSWER:
            return self._reject(client, row, spec, Say(self._t("too_long", limit=MAX_ANSWER, length=len(text))))
        try:
            values[step.key] = step.parse(text.strip(), self._asking(row, values))
        except Invalid as problem:
            return self._reject(client, row, spec, Say(
                self.deps.prompts.part(spec.template, problem.macro, **problem.context)))
        return self._forward(client, row, spec, index, values)

    def _asking(self, row: Conversation, values: dict[str, Any]) -> Asking:
        return Asking(self.deps, row.team_id, row.user_id, values)

    def _reject(self, client: WebClient, row: Conversation, spec: Flow, say: Say) -> bool:
        self._post(client, row.channel_id, row.thread_ts, say)
        self._ask(client, row, spec, row.answers, repeat=True)
        return True

    def _forward(self, client: WebClient, row: Conversation, spec: Flow, index: int, values: dict) -> bool:
        """The next question; straight to the end when this one was sent back by `finish`."""
        if index + 1 < len(spec.steps) and row.answers.get("redo") != spec.steps[index].key:
            return self._move(client, row, spec, spec.steps[index + 1].key, values)
        return self._finish(client, row, spec, values)

    def _move(self, client: WebClient, row: Conversation, spec: Flow, step: str, values: dict) -> bool:
        answers = {**row.answers, "values": values}
        now = self.deps.clock.now()
        stamp = store.next_version(row.updated_at, now)
        if not store.advance_conversation(self.deps.engine, conversation_id=row.id, seen_updated_at=row.updated_at,
                                          step=step, answers=answers, updated_at=stamp,
                                          expires_at=self._expiry(now)):
            return False
        row.step, row.answers, row.updated_at = step, answers, stamp
        self._ask(client, row, spec, answers)
        return True

    def _finish(self, client: WebClient, row: Conversation, spec: Flow, values: dict) -> bool:
        now = self.deps.clock.now()
        stamp = store.next_version(row.updated_at, now)
        answers = {**{k: v for k, v in row.answers.items() if k != "redo"}, "values": values}
        if not store.advance_conversation(self.deps.engine, conversation_id=row.id, seen_updated_at=row.updated_at,
                                          step=FINISHING, answers=answers, updated_at=stamp,
                                          expires_at=self._expiry(now)):
            return False
        row.step, row.answers, row.updated_at = FINISHING, answers, stamp
        done = Finished(row.team_id, row.user_id, row.channel_id, row.thread_ts, values,
                        dict(row.answers.get("context", {})))
        try:
            say = spec.finish(done)
        except Invalid as problem:
            back = problem.step or spec.steps[0].key
            self._post(client, row.channel_id, row.thread_ts,
                       Say(self.deps.prompts.part(spec.template, problem.macro, **problem.context)))
            row.answers = {**row.answers, "redo": back}
            return self._move(client, row, spec, back, values) or True
        except Exception:
            self._move(client, row, spec, spec.steps[-1].key, values)
            raise
        store.finish_conversation(self.deps.engine, conversation_id=row.id, seen_updated_at=stamp)
        self._post(client, row.channel_id, row.thread_ts, say)
        return True

    # -- asking and saying ------------------------------------------------------------------------
    def _ask(self, client: WebClient, row: Conversation, spec: Flow, answers: dict, repeat: bool = False) -> None:
        index = spec.index(row.step)
        step = spec.steps[index]
        values = answers.get("values", {})
        question = self.deps.prompts.part(spec.template, f"question_{step.key}")
        parts = [blocks.section(question)]
        current = values.get(step.key)
        if _filled(current):
            parts.append(blocks.section(self._t("current", value=spec.show(step.key, current))))
        parts.append(blocks.context(self._t("progress", number=index + 1, total=len(spec.steps),
                                            required=step.required, has_current=_filled(current))))
        self._post(client, row.channel_id, row.thread_ts, Say(question, blocks.message_blocks(parts)))

    def _expired_say(self, spec: Flow) -> Say:
        return Say(self._t("expired", minutes=self.deps.settings.conversation_idle_minutes,
                           restart=self.deps.prompts.part(spec.template, "restart")))

    def _post(self, client: WebClient, channel: str, thread_ts: str, say: Say) -> None:
        try:
            posted = client.chat_postMessage(channel=channel, thread_ts=thread_ts or None,
                                             text=blocks.clip(say.text, 3000), blocks=say.blocks)
        except SlackApiError as exc:
            log.warning("could not post in conversation %s: %s", channel, exc.response.get("error"))
            return
        if say.posted is not None:
            say.posted(posted["channel"], posted["ts"])

    # -- expiry -----------------------------------------------------------------------------------
    def expire_idle(self) -> None:
        """Close conversations idle past `conversation_idle_minutes`, telling each person once."""
        for row in store.list_expired_conversations(self.deps.engine, now=self.deps.clock.now()):
            spec = self.flows.get(row.flow)
            finished = store.finish_conversation(self.deps.engine, conversation_id=row.id,
                                                 seen_updated_at=row.updated_at)
            if finished and spec is not None:
                try:
                    client = self.deps.client_for(row.team_id)
                except NotInstalled:  # the workspace removed the app: nobody to tell
                    continue
                self._post(client, row.channel_id, row.thread_ts, self._expired_say(spec))


def _filled(value: Any) -> bool:
    return value not in (None, "", [])


def conversations(app: App, deps: Deps) -> ConversationEngine:
    """The app's one engine, created and wired to DM messages the first time a feature asks."""
    if deps.conversations is not None:
        return deps.conversations
    engine = ConversationEngine(deps)
    deps.conversations = engine
    deps.ticks[TICK_NAME] = engine.expire_idle

    def is_for_a_conversation(event: dict[str, Any], context: dict[str, Any]) -> bool:
        """A person's DM message that answers a conversation, or is one of its words (`help`...).

        Bolt runs only the first listener that matches, so other DMs are left to other features.
        """
        if not (event.get("channel_type") == "im" and not event.get("bot_id") and not event.get("subtype")
                and bool(event.get("user")) and isinstance(event.get("text"), str)):
            return False
        if event["text"].strip().lower().rstrip(".!") in COMMANDS:
            return True
        return store.has_conversation(deps.engine, team_id=context.get("team_id") or event.get("team") or "",
                                      user_id=event["user"], channel_id=event["channel"])

    def handle_dm(event: dict[str, Any], context: dict[str, Any], client: WebClient) -> None:
        engine.handle_message(client, team_id=context.get("team_id") or event.get("team") or "",
                              user_id=event["user"], channel_id=event["channel"],
                              thread_ts=event.get("thread_ts") or "", text=unescape_slack(event["text"]))

    app.event("message", matchers=[is_for_a_conversation])(handle_dm)
    return engine
