"""The server's decoding of an interaction's `payload=` body (in C) reads exactly what urllib reads."""

from __future__ import annotations

from urllib.parse import parse_qsl, urlencode

from hypothesis import given, settings
from hypothesis import strategies as st

from bot.http_server import _form_payload


@settings(max_examples=300, deadline=None)
@given(st.text())
def test_a_payload_as_slack_encodes_it_decodes_to_the_same_text(text: str) -> None:
    assert _form_payload(urlencode({"payload": text}).encode()) == (text or None)  # empty: left to Bolt


@settings(max_examples=300, deadline=None)
@given(st.binary(max_size=40) | st.text(alphabet="%+=&aZ09\n\r\\é", max_size=20).map(str.encode))
def test_any_other_body_is_left_to_urllib_or_read_as_urllib_reads_it(tail: bytes) -> None:
    raw = b"payload=" + tail
    decoded = _form_payload(raw)
    if decoded is not None:
        assert decoded == dict(parse_qsl(raw.decode("utf-8"), keep_blank_values=True)).get("payload", "")
