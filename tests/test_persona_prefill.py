"""From the map to the draft: every section of every canvas lands in a persona field (pure)."""

from __future__ import annotations

from bot.empathy.agenda import CANVASES
from bot.personas import fields, prefill


def test_every_section_of_every_canvas_has_a_field_of_its_own() -> None:
    for canvas, sections in CANVASES.items():
        for section in sections:
            key = prefill.field_for(section)
            assert key in fields.BY_KEY and key != prefill.UNMAPPED, f"{canvas}/{section} needs a row"
    assert prefill.field_for("gains") == "needs" and "gains" not in [
        s for s, key in prefill.SECTION_FIELDS.items() if key == "goals"], "gains are needs, not goals as well"


def test_a_section_nobody_mapped_yet_is_kept_as_something_we_are_unsure_of() -> None:
    values = prefill.prefill_from_session({"smells": ["Disinfectant"], "gains": ["Sleep"]}, subject="Nurses",
                                          goal="", section_names={"smells": "Smells"})
    assert values == {"role": "Nurses", "unsure": "Smells: Disinfectant", "needs": ["Sleep"]}


def test_the_session_goal_comes_first_and_repeated_notes_are_kept_once() -> None:
    values = prefill.prefill_from_session({"goal": ["Hand over safely", "Go home on time"],
                                           "says": ["Where is the chart?", "No time"]},
                                          subject=" Nurses ", goal="Hand over safely")
    assert values["goals"] == ["Hand over safely", "Go home on time"] and values["quote"] == "Where is the chart?"
    assert values["role"] == "Nurses"
