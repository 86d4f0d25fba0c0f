"""Hostile and odd requests, through the real HTTP app: never a 500, never a traceback in the log.

Unsigned: 401 whatever the body, one warning line at most. Signed but shaped as Slack never
sends: 400 (bot/payload_shape.py) or a polite answer. Property-based (hypothesis): the real
payload builders' bodies with fields replaced by arbitrary JSON or removed, and arbitrary
unicode in every free-text field (notes, thread replies, command text). One bot per module,
so the examples are fast; the whole file runs in well under a minute.
"""

from __future__ import annotations

import json
import logging
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from types import ModuleType
from typing import Any
from urllib.parse import urlencode

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from bot.empathy import ids as empathy_ids
from bot.governance import ids as governance_ids
from bot.home import ids as home_ids
from bot.personas import ids as persona_ids
from storage.db import make_engine, upgrade
from storage.text import clean_text
from tests.harness import SIGNING_SECRET, Bot, FakeClock, eventually
from tests.slack_fake import FakeSlack, payloads, sign
from tests.test_empathy_support import Workshop

FORM, JSON_TYPE = "application/x-www-form-urlencoded", "application/json"
EXAMPLES = 60
FAST = settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def _ids(*modules: ModuleType) -> list[str]:
    return sorted({v for m in modules for k, v in vars(m).items() if k.isupper() and isinstance(v, str)})


SLACK_IDS = _ids(empathy_ids, persona_ids, governance_ids, home_ids)
COMMANDS = ["/empathy", "/persona"]


class Logs(logging.Handler):
    """Every record any thread logs, so a test can say "no traceback" about the whole app."""

    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)

    def tracebacks(self) -> list[str]:
        return [f"{r.name}: {r.getMessage()[:200]}" for r in self.records if r.exc_info]

    def warnings(self) -> list[str]:
        return [r.getMessage() for r in self.records if r.levelno >= logging.WARNING]


class Stage:
    """One running bot with a live session in its Says section, shared by a module's tests."""

    def __init__(self, folder: Path) -> None:
        self.slack = FakeSlack()
        self.slack.start()
        self.engine = make_engine(f"sqlite:///{folder}/workshop.db")
        upgrade(self.engine)
        self.bot = Bot(slack=self.slack, engine=self.engine, clock=FakeClock())
        self.w = Workshop(self.bot, self.slack).start()
        self.w.control(empathy_ids.NEXT_PHASE)
        eventually(lambda: self.w.phase_index() == 1)
        self.note_view = self.w.open_modal(empathy_ids.ADD_NOTE, "U0ANA")
        self.logs = Logs()

    def send(self, body: Any, how: str) -> int:
        """Deliver and wait for the work after the ack (not for board refreshes, which go out at
        most once a second: `finish` waits for those); returns the HTTP status."""
        http = self.bot.http
        if how == "command":
            answer = http.post(urlencode({k: str(v) for k, v in body.items()}), FORM)
        elif how == "event":
            answer = http.post(json.dumps(body), JSON_TYPE)
        else:
            answer = http.post(urlencode({"payload": json.dumps(body)}), FORM)
        self.after_ack()
        return answer.status

    def after_ack(self) -> None:
        assert self.bot.deps.wait_for_later(10)

    def finish(self) -> None:
        """Let board refreshes catch up; what they rendered must not have failed either."""
        self.bot.settle(timeout=30)
        assert self.logs.tracebacks() == []

    def close(self) -> None:
        self.bot.close()
        self.slack.stop()
        self.engine.dispose()
        self.slack.assert_no_block_kit_errors()


@pytest.fixture(scope="module")
def stage() -> Iterator[Stage]:
    with tempfile.TemporaryDirectory() as folder:
        running = Stage(Path(folder))
        root = logging.getLogger()
        root.addHandler(running.logs)
        level = root.level
        root.setLevel(logging.INFO)
        try:
            yield running
        finally:
            root.removeHandler(running.logs)
            root.setLevel(level)
            running.close()


# -- unsigned -----------------------------------------------------------------------------------
def _raw_post(stage: Stage, body: bytes, headers: dict[str, str]) -> int:
    return stage.bot.http.post(b"", FORM, raw_body=body, headers=headers).status


