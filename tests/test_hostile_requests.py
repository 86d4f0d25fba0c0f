"""Hostile and odd requests, through the real HTTP app: never a 500, never a traceback in the log.

Unsigned: 401 whatever the body, one warning line at most. Signed but shaped as Slack never
sends: 400 (bot/payload_shape.py) or a polite answer. Arbitrary JSON and unicode in every field:
tests/test_hostile_fuzzing.py. One bot per module (tests/hostile_stage.py), so the cases are fast.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from typing import Any

import pytest

from tests.harness import SIGNING_SECRET
from tests.hostile_stage import FORM, Stage, builders, running_stage, without
from tests.slack_fake import sign


@pytest.fixture(scope="module")
def stage() -> Iterator[Stage]:
    with running_stage() as running:
        yield running


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
ODD: dict[str, tuple[str, str, Callable[[dict[str, Any]], Any]]] = {
    "payload=null": ("button", "interactive", lambda b: None),
    "payload a list": ("button", "interactive", lambda b: [b]),
    "event null": ("thread reply", "event", lambda b: {**b, "event": None}),
    "event a list": ("thread reply", "event", lambda b: {**b, "event": [b["event"]]}),
    "a message without a channel": ("thread reply", "event", lambda b: {**b, "event": without(b["event"], "channel")}),
    "a view without a type": ("note", "interactive", lambda b: {**b, "view": without(b["view"], "type")}),
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
    "no user": ("button", "interactive", lambda b: without(b, "user")),
    "no team": ("note", "interactive", lambda b: without(b, "team")),
    "a user id that is a number": ("button", "interactive", lambda b: {**b, "user": {"id": 7}}),
    "actions an object": ("button", "interactive", lambda b: {**b, "actions": {"0": b["actions"][0]}}),
    "a command without a user": ("command", "command", lambda b: without(b, "user_id")),
    "a home event without a user": ("home opened", "event", lambda b: {**b, "event": without(b["event"], "user")}),
    "state values a list": ("note", "interactive",
                            lambda b: {**b, "view": {**b["view"], "state": {"values": []}}}),
}


@pytest.mark.parametrize("case", list(ODD))
def test_a_signed_but_oddly_shaped_request_gets_400_or_a_polite_answer_never_500(stage: Stage, case: str) -> None:
    name, how, change = ODD[case]
    body = change(builders(stage)[name][1]())
    stage.logs.records.clear()

    assert stage.send(body, how) in (200, 400)
    assert stage.logs.tracebacks() == []

