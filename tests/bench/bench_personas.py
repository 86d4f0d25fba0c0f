"""Benchmark (run by hand): `/persona list`, a card and the workspace warnings at 10,000 personas.

    python -m tests.bench.bench_personas [COUNT]

Prints the time each takes against a SQLite file; the checks are bounded (newest 30 compared,
newest 200 checked), so the figures should barely move between 100 and 10,000 personas.
"""

from __future__ import annotations

import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta

from sqlmodel import Session

from bot.personas import cards, quality
from bot.settings import Settings
from storage.db import make_engine, upgrade
from storage.models import Persona


class _Clock:
    def now(self) -> datetime:
        return datetime(2026, 11, 23, 9, 0, tzinfo=UTC)


def main(count: int) -> None:
    from bot.deps import Deps
    from prompts import Prompts

    folder = tempfile.mkdtemp()
    engine = make_engine(f"sqlite:///{folder}/bench.db")
    upgrade(engine)
    start = datetime(2024, 1, 1, tzinfo=UTC)
    with Session(engine) as db:
        db.add_all(Persona(team_id="T1", name=f"Persona {n}", role=f"Segment {n % 50}", goals=[f"goal {n % 7}"],
                           behaviors=[f"does {n % 11}"], needs=[f"needs {n % 13}"], frustrations=[f"pain {n % 17}"],
                           owner_id="U1", created_by="U1", created_at=start + timedelta(minutes=n),
                           updated_at=start) for n in range(count))
        db.commit()
    deps = Deps(settings=Settings(_env_file=None), engine=engine, clock=_Clock(), prompts=Prompts(),
                client=None)  # type: ignore[arg-type]
    persona = engine and Session(engine).get(Persona, count // 2)
    for label, work in [
        ("/persona list", lambda: cards.listing(deps, "T1")),
        ("card (show)", lambda: cards.card(deps, persona)),
        ("workspace_warnings", lambda: quality.workspace_warnings(Session(engine), team_id="T1", now=_Clock().now())),
    ]:
        work()
        began = time.perf_counter()
        for _ in range(5):
            work()
        print(f"{label:20s} {count:6d} personas: {(time.perf_counter() - began) / 5 * 1000:7.1f} ms")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 10_000)
