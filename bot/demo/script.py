"""The scripted workshop: a facilitator and three teammates, played through real Slack payloads.

Each step is what a person does in Slack (a slash command, a click, a form, a message) sent to
the running app; the recorder keeps what the bot posted in answer. The words people type come
from prompts/demo/script.j2, so a team previewing its own PROMPTS_DIR can change them too.
"""

from __future__ import annotations

from typing import Any

from sqlmodel import select

from bot.demo.stage import DemoError, Stage
from bot.demo.transcript import Recorder
from bot.empathy import ids as empathy
from bot.personas import ids as personas
from local_slack import payloads
from prompts import Prompts
from storage.db import unit_of_work
from storage.models import EmpathySession, Persona

SCRIPT = "demo/script"
TEAM = "T0001"
CHANNEL = "C0CXRESEARCH"
FACILITATOR, ANA, BEN, CHLOE = "U0SAM", "U0ANA", "U0BEN", "U0CHLOE"
PEOPLE = {FACILITATOR: ("Sam", "Europe/Berlin"), ANA: ("Ana", "Europe/Lisbon"), BEN: ("Ben", "America/New_York"),
          CHLOE: ("Chloe", "Europe/Paris")}
# The persona conversation's fifteen questions: name, role, product area, context, goals, behaviors, beliefs,
# needs, frustrations, opportunities, quote (`ok` keeps what the session found), what we are unsure of,
# confidence, owner, cadence
_ANSWERS = ["persona_name", "ok", "skip", "persona_context", "ok", "ok", "ok", "ok", "ok", "skip", "ok",
            "persona_unsure", "low", "ok", "ok"]


class Workshop:
    """One session in one channel, played step by step while the recorder watches."""

    def __init__(self, stage: Stage, prompts: Prompts, recorder: Recorder) -> None:
        self.stage, self.prompts, self.rec = stage, prompts, recorder
        self.session_id, self.board_ts = 0, ""

    def t(self, macro: str, **context: Any) -> str:
        return self.prompts.part(SCRIPT, macro, **context)

    def scene(self, name: str, **context: Any) -> None:
        self.rec.scene(self.t(f"{name}_title"), self.t(f"{name}_text", **context))

    # -- reading ----------------------------------------------------------------------------------
    def session(self) -> EmpathySession:
        with unit_of_work(self.stage.engine) as db:
            row = db.get(EmpathySession, self.session_id) if self.session_id else \
                db.exec(select(EmpathySession).order_by(EmpathySession.id.desc())).first()  # type: ignore[union-attr]
            if row is None:
                raise DemoError("the session was not created")
            db.expunge(row)
            return row

    def persona(self) -> Persona | None:
        with unit_of_work(self.stage.engine) as db:
            row = db.exec(select(Persona)).first()
            if row is not None:
                db.expunge(row)
            return row

    # -- acting -----------------------------------------------------------------------------------
    def click(self, action_id: str, user: str, value: str, **where: Any) -> None:
        where = where or {"channel": CHANNEL, "message_ts": self.board_ts}
        self.stage.send("interactive", payloads.block_actions(action_id, value=value, user=user, team=TEAM, **where))

    def opened_view(self, action: Any) -> dict[str, Any]:
        """Do `action` (a click or command that opens a modal) and return the modal Slack opened."""
        before = len(self.stage.slack.calls_to("views.open"))
        action()
        opened = self.stage.slack.calls_to("views.open")
        if len(opened) <= before:
            raise DemoError("a modal did not open")
        return opened[before].response["view"]

    def submit(self, callback_id: str, values: dict[str, Any], *, user: str, view: dict[str, Any]) -> None:
        answer = self.stage.send("interactive", payloads.view_submission(
            callback_id, values, private_metadata=view.get("private_metadata", ""), user=user, team=TEAM,
            view_id=view.get("id", "V0001")))
        if answer.body_text.strip():
            reply = answer.json()
            if reply.get("response_action") == "errors":
                raise DemoError(f"the bot refused the {callback_id} form: {reply.get('errors')}")
            if reply.get("response_action") == "update":
                self.rec.view_answer(reply["view"])

    def control(self, phase: int) -> None:
        self.click(empathy.NEXT_PHASE, FACILITATOR, f"{self.session_id}:{phase}")
        self.stage.wait_until(lambda: self.session().phase_index == phase + 1, f"phase {phase + 1}")

    def add_notes(self, user: str, macro: str) -> None:
        text = self.t(macro)
        view = self.opened_view(lambda: self.click(empathy.ADD_NOTE, user, str(self.session_id)))
        quadrant = next(b for b in view["blocks"] if b.get("block_id") == empathy.QUADRANT_BLOCK)
        self.rec.person(user, text, "form")
        self.submit(empathy.NOTE_MODAL, {
            empathy.NOTE_TEXT_BLOCK: {"value": text},
            empathy.QUADRANT_BLOCK: {"value": payloads.input_static_select(
                quadrant["element"]["initial_option"]["value"])}}, user=user, view=view)

    def command(self, user: str, command: str, text: str) -> None:
        self.rec.person(user, f"{command} {text}".strip(), "channel")
        answer = self.stage.send("command", payloads.slash_command(command, text, channel=CHANNEL, user=user,
                                                                   team=TEAM))
        if answer.body_text.strip():
            self.rec.answer(answer.json())

    def say(self, user: str, text: str, *, channel: str, thread_ts: str | None = None) -> None:
        self.rec.person(user, text, "thread" if thread_ts else "dm")
        kind = "channel" if channel.startswith("C") else "im"
        event = payloads.message_event(text, user=user, channel=channel, channel_type=kind, thread_ts=thread_ts,
                                       team=TEAM)
        self.stage.send("event", payloads.event_callback(event, team=TEAM))

    def dms_to(self, user: str) -> int:
        return len([c for c in self.stage.slack.calls_to("chat.postMessage")
                    if c.args.get("channel") in (user, "D" + user)])

    def until_dm(self, user: str, *, hours: int) -> None:
        """Let time pass an hour at a time (the scheduler's work at each) until `user` gets a DM."""
        before = self.dms_to(user)
        for _ in range(hours):
            self.stage.clock.advance(hours=1)
            self.stage.tick()
            if self.dms_to(user) > before:
                return
        raise DemoError(f"no DM reached {user} within {hours} hours")


