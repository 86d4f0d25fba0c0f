"""Benchmark (run by hand): a journey of 12 stages x 5 personas (every field full: ten 300-character
items), its card, the comparison and the map image; and `/journey list` at 1,000 journeys.

    python -m tests.bench.bench_journeys [JOURNEYS] [DATABASE_URL]

Prints the median of 7 runs (after one warm-up) of each step, against a SQLite file unless a
database URL is given. The card and the comparison are pure functions of the map (one read of
four queries), so they should not move with the number of journeys in the workspace.
"""

from __future__ import annotations

import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime

from bot.journeys import compare, image, listing, views
from prompts import Prompts
from storage import journey_layers as layers
from storage import journeys as store
from storage.db import make_engine, unit_of_work, upgrade
from storage.journey_fields import ITEM_KEYS

NOW = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)
TEAM = "T1"


def _big(engine) -> int:
    with unit_of_work(engine) as db:
        journey = store.create_journey(db, team_id=TEAM, name="Big journey", goal="Buy a gift " * 40,
                                       owner_id="U1", cadence_days=90, created_by="U1", now=NOW,
                                       stages=[f"Stage {n}: {'long name ' * 4}" for n in range(12)])
        stages = store.list_stages(db, team_id=TEAM, journey_id=journey.id)
        for p in range(5):
            layer, _ = layers.add_layer(db, journey=journey, segment=f"Segment {p}", by="U1", now=NOW)
            for index, stage in enumerate(stages):
                values = {k: [f"{k} {p} {index} {n} " + "words " * 48 for n in range(10)] for k in ITEM_KEYS}
                values |= {"emotion": (index * (p + 1)) % 5 - 2, "emotion_word": "anxious"}
                layers.save_cell(db, journey=journey, layer_id=layer.id, stage_id=stage.id, values=values, by="U1",
                                 now=NOW)
        return int(journey.id)


def _many(engine, count: int) -> None:
    with unit_of_work(engine) as db:
        for n in range(count):
            store.create_journey(db, team_id=TEAM, name=f"Journey {n:04d}", goal="", owner_id=f"U{n % 20}",
                                 cadence_days=90, created_by="U1", now=NOW, stages=list(store.TEMPLATES["short"]))


def _time(label: str, work: Callable[[], object]) -> float:
    work()
    runs = []
    for _ in range(7):
        began = time.perf_counter()
        work()
        runs.append((time.perf_counter() - began) * 1000)
    median = statistics.median(runs)
    print(f"{label:44s} {median:8.1f} ms")
    return median


def main(count: int, url: str | None) -> None:
    engine = make_engine(url or f"sqlite:///{tempfile.mkdtemp()}/bench.db")
    upgrade(engine)
    prompts = Prompts()
    journey_id = _big(engine)
    _many(engine, count - 1)

    def load():
        with unit_of_work(engine) as db:
            return layers.load_map(db, journey=store.get_journey(db, team_id=TEAM, journey_id=journey_id))

    found = load()
    print(f"{engine.dialect.name}, 12 stages x 5 personas, {count} journeys in the workspace")
    _time("load the map (one read, 4 queries)", load)
    _time("load + journey card (build_card)", lambda: views.build_card(prompts, load()))
    _time("load + comparison (differences + warnings)", lambda: compare.warnings(load()))
    _time("load + Where they differ (modal blocks)", lambda: views.build_differences(prompts, load()))
    _time("map image (matplotlib Agg, PNG)", lambda: image.draw(prompts, found))

    def list_page():
        with unit_of_work(engine) as db:
            summaries, total = store.list_summaries(db, team_id=TEAM, limit=listing.PAGE_SIZE)
            return listing.build_list(prompts, summaries=summaries, total=total, page=1,
                                      lonely_personas=layers.personas_without_journey(db, team_id=TEAM))

    _time(f"/journey list (page 1 of {count})", list_page)
    engine.dispose()


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 1_000, sys.argv[2] if len(sys.argv) > 2 else None)
