"""Pure builders: a review and its subject in, Block Kit out. No I/O.

The same review block (what is due, why, what changed since the last review, and the one-click
actions) appears in the DM nudge and in App Home, so an owner can act from either; an
escalation shows the same lines and actions.
"""

from __future__ import annotations

import json
from datetime import datetime

from slack_sdk.models.blocks import (
    Block,
    ConfirmObject,
    MarkdownTextObject,
    Option,
    PlainTextObject,
    StaticSelectElement,
    UserSelectElement,
)

from bot import blocks
from bot.governance import ids
from bot.governance.links import is_link
from bot.review_subjects import SubjectInfo
from prompts import Prompts, SlackMarkup
from storage.models import Review
from storage.states import ReviewState

NUDGE = "governance/nudge"


def slack_date(when: datetime, *, with_time: bool = False) -> SlackMarkup:
    """A date every reader sees in their own time zone (Slack's `<!date>`), with a UTC fallback."""
    token = "{date_short_pretty} at {time}" if with_time else "{date_short_pretty}"
    fallback = when.strftime("%Y-%m-%d %H:%M UTC" if with_time else "%Y-%m-%d")
    return SlackMarkup(f"<!date^{int(when.timestamp())}^{token}|{fallback}>")


def review_detail(review: Review) -> dict[str, str]:
    """The structured part of a review's detail (who changed what); plain text becomes `note`."""
    try:
        detail = json.loads(review.detail) if review.detail else {}
    except ValueError:
        return {"note": review.detail}
    if not isinstance(detail, dict):
        return {"note": review.detail}
    return {str(k): str(v) for k, v in detail.items()}


def build_why(prompts: Prompts, review: Review, info: SubjectInfo) -> str:
    def t(macro: str, **kw: object) -> str:
        return prompts.part(NUDGE, macro, **kw)

    detail = review_detail(review)
    by, note = detail.get("by", ""), detail.get("note", "")
    if is_link(review):
        return t("why_link", changed_kind=detail.get("changed_kind", ""), changed=detail.get("changed_title", ""),
                 change=detail.get("change", "edited"), by=by, note=note, persona=detail.get("persona", ""),
                 journey=detail.get("journey", info.title))
    if review.reason == "cadence":
        return t("why_cadence", info=info)
    if review.reason == "change":
        return t("why_change", change=detail.get("change", "edited"), by=by, note=note)
    if review.reason == "linked":
        return t("why_linked", change=detail.get("change", ""), by=by, note=note,
                 linked_title=detail.get("linked_title", ""))
    if review.reason.startswith("manual:"):
        return t("why_manual", text=detail.get("text") or review.reason.removeprefix("manual:"), by=by)
    return t("why_other", reason=review.reason)


def build_heading(prompts: Prompts, review: Review, info: SubjectInfo) -> str:
    """What the review is about: the item, or for a link review the persona's layer on the journey."""
    if is_link(review):
        detail = review_detail(review)
        return prompts.part(NUDGE, "link_heading", persona=detail.get("persona", ""),
                            journey=detail.get("journey", info.title))
    return prompts.part(NUDGE, "heading", info=info)


def build_since(info: SubjectInfo) -> list[Block]:
    """What changed since the last review (lines from the subject's own templates, user text
    escaped there), as the DM nudge, App Home and an escalation all show it."""
    return [blocks.section(blocks.clip("\n".join(info.since), blocks.SECTION_TEXT))] if info.since else []


def build_actions(prompts: Prompts, review: Review, info: SubjectInfo) -> Block:
    """The answers a review offers: a link review's own, or the five of any other."""
    return build_link_actions(prompts, review) if is_link(review) else build_review_actions(prompts, review, info)


def _snooze(prompts: Prompts, value: str) -> StaticSelectElement:
    options = [Option(value=f"{key}:{value}", text=prompts.part(NUDGE, f"snooze_{key}")) for key in ids.SNOOZE_OPTIONS]
    return StaticSelectElement(action_id=ids.SNOOZE, options=options, placeholder=PlainTextObject(
        text=blocks.clip(prompts.part(NUDGE, "snooze_placeholder"), 150)))


def build_link_actions(prompts: Prompts, review: Review) -> Block:
    """"Still true" closes the link review; "Open the layer" shows it to fill; snooze; or hand the
    link to someone else (its keeper left, or should not keep it)."""
    value = str(review.id)
    return blocks.actions(
        blocks.button(prompts.part(NUDGE, "link_checked"), ids.LINK_CHECKED, value=value, style="primary"),
        blocks.button(prompts.part(NUDGE, "link_open"), ids.LINK_OPEN, value=value),
        _snooze(prompts, value),
        UserSelectElement(action_id=ids.LINK_REASSIGN,
                          placeholder=PlainTextObject(text=blocks.clip(prompts.part(NUDGE, "link_reassign"), 150))),
        block_id=f"{ids.REVIEW_BLOCK_PREFIX}{value}",
    )


