"""A workshop as people play it, through the local Slack: the driver the empathy tests share.

Every step is a real Slack payload sent to the running bot over signed HTTP; what people see is
read back from what the fake Slack received. No test functions live here.
"""

from __future__ import annotations

import json
from typing import Any

from sqlmodel import Session, select

from bot.empathy import ids
from bot.empathy.agenda import of_session
from storage.models import EmpathySession, Note, Participant, Vote
from tests.harness import Bot, eventually
from tests.slack_fake import FakeSlack, payloads

TEAM = "T0001"


def start_form(subject: str = "First-time buyer on mobile", *, minutes: int = 30, anonymous: bool = False,
               canvas: str = "classic", votes: int = 5, channel: str | None = None, live: bool = False,
               open_grouping: bool = False, success: str | None = None, persona: int | None = None,
               ) -> dict[str, Any]:
    """The start form as a facilitator fills it; silent writing unless `live`."""
    options = [key for key, on in (("anonymous", anonymous), ("live", live), ("open_grouping", open_grouping)) if on]
    form: dict[str, Any] = {
        ids.SUBJECT_BLOCK: {"value": subject},
        ids.GOAL_BLOCK: {"value": "Order a gift in under five minutes"},
        ids.DURATION_BLOCK: {"value": payloads.input_number(minutes)},
        ids.CANVAS_BLOCK: {"value": payloads.input_static_select(canvas)},
        ids.OPTIONS_BLOCK: {"value": payloads.input_checkboxes(options)},
        ids.VOTES_BLOCK: {"value": payloads.input_number(votes)},
    }
    if success is not None:
        form[ids.SUCCESS_BLOCK] = {"value": success}
    if persona is not None:
        form[ids.PERSONA_BLOCK] = {"value": payloads.input_static_select(str(persona))}
    if channel is not None:
        form[ids.CHANNEL_BLOCK] = {"value": payloads.input_conversations_select(channel)}
    return form


def as_dict(value: Any) -> Any:
    return json.loads(value) if isinstance(value, str) else value


def texts_of(blocks: Any) -> str:
    """Everything a person reads in some blocks (or a message), as one string."""
    return json.dumps(as_dict(blocks), ensure_ascii=False)


