"""Small helpers shared by the persona tests (what a person would type or click)."""

from __future__ import annotations

import json
from typing import Any

from bot.personas import lifecycle
from storage.models import Persona
from tests.harness import Bot

MAYA = {"name": "Maya", "role": "First-time buyer on mobile", "context": "Shops on the bus",
        "goals": ["Finish checkout fast"], "behaviors": ["Compares prices in three tabs"],
        "needs": ["Clear delivery dates"], "frustrations": ["Surprise fees at the end"],
        "quote": "Just tell me what it costs.", "unsure": "Whether she pays by card", "confidence": "low"}


def make_persona(bot: Bot, owner: str = "U0OWNER", team: str = "T0001", **values: Any) -> Persona:
    return lifecycle.create(bot.deps, team_id=team, user_id=owner, values={**MAYA, **values})


def view_of(call_args: dict[str, Any]) -> dict[str, Any]:
    view = call_args["view"]
    return view if isinstance(view, dict) else json.loads(view)


def blocks_text(blocks: Any) -> str:
    return json.dumps(blocks if not isinstance(blocks, str) else json.loads(blocks), ensure_ascii=False)
