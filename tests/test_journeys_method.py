"""The method on the map: a stage marked "not part of this persona's journey" is what "stages
diverge, use separate maps" measures; a stage nobody filled is a research gap; a long map gets a
readability warning; each layer has thoughts beside questions."""

from __future__ import annotations

import csv
import io
import json

from bot.journeys import ids
from tests.harness import Bot, eventually
from tests.journey_kit import Journeys, add_persona, text_of
from tests.slack_fake import FakeSlack, payloads


def _fill(j: Journeys, journey_id: int, *, layer: str, stage_id: int, not_part: bool = False, **fields: str) -> dict:
    pick = j.open_by_click(ids.FILL, str(journey_id))
    form = j.submit(pick, {ids.LAYER_BLOCK: {"value": payloads.input_static_select(layer)},
                           ids.SEGMENT_BLOCK: {"value": ""},
                           ids.STAGE_BLOCK: {"value": payloads.input_static_select(str(stage_id))}}).json()["view"]
    values = {f"{ids.FIELD_PREFIX}{key}": {"value": text} for key, text in fields.items()}
    values[ids.NOT_PART_BLOCK] = {"value": payloads.input_checkboxes([ids.NOT_PART] if not_part else [])}
    assert j.submit(form, values).status == 200
    return form


def test_stages_left_out_of_a_persona_journey_mean_separate_maps(bot: Bot, slack: FakeSlack) -> None:
    j = Journeys(bot, slack)
    maya, leo = add_persona(bot, "Maya"), add_persona(bot, "Leo")
    j.create("Checkout", template="short")  # Discover, Try, Buy, Use, Get help
    journey = j.journey("Checkout")
    stages = [s.id for s in j.stages(journey.id)]
    form = _fill(j, journey.id, layer=f"persona:{maya}", stage_id=stages[0], questions="Is it safe?",
                 thoughts="I bet there are fees", emotion="+1 curious")
    assert "Thoughts" in text_of(form) and "Not part of Maya" in text_of(form)
    for stage in stages[1:3]:
        _fill(j, journey.id, layer=f"persona:{maya}", stage_id=stage, pains="Fees")
        _fill(j, journey.id, layer=f"persona:{leo}", stage_id=stage, not_part=True)
    cells = {(c.layer_id, c.stage_id): c for c in j.cells()}
    assert [c.thoughts for c in cells.values() if c.thoughts] == [["I bet there are fees"]]
    assert sum(c.not_part for c in cells.values()) == 2

    card = text_of(j.card(j.show("Checkout")))
    assert "not part of this journey" in card
    assert "diverge strongly at Try, Buy" in card and "separate maps" in card
    assert card.count("research gap") == 2  # Use and Get help: nobody filled them
    assert "Research gaps: nothing is known yet about Use, Get help" in card
    assert "hard to read" not in card
    view = j.open_by_click(ids.DIFFER, str(journey.id))
    assert "100% different" in text_of(view)

    again = j.open_by_click(ids.FILL, str(journey.id))  # the form shows the mark it saved
    leo_layer = next(c.layer_id for c in cells.values() if c.not_part)
    form = j.submit(again, {ids.LAYER_BLOCK: {"value": payloads.input_static_select(f"layer:{leo_layer}")},
                            ids.SEGMENT_BLOCK: {"value": ""},
                            ids.STAGE_BLOCK: {"value": payloads.input_static_select(str(stages[1]))}}).json()["view"]
    checks = next(b for b in form["blocks"] if b.get("block_id") == ids.NOT_PART_BLOCK)
    assert checks["element"]["initial_options"][0]["value"] == ids.NOT_PART

    before = len(slack.calls_to("upload"))
    j.click(ids.EXPORT_CSV, str(journey.id))
    j.click(ids.EXPORT_JSON, str(journey.id))
    eventually(lambda: len(slack.calls_to("upload")) == before + 2)
    bodies = [slack.uploads[c.args["file_id"]].decode() for c in slack.calls_to("upload")[before:]]
    document = json.loads(next(b for b in bodies if b.startswith("{")))
    assert document["stages"][1]["layers"][1]["not_part"] is True
    assert document["stages"][0]["layers"][0]["thoughts"] == ["I bet there are fees"]
    rows = list(csv.DictReader(io.StringIO(next(b for b in bodies if not b.startswith("{")))))
    assert [r["not_part"] for r in rows if r["stage"] == "Try"] == ["", "yes"]


def test_a_long_map_gets_a_readability_warning(bot: Bot, slack: FakeSlack) -> None:
    j = Journeys(bot, slack)
    j.create("Long", template="typed", typed="\n".join(f"Step {n}" for n in range(1, 10)))
    card = text_of(j.card(j.show("Long")))
    assert "9 stages is more than about 8" in card
    j.create("Lifecycle", template="lifecycle")
    assert "more than about 8" not in text_of(j.card(j.show("Lifecycle")))
