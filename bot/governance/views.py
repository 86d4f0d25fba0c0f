"""Pure builders: a review and its subject in, Block Kit out. No I/O.

The same review block (what is due, why, and the five one-click actions) appears in the DM
nudge and in App Home, so an owner can act from either.
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


def build_review_actions(prompts: Prompts, review: Review, info: SubjectInfo) -> Block:
    def t(macro: str, **kw: object) -> str:
        return prompts.part(NUDGE, macro, **kw)

    value = str(review.id)
    snooze_options = [Option(value=f"{key}:{value}", text=t(f"snooze_{key}")) for key in ids.SNOOZE_OPTIONS]
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
        StaticSelectElement(action_id=ids.SNOOZE, options=snooze_options,
                            placeholder=PlainTextObject(text=blocks.clip(t("snooze_placeholder"), 150))),
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

    notes = [t("due_line", due=slack_date(review.due_at), owner=info.owner_id)]
    if review.state == ReviewState.SNOOZED and review.snoozed_until and review.snoozed_until > now:
        notes.append(t("snoozed_line", until=slack_date(review.snoozed_until, with_time=True)))
    if review.state in (ReviewState.ESCALATING, ReviewState.ESCALATED):
        notes.append(t("escalated_line"))
    items: list[Block] = [
        blocks.section(f"{t('heading', info=info)}\n{build_why(prompts, review, info)}" if why
                       else t("heading", info=info)),
        blocks.context(*notes),
    ]
    if why and info.since and outcome is None:  # lines from the subject's templates, user text escaped there
        items.append(blocks.section(blocks.clip("\n".join(info.since), 3000)))
    if outcome is None:
        items.append(build_review_actions(prompts, review, info))
    else:
        items.append(blocks.context(outcome))
    return items


def build_nudge_message(prompts: Prompts, review: Review, info: SubjectInfo, *, now: datetime,
                        outcome: str | None = None) -> dict:
    """chat.postMessage / chat.update arguments for the DM nudge (blocks, fallback text, metadata)."""
    return {
        "text": prompts.part(NUDGE, "fallback", info=info),
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
    """One outcome line (`reviewed`, `snoozed`, `reassigned`, `retired`, `editing`, `updated`)."""
    return prompts.part(NUDGE, f"outcome_{kind}", **context)