def play(stage: Stage, prompts: Prompts, recorder: Recorder) -> None:
    """The whole story, scene by scene."""
    for user, (name, tz) in PEOPLE.items():
        stage.slack.users[user] = {"real_name": name, "name": name.lower(), "tz": tz}
    stage.slack.channels[CHANNEL] = {"name": prompts.part(SCRIPT, "channel_name")}
    w = Workshop(stage, prompts, recorder)
    _session(w)
    _persona(w)
    _review(w)


def _session(w: Workshop) -> None:
    sam, channel = PEOPLE[FACILITATOR][0], w.t("channel_name")
    w.scene("start", facilitator=sam, channel=channel)
    w.rec.person(FACILITATOR, "/empathy start", "channel")
    form = w.opened_view(lambda: w.stage.send("command", payloads.slash_command(
        "/empathy", "start", channel=CHANNEL, user=FACILITATOR, team=TEAM)))
    w.submit(empathy.START_MODAL, {
        empathy.SUBJECT_BLOCK: {"value": w.t("subject")}, empathy.GOAL_BLOCK: {"value": w.t("goal")},
        empathy.DURATION_BLOCK: {"value": payloads.input_number(30)},
        empathy.CANVAS_BLOCK: {"value": payloads.input_static_select("classic")},
        empathy.OPTIONS_BLOCK: {"value": payloads.input_checkboxes([])},
        empathy.VOTES_BLOCK: {"value": payloads.input_number(5)}}, user=FACILITATOR, view=form)
    row = w.stage.wait_until(lambda: (s := w.session()).board_ts and s, "the board")
    w.session_id, w.board_ts = row.id, row.board_ts
    w.scene("join", people=", ".join(PEOPLE[u][0] for u in (ANA, BEN, CHLOE)))
    for user in (ANA, BEN, CHLOE):
        w.click(empathy.JOIN, user, str(w.session_id))
    w.scene("says", facilitator=sam, first=PEOPLE[ANA][0], second=PEOPLE[BEN][0])
    w.control(0)
    w.add_notes(ANA, "says_notes")
    w.say(BEN, w.t("says_reply"), channel=CHANNEL, thread_ts=w.board_ts)
    w.scene("more")
    for phase, (user, macro) in enumerate([(CHLOE, "thinks_notes"), (BEN, "does_notes"), (ANA, "feels_notes"),
                                           (CHLOE, "pains_notes"), (ANA, "gains_notes")], start=1):
        w.control(phase)
        w.add_notes(user, macro)
    w.scene("group")
    w.control(6)
    w.scene("vote")
    w.control(7)
    _vote(w)
    w.scene("wrapup")
    for minutes in (5, 5):  # the vote's time runs out, then the wrap-up's
        w.stage.clock.advance(minutes=minutes)
        w.stage.tick()


