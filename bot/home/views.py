"""Pure builders of the Home tab: what a person has to do and what is going on, in one place.

Within Slack's 100 blocks per view: reviews due are paged (at most 4 blocks each: heading and
why, due line, what changed since the last review, actions), the other lists are capped with an
"and N more" line.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from slack_sdk.models.blocks import Block

from bot import blocks
from bot.governance import views as review_views
from bot.governance.health import Health
from bot.home import ids
from bot.review_subjects import SubjectInfo
from prompts import Prompts, SlackMarkup
from storage.models import EmpathySession, Review

HOME = "home/home"
REVIEWS_PER_PAGE = 10
ITEMS_SHOWN = 15
SESSIONS_SHOWN = 8


@dataclass
class HomeData:
    """Everything the Home tab shows for one person."""

    user_id: str
    now: datetime
    reviews: list[tuple[Review, SubjectInfo]] = field(default_factory=list)
    page: int = 0
    mine: list[SubjectInfo] = field(default_factory=list)
    sessions: list[EmpathySession] = field(default_factory=list)
    health: Health = field(default_factory=Health)
    sections: list[list[Block]] = field(default_factory=list)  # what other features add (`deps.home_sections`)


def build_home(prompts: Prompts, data: HomeData) -> dict:
    def t(macro: str, **kw: object) -> str:
        return prompts.part(HOME, macro, **kw)

    items: list[Block] = [
        blocks.header(t("heading")),
        blocks.section(t("welcome", user=data.user_id)),
        blocks.actions(blocks.button(t("start_session"), ids.START_SESSION, style="primary"),
                       blocks.button(t("new_persona"), ids.NEW_PERSONA)),
        blocks.divider(),
        *build_reviews(prompts, data),
        blocks.divider(),
        *build_mine(prompts, data.mine),
        blocks.divider(),
        *(b for section in data.sections for b in [*section, blocks.divider()]),
        *build_sessions(prompts, data.sessions),
        blocks.divider(),
        *build_health(prompts, data.health),
    ]
    return blocks.home(items)


def page_of(total: int, page: int) -> tuple[int, int, range]:
    """The page shown (kept within the pages there are), how many pages, and its reviews' indexes."""
    pages = max(1, -(-total // REVIEWS_PER_PAGE))
    page = min(max(page, 0), pages - 1)
    return page, pages, range(page * REVIEWS_PER_PAGE, min(total, (page + 1) * REVIEWS_PER_PAGE))


def build_reviews(prompts: Prompts, data: HomeData) -> list[Block]:
    def t(macro: str, **kw: object) -> str:
        return prompts.part(HOME, macro, **kw)

    total = len(data.reviews)
    page, pages, shown_range = page_of(total, data.page)
    shown = data.reviews[shown_range.start:shown_range.stop]
    items: list[Block] = [blocks.header(t("reviews_heading", total=total))]
    if not shown:
        items.append(blocks.context(t("no_reviews")))
    for review, info in shown:
        items += review_views.build_review(prompts, review, info, now=data.now)
    if pages > 1:
        buttons = []
        if page > 0:
            buttons.append(blocks.button(t("previous_page"), ids.REVIEWS_PREV, value=str(page - 1)))
        if page < pages - 1:
            buttons.append(blocks.button(t("next_page"), ids.REVIEWS_NEXT, value=str(page + 1)))
        items.append(blocks.context(t("page_of", page=page + 1, pages=pages)))
        items.append(blocks.actions(*buttons))
    return items


def build_mine(prompts: Prompts, mine: list[SubjectInfo]) -> list[Block]:
    def t(macro: str, **kw: object) -> str:
        return prompts.part(HOME, macro, **kw)

    items: list[Block] = [blocks.header(t("mine_heading", total=len(mine)))]
    if not mine:
        return [*items, blocks.context(t("no_items"))]
    lines = [t("item_line", info=info, next=review_views.slack_date(info.next_review_at)
               if info.next_review_at else "") for info in mine[:ITEMS_SHOWN]]
    items.append(blocks.section("\n".join(lines)))
    if len(mine) > ITEMS_SHOWN:
        items.append(blocks.context(t("more", count=len(mine) - ITEMS_SHOWN)))
    return items


def build_sessions(prompts: Prompts, sessions: list[EmpathySession]) -> list[Block]:
    def t(macro: str, **kw: object) -> str:
        return prompts.part(HOME, macro, **kw)

    items: list[Block] = [blocks.header(t("sessions_heading"))]
    if not sessions:
        return [*items, blocks.context(t("no_sessions"))]
    running = [s for s in sessions if s.status.live]
    recent = [s for s in sessions if not s.status.live]
    lines = [t("session_line", session=s, running=True) for s in running[:SESSIONS_SHOWN]]
    lines += [t("session_line", session=s, running=False) for s in recent[:SESSIONS_SHOWN]]
    items.append(blocks.section("\n".join(lines)))
    return items


def build_health(prompts: Prompts, health: Health) -> list[Block]:
    def t(macro: str, **kw: object) -> str:
        return prompts.part(HOME, macro, **kw)

    lines = [t("count_line", kind=kind, count=count) for kind, count in sorted(health.counts.items())]
    if health.stale_total:
        lines.append(t("stale_line", total=health.stale_total))
    if health.unowned:
        lines.append(t("unowned_line", items=health.unowned[:10], total=len(health.unowned)))
    lines += [t("warning_line", text=SlackMarkup(getattr(w, "text", str(w)))) for w in health.warnings[:10]]
    if health.all_clear:
        lines.append(t("all_clear"))
    return [blocks.header(t("health_heading")), blocks.section("\n".join(lines))]