NOW = str(int(time.time()))
UNSIGNED = {
    "not UTF-8": (b"\xff\xfe\x00garbage\xc3\x28", {"X-Slack-Signature": "v0=" + "0" * 64}),
    "10 MB": (b"payload=" + b"x" * (10 * 1024 * 1024), {"X-Slack-Signature": "v0=" + "0" * 64}),
    "unparsable payload=": (b"payload=%7Bnot+json", {"X-Slack-Signature": "v0=" + "1" * 64}),
    "no signature": (b'{"type": "event_callback"}', {"X-Slack-Signature": ""}),
    "timestamp not a number": (b"payload=%7B%7D", {"X-Slack-Request-Timestamp": "yesterday"}),
    "timestamp a superscript digit": (b"payload=%7B%7D", {"X-Slack-Request-Timestamp": "\u00b2"}),
    "timestamp of 5000 digits": (b"payload=%7B%7D", {"X-Slack-Request-Timestamp": "9" * 5000}),
    "timestamp negative": (b"payload=%7B%7D", {"X-Slack-Request-Timestamp": "-" + NOW}),
    "signature not ASCII": (b"payload=%7B%7D", {"X-Slack-Signature": "v0=\u00e9\u00e9"}),
}


@pytest.mark.parametrize("case", list(UNSIGNED))
def test_a_request_without_a_valid_signature_gets_401_and_one_warning_line_at_most(stage: Stage, case: str) -> None:
    body, headers = UNSIGNED[case]
    stage.logs.records.clear()
    calls = len(stage.slack.calls)

    assert _raw_post(stage, body, headers) == 401
    assert stage.logs.tracebacks() == []
    assert len(stage.logs.warnings()) <= 1
    assert len(stage.slack.calls) == calls


def test_a_signed_body_over_the_limit_is_413_and_a_forged_one_401(stage: Stage) -> None:
    body = b"payload=" + b"x" * (5 * 1024 * 1024)
    forged = {"X-Slack-Signature": "v0=" + "0" * 64}
    assert stage.bot.http.post(body, FORM).status == 413
    assert _raw_post(stage, body, forged) == 401
    now = str(int(time.time()))  # at the request, not at collection: a slow suite must not age it
    signed = sign(SIGNING_SECRET, now, body)
    assert _raw_post(stage, body, {"X-Slack-Signature": signed, "X-Slack-Request-Timestamp": now}) == 413


# -- signed, oddly shaped: the cases the issue names --------------------------------------------
def _builders(stage: Stage) -> dict[str, tuple[str, Callable[[], Any]]]:
    """Every kind of request the bot takes, built by the real payload builders, aimed at the
    live session (so handlers get past "which session?" and into their parsing)."""
    w, view, url = stage.w, stage.note_view, stage.slack.response_url("actions")
    session = str(w.session_id)
    note = {empathy_ids.NOTE_TEXT_BLOCK: {"value": "Where is my order?"}}
    return {
        "button": ("interactive", lambda: payloads.block_actions(
            empathy_ids.JOIN, value=session, user="U0ANA", channel=w.channel, message_ts=w.board_ts,
            response_url=url)),
        "note": ("interactive", lambda: payloads.view_submission(
            empathy_ids.NOTE_MODAL, note, private_metadata=view["private_metadata"], user="U0ANA",
            view_id=view["id"])),
        "view closed": ("interactive", lambda: payloads.view_closed(empathy_ids.NOTE_MODAL, user="U0ANA")),
        "shortcut": ("interactive", lambda: payloads.global_shortcut(persona_ids.NEW_SHORTCUT)),
        "message shortcut": ("interactive", lambda: payloads.message_shortcut(
            persona_ids.EVIDENCE_SHORTCUT, message_text="hi", message_ts="1.2", message_user="U0BEN",
            response_url=url)),
        "thread reply": ("event", lambda: payloads.event_callback(payloads.message_event(
            "It is slow", user="U0BEN", channel=w.channel, channel_type="channel", thread_ts=w.board_ts))),
        "direct message": ("event", lambda: payloads.event_callback(payloads.message_event(
            "hello", user="U0BEN", channel="D0BEN"))),
        "home opened": ("event", lambda: payloads.event_callback(payloads.app_home_opened("U0ANA"))),
        "command": ("command", lambda: payloads.slash_command(
            "/empathy", f"export {session}", user="U0ANA", channel=w.channel,
            response_url=stage.slack.response_url())),
    }