def build_review_actions(prompts: Prompts, review: Review, info: SubjectInfo) -> Block:
    def t(macro: str, **kw: object) -> str:
        return prompts.part(NUDGE, macro, **kw)

    value = str(review.id)
    retire_confirm = ConfirmObject(
        title=PlainTextObject(text=blocks.clip(t("retire_title"), 100)),
        text=MarkdownTextObject(text=blocks.clip(t("retire_text", info=info), 300)),
        confirm=PlainTextObject(text=blocks.clip(t("retire_confirm"), 30)),
        deny=PlainTextObject(text=blocks.clip(t("retire_deny"), 30)),
        style="danger",
    )
    retire = blocks.button(t("retire"), ids.RETIRE, value=value, style="danger")
    retire.confirm = retire_confirm
    return blocks.actions(
        blocks.button(t("still_accurate", hypothesis=info.hypothesis), ids.STILL_ACCURATE, value=value,
                      style="primary"),
        blocks.button(t("update_now"), ids.UPDATE_NOW, value=value),
        _snooze(prompts, value),
        UserSelectElement(action_id=ids.REASSIGN,
                           placeholder=PlainTextObject(text=blocks.clip(t("reassign_placeholder"), 150))),
        retire,
        block_id=f"{ids.REVIEW_BLOCK_PREFIX}{value}",
    )


def build_review(prompts: Prompts, review: Review, info: SubjectInfo, *, now: datetime,
                 outcome: str | None = None, why: bool = True) -> list[Block]:
    """One review: heading and why, its state, then the actions, or the outcome once handled."""
    def t(macro: str, **kw: object) -> str:
        return prompts.part(NUDGE, macro, **kw)

    notes = [t("due_line", due=slack_date(review.due_at), owner=review.owner_id if is_link(review) else info.owner_id)]
    if review.state == ReviewState.SNOOZED and review.snoozed_until and review.snoozed_until > now:
        notes.append(t("snoozed_line", until=slack_date(review.snoozed_until, with_time=True)))
    if review.state in (ReviewState.ESCALATING, ReviewState.ESCALATED):
        notes.append(t("escalated_line"))
    heading = build_heading(prompts, review, info)
    items: list[Block] = [
        blocks.section(f"{heading}\n{build_why(prompts, review, info)}" if why else heading),
        blocks.context(*notes),
    ]
    if why and outcome is None:
        items += build_since(info)
    if outcome is None:
        items.append(build_actions(prompts, review, info))
    else:
        items.append(blocks.context(outcome))
    return items


def build_nudge_message(prompts: Prompts, review: Review, info: SubjectInfo, *, now: datetime,
                        outcome: str | None = None) -> dict:
    """chat.postMessage / chat.update arguments for the DM nudge (blocks, fallback text, metadata)."""
    detail = review_detail(review)
    fallback = prompts.part(NUDGE, "link_fallback", persona=detail.get("persona", ""), journey=info.title) \
        if is_link(review) else prompts.part(NUDGE, "fallback", info=info)
    return {
        "text": fallback,
        "blocks": blocks.message_blocks(build_review(prompts, review, info, now=now, outcome=outcome)),
        "metadata": {"event_type": ids.NUDGE_EVENT, "event_payload": {"review_id": review.id}},
    }


def build_learned_modal(prompts: Prompts, review: Review, info: SubjectInfo, *, clicked: dict) -> dict:
    """"Still our best guess": a hypothesis is confirmed with one line of what we learned."""
    def t(macro: str, **kw: object) -> str:
        return prompts.part(NUDGE, macro, **kw)

    meta = {"review": review.id, "clicked": {k: clicked.get(k) for k in ("type", "channel_id", "message_ts")
                                             if clicked.get(k)}}
    return blocks.modal(callback_id=ids.LEARNED_MODAL, title=t("learned_title"), submit=t("learned_submit"),
                        close=t("learned_cancel"), private_metadata=json.dumps(meta), blocks=[
                            blocks.section(t("learned_intro", info=info)),
                            blocks.text_input(block_id=ids.LEARNED_BLOCK, label=t("learned_label"),
                                              hint=t("learned_hint"), max_length=300)])


def build_closed_message(prompts: Prompts) -> dict:
    """What a nudge becomes when its subject vanished before anyone acted on it."""
    text = prompts.part(NUDGE, "outcome_closed")
    return {"text": text, "blocks": blocks.message_blocks([blocks.context(text)])}


def build_outcome(prompts: Prompts, kind: str, **context: object) -> str:
    """One outcome line (`reviewed`, `snoozed`, `reassigned`, `retired`, `editing`, `updated`,
    `link_checked`, `link_reassigned`)."""
    return prompts.part(NUDGE, f"outcome_{kind}", **context)
