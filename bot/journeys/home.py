"""The Home tab's journeys section, for the Home feature to include (it owns the tab).

`build_section(prompts, db, team_id=..., user_id=...)` returns blocks: the journeys the person
owns with their health (no persona, too many personas), a count of personas on no journey, and
the *New journey* button (`ids.NEW_FROM_HOME`, handled here). At most 8 blocks.
"""

from __future__ import annotations

from typing import Any

from sqlmodel import Session

from bot import blocks
from bot.journeys import compare, ids
from prompts import Prompts
from storage import journey_layers as layers
from storage import journeys as store

HOME = "journeys/home"
SHOWN = 10


def build_section(prompts: Prompts, db: Session, *, team_id: str, user_id: str) -> list[Any]:
    def t(macro: str, **kw: object) -> str:
        return prompts.part(HOME, macro, **kw)

    mine, total = store.list_summaries(db, team_id=team_id, owner_id=user_id, limit=SHOWN)
    lines = [t("line", title=blocks.clip(s.name, 80), stages=s.stages, layers=s.layers,
               too_many=s.layers > compare.MAX_PERSONAS) for s in mine]
    lonely = layers.personas_without_journey(db, team_id=team_id)
    out: list[Any] = [blocks.header(t("heading")),
                      blocks.section("\n".join(lines) if lines else t("nothing_yet"),
                                     accessory=blocks.button(t("new"), ids.NEW_FROM_HOME, value="home"))]
    if total > SHOWN:
        out.append(blocks.context(t("more", more=total - SHOWN)))
    if lonely:
        out.append(blocks.context(t("lonely", count=len(lonely))))
    return out
