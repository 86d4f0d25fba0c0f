"""Exports in three formats (card buttons into a DM, and the CLI), and Slack's limits at
12 stages x 5 personas with hostile text in every field: stored as typed, shown escaped."""

from __future__ import annotations

import csv
import io
import json
import os
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

from sqlmodel import Session

from bot import blocks
from bot.journeys import ids, views
from bot.journeys.image import draw
from bot.render import journey_export
from prompts import Prompts
from storage import journey_layers as layers
from storage import journeys as store
from storage.db import unit_of_work
from storage.journey_fields import ITEM_KEYS
from tests.harness import Bot, eventually
from tests.journey_kit import Journeys, add_persona, text_of
from tests.slack_fake import FakeSlack

HOSTILE = "<!channel> <@U0BOSS> <https://evil.example|click> & ‮RTL‮ :fire: 😀 $x^2$ " + "long " * 1000
NOW = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)
ROOT = Path(__file__).resolve().parents[1]


def _big_journey(engine, *, team: str = "T0001", name: str = "Big") -> int:
    """12 stages x 5 personas, every field filled with hostile text (through storage)."""
    with unit_of_work(engine) as db:
        journey = store.create_journey(db, team_id=team, name=name + " " + HOSTILE[:60], goal=HOSTILE[:500],
                                       owner_id="U0OWNER", cadence_days=90, created_by="U0OWNER", now=NOW,
                                       stages=[f"Stage {n} {HOSTILE[:40]}" for n in range(12)])
        stages = store.list_stages(db, team_id=team, journey_id=journey.id)
        for p in range(5):
            layer, _ = layers.add_layer(db, journey=journey, segment=f"Segment {p} {HOSTILE[:50]}", by="U0A", now=NOW)
            for index, stage in enumerate(stages):
                values = {k: [HOSTILE[:300]] * 10 for k in ITEM_KEYS}
                values |= {"emotion": (index + p) % 5 - 2, "emotion_word": "anxious 😀"}
                layers.save_cell(db, journey=journey, layer_id=layer.id, stage_id=stage.id, values=values, by="U0A",
                                 now=NOW)
        return int(journey.id)


def _map(engine, journey_id: int):
    with unit_of_work(engine) as db:
        return layers.load_map(db, journey=store.get_journey(db, team_id="T0001", journey_id=journey_id))


def test_twelve_stages_five_personas_fit_slack_and_escape_hostile_text(any_engine) -> None:
    journey_map = _map(any_engine, _big_journey(any_engine))
    prompts = Prompts()
    card = views.build_card(prompts, journey_map)
    assert len(card) <= blocks.MESSAGE_BLOCKS and len(json.dumps(card)) <= blocks.MESSAGE_CHARS
    text = text_of(card)
    assert "<!channel>" not in text and "<@U0BOSS>" not in text and "&lt;!channel&gt;" in text
    assert "Stage 11" in text and "…" in text
    assert all(len(f["text"]) <= 2000 for b in card for f in b.get("fields", []))
    differ = views.build_differences(prompts, journey_map)
    assert len(blocks.modal(callback_id="x", title="t", blocks=differ)["blocks"]) <= blocks.VIEW_BLOCKS
    assert draw(prompts, journey_map).startswith(b"\x89PNG")
    assert journey_map.cells[next(iter(journey_map.cells))].pains[0] == HOSTILE[:300]  # stored as typed
    assert "too_many_personas" not in text and "more than five" not in text


def test_exports_from_the_card_buttons_in_three_formats(bot: Bot, slack: FakeSlack) -> None:
    j = Journeys(bot, slack)
    maya = add_persona(bot, "Maya")
    j.create("Checkout", template="short")
    journey = j.journey("Checkout")
    stage = j.stages(journey.id)[0].id
    j.fill(journey.id, layer=f"persona:{maya}", stage_id=stage, emotion="-1 anxious", pains="Fees <b>\nTabs")
    for action_id in (ids.EXPORT_MD, ids.EXPORT_CSV, ids.EXPORT_JSON):
        j.click(action_id, str(journey.id))
    eventually(lambda: len(slack.calls_to("files.completeUploadExternal")) == 3)
    files = {}
    for call in slack.calls_to("upload"):
        body = slack.uploads[call.args["file_id"]].decode()
        files["json" if body.startswith("{") else "csv" if body.startswith("stage_position") else "md"] = body
    document = json.loads(files["json"])
    assert document["stages"][0]["layers"][0]["pains"] == ["Fees <b>", "Tabs"]
    rows = list(csv.DictReader(io.StringIO(files["csv"])))
    assert len(rows) == 5 and rows[0]["layer"] == "Maya" and rows[0]["emotion"] == "-1"
    assert "# Journey: Checkout" in files["md"] and "**Pains:** Fees &lt;b&gt;; Tabs" in files["md"]
    assert all(c.args["channel_id"] == "DU0OWNER" or c.args["channel_id"].startswith("D")
               for c in slack.calls_to("files.completeUploadExternal"))


def _cli(*args: str, url: str) -> subprocess.CompletedProcess[str]:
    """`workshop-bot export journey ...` in a process of its own (the CLI configures logging), run
    from this checkout's code."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("SLACK_")}
    env |= {"DATABASE_URL": url, "PYTHONPATH": str(ROOT)}
    return subprocess.run([sys.executable, "-m", "bot.cli", "export", "journey", *args], env=env, cwd=ROOT,
                          capture_output=True, text=True, timeout=120)


def test_export_from_the_cli(tmp_path) -> None:
    url = f"sqlite:///{tmp_path}/cli.db"
    from storage.db import make_engine, upgrade

    engine = make_engine(url)
    upgrade(engine)
    journey_id = _big_journey(engine, name="Cli")
    with Session(engine) as db:
        name = store.get_journey(db, team_id="T0001", journey_id=journey_id).name
    for fmt in ("md", "csv", "json"):
        done = _cli(str(journey_id), "--format", fmt, url=url)
        assert done.returncode == 0, done.stderr
        assert done.stdout == journey_export.render(Prompts(), _map(engine, journey_id), fmt).replace("\r\n", "\n")
    done = _cli(name[:8], url=url)
    assert done.returncode == 0 and "# Journey: Cli" in done.stdout
    done = _cli("nothing", url=url)
    assert done.returncode == 1 and "no journey called" in done.stderr
