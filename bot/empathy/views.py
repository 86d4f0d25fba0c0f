"""Pure builders for starting a session: the start modal. No I/O.

The channel is a conversations_select with `response_url_enabled`, so the submission carries a
response_url for the chosen channel: the one way to answer the facilitator ephemerally in a
channel the bot cannot post to. From the slash command it starts on the current channel.
"""

from __future__ import annotations

from slack_sdk.models.blocks import (
    CheckboxesElement,
    ConversationFilter,
    ConversationSelectElement,
    InputBlock,
    NumberInputElement,
    Option,
    PlainTextObject,
    StaticSelectElement,
)

from bot import blocks
from bot.empathy import ids
from bot.empathy.agenda import CANVASES, DEFAULT_MINUTES, MAX_MINUTES, MIN_MINUTES
from prompts import Prompts
from storage.models import EmpathySession, Persona

MODAL = "empathy/start_modal"
MAX_PERSONA_OPTIONS = 100


def build_start_modal(prompts: Prompts, *, channel_id: str, personas: list[Persona] | None = None,
                      again: EmpathySession | None = None) -> dict:
    """`channel_id` is empty when started from the App Home (no channel context); `again` fills
    the form from an earlier session (Run it again)."""
    def t(macro: str, **kw: object) -> str:
        return prompts.part(MODAL, macro, **kw)

    personas = (personas or [])[:MAX_PERSONA_OPTIONS]
    canvas_options = [Option(value=key, text=t(f"canvas_{key}")) for key in CANVASES]
    channel_select = ConversationSelectElement(
        action_id="value", response_url_enabled=True, initial_conversation=channel_id or None,
        filter=ConversationFilter(include=["public", "private"], exclude_bot_users=True),
        placeholder=PlainTextObject(text=t("channel_placeholder")),
    )
    persona_blocks = []
    if personas:
        options = [Option(value=str(p.id), text=blocks.clip(p.name, 75)) for p in personas]
        persona_blocks.append(InputBlock(
            block_id=ids.PERSONA_BLOCK, label=PlainTextObject(text=t("persona_label")), optional=True,
            hint=PlainTextObject(text=t("persona_hint")),
            element=StaticSelectElement(action_id="value", options=options,
                                        placeholder=PlainTextObject(text=t("persona_placeholder"))),
        ))
    return blocks.modal(
        callback_id=ids.START_MODAL,
        title=t("title"),
        submit=t("submit"),
        private_metadata=channel_id,
        blocks=[
            blocks.section(t("intro", channel=channel_id)),
            InputBlock(block_id=ids.CHANNEL_BLOCK, label=PlainTextObject(text=t("channel_label")),
                       element=channel_select),
            blocks.text_input(block_id=ids.SUBJECT_BLOCK, label=t("subject_label"),
                              placeholder=t("subject_placeholder"), max_length=150, optional=bool(personas),
                              initial=again.subject if again else None),
            *persona_blocks,
            blocks.text_input(block_id=ids.GOAL_BLOCK, label=t("goal_label"), multiline=True,
                              placeholder=t("goal_placeholder"), max_length=500,
                              initial=again.goal if again else None),
            blocks.text_input(block_id=ids.SUCCESS_BLOCK, label=t("success_label"), multiline=True,
                              placeholder=t("success_placeholder"), max_length=500, optional=True,
                              initial=(again.success or None) if again else None),
            _number(ids.DURATION_BLOCK, t("duration_label"), again.duration_minutes if again else DEFAULT_MINUTES,
                    MIN_MINUTES, MAX_MINUTES),
            InputBlock(
                block_id=ids.CANVAS_BLOCK,
                label=PlainTextObject(text=t("canvas_label")),
                element=StaticSelectElement(action_id="value", options=canvas_options,
                                            initial_option=next(
                    (o for o in canvas_options if again and o.value == again.canvas), canvas_options[0])),
            ),
            _number(ids.VOTES_BLOCK, t("votes_label"), again.votes_per_person if again else 5, 1, 20),
            InputBlock(
                block_id=ids.OPTIONS_BLOCK,
                label=PlainTextObject(text=t("options_label")),
                optional=True,
                element=CheckboxesElement(action_id="value",
                                          options=[Option(value=key, text=t(f"{key}_option"))
                                                   for key in ("anonymous", "live", "open_grouping")]),
            ),
        ],
    )


def _number(block_id: str, label: str, initial: int, low: int, high: int) -> InputBlock:
    return InputBlock(
        block_id=block_id,
        label=PlainTextObject(text=label),
        element=NumberInputElement(action_id="value", is_decimal_allowed=False, initial_value=str(initial),
                                   min_value=str(low), max_value=str(high)),
    )
