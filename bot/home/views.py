"""Pure builders of the Home tab."""

from __future__ import annotations

from bot import blocks
from prompts import Prompts
from storage.models import EmpathySession

HOME = "home/home"


def build_home(prompts: Prompts, *, user_id: str, sessions: list[EmpathySession]) -> dict:
    def t(macro: str, **kw: object) -> str:
        return prompts.part(HOME, macro, **kw)

    items = [
        blocks.header(t("heading")),
        blocks.section(t("welcome", user=user_id)),
        blocks.divider(),
        blocks.header(t("sessions_heading")),
    ]
    if sessions:
        items += [blocks.section(t("session_line", session=s)) for s in sessions[:20]]
    else:
        items.append(blocks.context(t("no_sessions")))
    return blocks.home(items)