def _vote(w: Workshop) -> None:
    plans = {ANA: [("says_reply", 3), ("pains_notes", 2)], BEN: [("pains_notes", 3), ("feels_notes", 2)],
             CHLOE: [("says_reply", 2), ("gains_notes", 3)]}  # (the note: the first line of a macro, votes)
    for user, plan in plans.items():
        ballot = w.opened_view(lambda user=user: w.click(empathy.OPEN_BALLOT, user, str(w.session_id)))
        by_text = {_ballot_text(b): b["block_id"] for b in ballot["blocks"]
                   if str(b.get("block_id", "")).startswith(empathy.VOTE_BLOCK_PREFIX)}
        values = {block_id: {"value": payloads.input_static_select(str(count))}
                  for macro, count in plan for shown, block_id in by_text.items()
                  if shown.endswith(w.t(macro).splitlines()[0])}
        w.submit(empathy.BALLOT_MODAL, values, user=user, view=ballot)


def _ballot_text(block: dict[str, Any]) -> str:
    label = block.get("label") or block.get("text") or {}
    return str(label.get("text", ""))


def _persona(w: Workshop) -> None:
    w.scene("persona", facilitator=PEOPLE[FACILITATOR][0])
    dm = "D" + FACILITATOR
    w.click(personas.FROM_SESSION, FACILITATOR, str(w.session_id), channel=CHANNEL, message_ts=w.board_ts)
    for answer in _ANSWERS:
        w.say(FACILITATOR, w.t(answer) if answer.startswith("persona_") else answer, channel=dm)
    if w.persona() is None:
        raise DemoError("the persona conversation did not finish")


def _review(w: Workshop) -> None:
    persona = w.persona()
    assert persona is not None
    sam, ben = PEOPLE[FACILITATOR][0], PEOPLE[BEN][0]
    w.scene("suggest", person=ben, owner=sam)
    w.stage.clock.advance(hours=9)  # the evening, in Berlin: Sam has stopped for the day
    w.command(BEN, "/persona", f"show {persona.name}")
    view = w.opened_view(lambda: w.click(personas.SUGGEST, BEN, str(persona.id), channel=CHANNEL,
                                         message_ts=payloads.new_ts()))
    w.rec.person(BEN, w.t("suggestion"), "form")
    w.submit(personas.SUGGEST_MODAL, {personas.SUGGESTION_BLOCK: {"value": w.t("suggestion")}}, user=BEN, view=view)
    w.until_dm(FACILITATOR, hours=72)
    w.scene("nudge", owner=sam)
    w.stage.clock.advance(days=89)
    w.until_dm(FACILITATOR, hours=24 * 7)
    w.scene("home", owner=sam)
    w.rec.show_home = True
    w.stage.send("event", payloads.event_callback(payloads.app_home_opened(FACILITATOR), team=TEAM))
    w.rec.collect()
