"""`/journey list [PAGE]`: the workspace's journeys, a page at a time, with their health (no
persona, too many personas) and the personas that have no journey."""

from __future__ import annotations

from typing import Any

from bot import blocks
from bot.commands import CommandCall
from bot.journeys import compare
from prompts import Prompts
from storage import journey_layers as layers
from storage import journeys as store
from storage.journeys import JourneySummary

LIST = "journeys/list"
PAGE_SIZE = 25
PER_SECTION = 10


def build_list(prompts: Prompts, *, summaries: list[JourneySummary], total: int, page: int,
               lonely_personas: list[str]) -> dict[str, Any]:
    """An ephemeral answer: sections of ten journeys (each under 3,000 characters), then paging."""
    def t(macro: str, **kw: object) -> str:
        return prompts.part(LIST, macro, **kw)

    pages = max(1, -(-total // PAGE_SIZE))
    out: list[Any] = [blocks.section(t("heading", total=total, page=page, pages=pages))]
    for start in range(0, len(summaries), PER_SECTION):
        lines = [t("line", name=blocks.clip(s.name, 80), owner=s.owner_id, stages=s.stages, layers=s.layers,
                   personas=s.personas, too_many=s.layers > compare.MAX_PERSONAS)
                 for s in summaries[start:start + PER_SECTION]]
        out.append(blocks.section("\n".join(lines)))
    if page < pages:
        out.append(blocks.context(t("more", next=page + 1)))
    if lonely_personas:
        out.append(blocks.context(t("lonely_personas", names=lonely_personas[:10], more=len(lonely_personas) - 10)))
    text = t("fallback", total=total)
    return {"text": text, "blocks": blocks.message_blocks(out), "response_type": "ephemeral"}


def handle_list_command(call: CommandCall) -> None:
    page = int(call.args[0]) if call.args and call.args[0].isdigit() and len(call.args[0]) < 6 else 1
    page = max(1, page)
    db, team = call.ctx.db, call.team_id
    summaries, total = store.list_summaries(db, team_id=team, offset=(page - 1) * PAGE_SIZE, limit=PAGE_SIZE)
    answer = build_list(call.ctx.deps.prompts, summaries=summaries, total=total, page=page,
                        lonely_personas=layers.personas_without_journey(db, team_id=team))
    call.ack(**answer)