class Workshop:
    """One session in one channel, driven like its people would."""

    def __init__(self, bot: Bot, slack: FakeSlack, *, channel: str = "C0WORKSHOP", facilitator: str = "U0FACIL",
                 team: str = TEAM):
        self.bot, self.slack, self.channel, self.facilitator = bot, slack, channel, facilitator
        self.team = team
        self.session_id = 0
        self.board_ts = ""

    # -- starting ------------------------------------------------------------------------------
    def start(self, **form: Any) -> Workshop:
        opened = len(self.slack.calls_to("views.open"))
        self.bot.http.command(payloads.slash_command("/empathy", "start", channel=self.channel,
                                                     user=self.facilitator, team=self.team))
        self.slack.wait_for("views.open", opened + 1)
        before = {s.id for s in self.sessions()}
        answer = self.bot.http.interactive(payloads.view_submission(
            ids.START_MODAL, start_form(**form), private_metadata=self.channel, user=self.facilitator,
            team=self.team))
        assert answer.status == 200 and not answer.body_text
        row = eventually(lambda: [s for s in self.sessions() if s.id not in before and s.board_ts])[0]
        self.session_id, self.board_ts = row.id, row.board_ts
        eventually(self.thread)  # the intro's facilitation prompt follows the board
        return self

    # -- reading ---------------------------------------------------------------------------------
    def sessions(self) -> list[EmpathySession]:
        with Session(self.bot.engine) as db:
            return list(db.exec(select(EmpathySession)))

    def row(self) -> EmpathySession:
        with Session(self.bot.engine) as db:
            return db.get(EmpathySession, self.session_id)

    def notes(self, **where: Any) -> list[Note]:
        with Session(self.bot.engine) as db:
            rows = db.exec(select(Note).where(Note.session_id == self.session_id).order_by(Note.id)).all()
        return [n for n in rows if all(getattr(n, k) == v for k, v in where.items())]

    def participants(self) -> list[str]:
        with Session(self.bot.engine) as db:
            return list(db.exec(select(Participant.user_id).where(Participant.session_id == self.session_id)))

    def votes(self) -> dict[tuple[str, int], int]:
        with Session(self.bot.engine) as db:
            rows = db.exec(select(Vote).where(Vote.session_id == self.session_id)).all()
        return {(v.user_id, v.note_id): v.count for v in rows}

    def board(self) -> list[dict[str, Any]]:
        """The board as the channel shows it now (after every chat.update)."""
        return as_dict(self.slack.messages[(self.channel, self.board_ts)]["blocks"])

    def board_text(self) -> str:
        return texts_of(self.board())

    def thread(self) -> list[str]:
        """The texts the bot posted in the session's thread, in order."""
        return [c.args.get("text", "") for c in self.slack.calls_to("chat.postMessage")
                if c.args.get("thread_ts") == self.board_ts and c.args.get("channel") == self.channel]

    def summary(self) -> dict[str, Any]:
        """The wrap-up's summary message, once it is posted (there is exactly one)."""
        [posted] = eventually(lambda: [c.args for c in self.slack.calls_to("chat.postMessage")
                                       if "Summary of" in c.args["text"]])
        return posted

    def ephemerals(self, user: str) -> list[str]:
        return [c.args.get("text", "") for c in self.slack.calls_to("chat.postEphemeral")
                if c.args.get("user") == user]

    def phase_index(self) -> int:
        return self.row().phase_index

    # -- acting ---------------------------------------------------------------------------------
    def click(self, action_id: str, user: str, value: str | None = None) -> int:
        value = value if value is not None else str(self.session_id)
        status = self.bot.http.interactive(payloads.block_actions(
            action_id, value=value, user=user, channel=self.channel, message_ts=self.board_ts,
            team=self.team)).status
        assert status == 200
        return status

    def control(self, action_id: str, user: str | None = None, *, phase: int | None = None) -> None:
        phase = self.phase_index() if phase is None else phase
        self.click(action_id, user or self.facilitator, f"{self.session_id}:{phase}")

    def open_modal(self, action_id: str, user: str, value: str | None = None) -> dict[str, Any]:
        """Click a board button that opens a modal; returns the opened view (with its id)."""
        opened = len(self.slack.calls_to("views.open"))
        self.click(action_id, user, value)
        call = self.slack.wait_for("views.open", opened + 1)[opened]
        return call.response["view"]

    def open_note_editor(self, user: str, note_id: int, my_notes: dict[str, Any]) -> dict[str, Any]:
        """*Edit* on a note's menu in the open *My notes* view; returns the edit form pushed on it."""
        pushed = len(self.slack.calls_to("views.push"))
        self.bot.http.interactive(payloads.block_actions(
            ids.NOTE_MENU, action_type="overflow", selected_option=f"edit:{note_id}", user=user,
            view=payloads.modal_view(ids.NOTES_MODAL, private_metadata=my_notes["private_metadata"],
                                     view_id=my_notes["id"])))
        return self.slack.wait_for("views.push", pushed + 1)[pushed].response["view"]

    def add_notes(self, user: str, text: str, quadrant: str | None = None, *, wait: bool = True,
                  basis: str | None = None, heard_from: str | None = None) -> Any:
        """Through the Add note form; `basis` heard/guess and `heard_from` as the person picks them."""
        view = self.open_modal(ids.ADD_NOTE, user)
        values: dict[str, Any] = {ids.NOTE_TEXT_BLOCK: {"value": text}}
        if basis:
            values[ids.BASIS_BLOCK] = {"value": payloads.input_static_select(basis)}
        if heard_from:
            values[ids.HEARD_FROM_BLOCK] = {"value": payloads.input_static_select(heard_from)}
        if quadrant:
            values[ids.QUADRANT_BLOCK] = {"value": payloads.input_static_select(quadrant)}
        else:
            initial = next(b for b in view["blocks"] if b.get("block_id") == ids.QUADRANT_BLOCK)
            values[ids.QUADRANT_BLOCK] = {"value": payloads.input_static_select(
                initial["element"]["initial_option"]["value"])}
        count = len(self.notes())
        lines = len([line for line in text.splitlines() if line.strip()])
        answer = self.bot.http.interactive(payloads.view_submission(
            ids.NOTE_MODAL, values, private_metadata=view["private_metadata"], user=user, view_id=view["id"],
            team=self.team))
        if wait and not answer.body_text:
            eventually(lambda: len(self.notes()) >= count + lines)
        return answer

    def reply(self, user: str, text: str, **extra: Any) -> Any:
        event = payloads.message_event(text, user=user, channel=self.channel, channel_type="channel",
                                       thread_ts=self.board_ts, team=self.team, **extra)
        return self.bot.http.event(payloads.event_callback(event, team=self.team))

    def vote(self, user: str, choice: dict[int, int], *, wait: bool = True) -> Any:
        view = self.open_modal(ids.OPEN_BALLOT, user)
        values = {f"{ids.VOTE_BLOCK_PREFIX}{note_id}": {"value": payloads.input_static_select(str(count))}
                  for note_id, count in choice.items()}
        return self.submit_ballot(user, view, values, wait=wait)

    def submit_ballot(self, user: str, view: dict[str, Any], values: dict[str, Any], *, wait: bool = True) -> Any:
        """The answer is the ballot's next state: inline errors, or the "saved" view (votes are in
        the database before it comes back)."""
        answer = self.bot.http.interactive(payloads.view_submission(
            ids.BALLOT_MODAL, values, private_metadata=view["private_metadata"], user=user, view_id=view["id"],
            team=self.team))
        if wait:
            assert answer.json()["response_action"] == "update", answer.body_text
        return answer

    def thread_blocks(self) -> list[str]:
        """Everything the bot posted in the session's thread, blocks included, in order."""
        return [texts_of(c.args.get("blocks") or []) + c.args.get("text", "")
                for c in self.slack.calls_to("chat.postMessage")
                if c.args.get("thread_ts") == self.board_ts and c.args.get("channel") == self.channel]

    def group(self, user: str, keep: int, merge: list[int]) -> Any:
        """Group notes as a person does in the Group phase: open the form, keep one, merge others."""
        view = self.open_modal(ids.OPEN_GROUPING, user)
        values = {ids.KEEP_BLOCK: {"value": payloads.input_static_select(str(keep))},
                  ids.MERGE_BLOCK: {"value": {"type": "multi_static_select", "selected_options": [
                      {"text": {"type": "plain_text", "text": str(n)}, "value": str(n)} for n in merge]}}}
        return self.bot.http.interactive(payloads.view_submission(
            ids.GROUPING_MODAL, values, private_metadata=view["private_metadata"], user=user, view_id=view["id"],
            team=self.team))

    def to_phase(self, kind: str) -> None:
        """The facilitator presses Next phase until the session is in the first phase of `kind`."""
        kinds = [p.kind for p in of_session(self.row())]
        target = kinds.index(kind)
        while self.phase_index() < target:
            at = self.phase_index()
            self.control(ids.NEXT_PHASE, phase=at)
            eventually(lambda at=at: self.phase_index() == at + 1)

    def settle(self) -> None:
        """Let a second pass (coalescing interval) and run due work: the board catches up."""
        self.bot.clock.advance(seconds=1)
        self.bot.tick()
