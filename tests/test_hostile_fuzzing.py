"""Property-based hostile requests (hypothesis), through the real HTTP app: the real payload
builders' bodies with any field replaced by arbitrary JSON or removed, and arbitrary unicode in
every free-text field (notes, thread replies, command text). Never a 500, never a traceback;
text is saved cleaned or refused inline. One bot per module (tests/hostile_stage.py); the whole
file runs in well under a minute.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from typing import Any

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from bot.empathy import ids as empathy_ids
from storage.text import clean_text
from tests.hostile_stage import COMMANDS, SLACK_IDS, Stage, builders, running_stage
from tests.slack_fake import payloads

EXAMPLES = 60
FAST = settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@pytest.fixture(scope="module")
def stage() -> Iterator[Stage]:
    with running_stage() as running:
        yield running


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
    requests = builders(stage)
    name = data.draw(st.sampled_from(sorted(requests)), label="request")
    how, build = requests[name]
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
