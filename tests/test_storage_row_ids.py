"""Numbers people type where an id is looked up: beyond what an id column holds they find nothing,
on SQLite (integers stop at 2**63) and PostgreSQL (`integer` stops at 2**31) alike."""

from __future__ import annotations

from sqlalchemy.engine import Engine

from storage import journeys, personas
from storage.db import MAX_ROW_ID, row_id, unit_of_work


def test_row_id_reads_ascii_digits_within_an_id_column() -> None:
    assert row_id("42") == 42
    assert row_id(" 7 ") == 7
    assert row_id(str(MAX_ROW_ID)) == MAX_ROW_ID
    for text in ("0", "9" * 30, str(MAX_ROW_ID + 1), "²", "١٢", "-3", "", "4 2"):
        assert row_id(text) is None, text


def test_a_30_digit_number_finds_no_persona_or_journey(any_engine: Engine) -> None:
    with unit_of_work(any_engine) as db:
        assert personas.find_any(db, wanted="9" * 30, team_id="T0001") == []
        assert personas.find_any(db, wanted="9" * 30) == []
        assert journeys.find_journeys(db, team_id="T0001", name="9" * 30) == []