def _without(body: dict[str, Any], *keys: str) -> dict[str, Any]:
    return {k: v for k, v in body.items() if k not in keys}


ODD: dict[str, tuple[str, str, Callable[[dict[str, Any]], Any]]] = {
    "payload=null": ("button", "interactive", lambda b: None),
    "payload a list": ("button", "interactive", lambda b: [b]),
    "event null": ("thread reply", "event", lambda b: {**b, "event": None}),
    "event a list": ("thread reply", "event", lambda b: {**b, "event": [b["event"]]}),
    "a message without a channel": ("thread reply", "event", lambda b: {**b, "event": _without(b["event"], "channel")}),
    "a view without a type": ("note", "interactive", lambda b: {**b, "view": _without(b["view"], "type")}),
    "a view of null": ("note", "interactive", lambda b: {**b, "view": None}),
    "30 digits in a button": ("button", "interactive",
                              lambda b: {**b, "actions": [{**b["actions"][0], "value": "9" * 30}]}),
    "12 digits in a button": ("button", "interactive",
                              lambda b: {**b, "actions": [{**b["actions"][0], "value": "9" * 12}]}),
    "a superscript in a button": ("button", "interactive",
                                  lambda b: {**b, "actions": [{**b["actions"][0], "value": "\u00b2"}]}),
    "30 digits in private_metadata": ("note", "interactive",
                                      lambda b: {**b, "view": {**b["view"], "private_metadata": "9" * 30}}),
    "30 digits in a command": ("command", "command", lambda b: {**b, "text": "export " + "1" * 30}),
    "no user": ("button", "interactive", lambda b: _without(b, "user")),
    "no team": ("note", "interactive", lambda b: _without(b, "team")),
    "a user id that is a number": ("button", "interactive", lambda b: {**b, "user": {"id": 7}}),
    "actions an object": ("button", "interactive", lambda b: {**b, "actions": {"0": b["actions"][0]}}),
    "a command without a user": ("command", "command", lambda b: _without(b, "user_id")),
    "a home event without a user": ("home opened", "event", lambda b: {**b, "event": _without(b["event"], "user")}),
    "state values a list": ("note", "interactive",
                            lambda b: {**b, "view": {**b["view"], "state": {"values": []}}}),
}


@pytest.mark.parametrize("case", list(ODD))
def test_a_signed_but_oddly_shaped_request_gets_400_or_a_polite_answer_never_500(stage: Stage, case: str) -> None:
    name, how, change = ODD[case]
    body = change(_builders(stage)[name][1]())
    stage.logs.records.clear()

    assert stage.send(body, how) in (200, 400)
    assert stage.logs.tracebacks() == []


# -- property-based: fields replaced by arbitrary JSON, anywhere ---------------------------------
ANY_JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False, allow_infinity=False) | st.text(max_size=8)
    | st.sampled_from(["", "0", "9" * 30, "1:2:3", "\u00b2", "C0001", "U0ANA", *SLACK_IDS]),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=6), inner, max_size=3),
    max_leaves=6,
)


def _paths(value: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    found = [prefix]
    if isinstance(value, dict):
        for key, item in value.items():
            found += _paths(item, (*prefix, key))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            found += _paths(item, (*prefix, index))
    return found


def _replace(body: Any, path: tuple[Any, ...], new: Any, *, delete: bool) -> Any:
    if not path:
        return new
    parent = body
    for step in path[:-1]:
        parent = parent[step]
    if delete and isinstance(parent, dict):
        del parent[path[-1]]
    else:
        parent[path[-1]] = new
    return body


def test_any_field_of_any_request_replaced_by_any_json_is_never_a_500(stage: Stage) -> None:
    stage.logs.records.clear()
    _any_field(stage)
    stage.finish()


def _any_field(stage: Stage) -> None:
    runs: list[int] = []

    @FAST
    @given(data=st.data())
    def one(data: st.DataObject) -> None:
        runs.append(1)
        _mutated(stage, data)

    one()
    assert len(runs) >= EXAMPLES, "every example ran"


def _mutated(stage: Stage, data: st.DataObject) -> None:
    builders = _builders(stage)
    name = data.draw(st.sampled_from(sorted(builders)), label="request")
    how, build = builders[name]
    body = build()
    for _ in range(data.draw(st.integers(1, 3), label="changes")):
        paths = _paths(body)
        if not paths:
            break
        path = data.draw(st.sampled_from(paths), label="path")
        if how == "command":
            new: Any = data.draw(st.text(max_size=20).filter(lambda s: not any(0xD800 <= ord(c) < 0xE000
                                                                               for c in s)), label="text")
        else:
            new = data.draw(ANY_JSON, label="value")
        body = _replace(body, path, new, delete=data.draw(st.booleans(), label="delete"))
        if how == "command" and not isinstance(body, dict):
            break
    if how == "command" and not isinstance(body, dict):
        return

    assert stage.send(body, how) in (200, 400)
    assert stage.logs.tracebacks() == []


# -- property-based: arbitrary unicode in every free-text field ---------------------------------
FREE_TEXT = st.text(st.characters(codec=None), max_size=200)  # every code point, lone surrogates too
FORM_TEXT = st.text(st.characters(exclude_categories=["Cs"]), max_size=200)  # a form body is UTF-8


def _stored_texts(stage: Stage) -> list[str]:
    return [n.text for n in stage.w.notes()]


def test_any_text_in_a_note_is_saved_cleaned_or_refused_inline(stage: Stage) -> None:
    view = stage.note_view
    stage.logs.records.clear()
    runs: list[int] = []

    @FAST
    @given(text=FREE_TEXT)
    @example(text="first\x00line\nsecond\ud800\n\x01\x02\nthird")
    def one(text: str) -> None:
        runs.append(1)
        answer = stage.bot.http.interactive(payloads.view_submission(  # a view of its own: notes of its own
            empathy_ids.NOTE_MODAL, {empathy_ids.NOTE_TEXT_BLOCK: {"value": text}},
            private_metadata=view["private_metadata"], user="U0ANA", view_id=f"V{uuid.uuid4().hex[:10]}"))
        stage.after_ack()
        assert answer.status == 200
        if answer.body_text:
            assert answer.json()["response_action"] == "errors", "refused inline, in words"
        assert stage.logs.tracebacks() == []

    one()
    assert len(runs) >= EXAMPLES, "every example ran"
    stage.finish()  # the board showed every one of them
    assert all(clean_text(t) == t and t.strip() for t in _stored_texts(stage))
    assert {"first\x00line", "second\ud800"}.isdisjoint(_stored_texts(stage))
    assert {"firstline", "second", "third"} <= set(_stored_texts(stage))


def test_any_text_in_a_thread_reply_is_acked_and_saved_cleaned(stage: Stage) -> None:
    w = stage.w
    stage.logs.records.clear()
    runs: list[int] = []

    @FAST
    @given(text=FREE_TEXT)
    @example(text="reply\x00 with NUL\n\udfff")
    def one(text: str) -> None:
        runs.append(1)
        status = stage.send(payloads.event_callback(payloads.message_event(
            text, user="U0BEN", channel=w.channel, channel_type="channel", thread_ts=w.board_ts)), "event")
        assert status == 200
        assert stage.logs.tracebacks() == []

    one()
    assert len(runs) >= EXAMPLES, "every example ran"
    stage.finish()
    assert all(clean_text(t) == t for t in _stored_texts(stage))
    assert "reply with NUL" in _stored_texts(stage)


def test_any_text_after_a_slash_command_gets_an_answer(stage: Stage) -> None:
    stage.logs.records.clear()
    runs: list[int] = []

    @FAST
    @given(command=st.sampled_from(COMMANDS), text=FORM_TEXT)
    @example(command="/empathy", text="export 999999999999999999999999999999")
    @example(command="/empathy", text='start "unclosed \x00')
    def one(command: str, text: str) -> None:
        runs.append(1)
        status = stage.send(payloads.slash_command(command, text, user="U0ANA", channel=stage.w.channel,
                                                   response_url=stage.slack.response_url()), "command")
        assert status == 200
        assert stage.logs.tracebacks() == []

    one()
    assert len(runs) >= EXAMPLES, "every example ran"
    stage.finish()


def test_a_persona_number_of_30_digits_gets_an_answer(stage: Stage) -> None:
    stage.logs.records.clear()
    status = stage.send(payloads.slash_command("/persona", "show " + "9" * 30, user="U0ANA", channel=stage.w.channel,
                                               response_url=stage.slack.response_url()), "command")
    assert status == 200
    assert stage.logs.tracebacks() == []
