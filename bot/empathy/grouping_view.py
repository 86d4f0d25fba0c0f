"""Pure builder for the Group phase's modal: pick the note to keep and the duplicates to merge
into it. Only notes that head a group (or stand alone) are offered; at most 100 (Slack's limit
for a select), most recent last, grouped by section. Below, the groups made so far, each with a
Split button that takes it back apart."""

from __future__ import annotations

from slack_sdk.models.blocks import (
    InputBlock,
    Option,
    OptionGroup,
    PlainTextObject,
    StaticMultiSelectElement,
    StaticSelectElement,
)

from bot import blocks
from bot.empathy import ids
from bot.empathy.agenda import areas_of
from bot.empathy.reveal_view import area_name
from prompts import Prompts
from storage.empathy_notes import VotedNote
from storage.models import EmpathySession

GROUPING = "empathy/grouping"
MAX_OPTIONS = 100
MAX_GROUPS = 80  # a modal holds 100 blocks: the intro, the two inputs and the groups' heading come first
OPTION_CHARS = 75


def build_grouping_modal(prompts: Prompts, *, session: EmpathySession, notes: list[VotedNote],
                         done: str = "") -> dict:
    """`done` says what the last submission grouped (the modal stays open for the next group)."""
    def t(macro: str, **kw: object) -> str:
        return prompts.part(GROUPING, macro, **kw)

    order = areas_of(session)
    notes = sorted(notes, key=lambda n: (order.index(n.quadrant) if n.quadrant in order else 99, n.id))
    groups_so_far = _groups(prompts, session, [n for n in notes if n.members])
    notes = notes[:MAX_OPTIONS]
    head = [blocks.section(t("intro", subject=session.subject, count=len(notes)))]
    if done:
        head.insert(0, blocks.context(done))
    if len(notes) < 2:
        head.append(blocks.section(t("nothing_to_group")))
        return blocks.modal(callback_id=ids.GROUPING_MODAL, title=t("title"), close=t("close"),
                            private_metadata=str(session.id), blocks=[*head, *groups_so_far])
    groups = []
    for area in dict.fromkeys(n.quadrant for n in notes):
        name = area_name(prompts, session, area)
        groups.append(OptionGroup(label=blocks.clip(name, 75), options=[
            Option(value=str(n.id), text=blocks.clip(t("option", text=n.text, grouped=len(n.members)), OPTION_CHARS))
            for n in notes if n.quadrant == area]))
    return blocks.modal(
        callback_id=ids.GROUPING_MODAL, title=t("title"), submit=t("submit"), close=t("close"),
        private_metadata=str(session.id),
        blocks=[*head,
                InputBlock(block_id=ids.KEEP_BLOCK, label=PlainTextObject(text=t("keep_label")),
                           element=StaticSelectElement(action_id="value", option_groups=groups,
                                                       placeholder=PlainTextObject(text=t("keep_placeholder")))),
                InputBlock(block_id=ids.MERGE_BLOCK, label=PlainTextObject(text=t("merge_label")),
                           hint=PlainTextObject(text=t("merge_hint")),
                           element=StaticMultiSelectElement(action_id="value", option_groups=groups,
                                                            placeholder=PlainTextObject(text=t("merge_placeholder")))),
                *groups_so_far])


def _groups(prompts: Prompts, session: EmpathySession, grouped: list[VotedNote]) -> list:
    """The groups made so far, each with a Split button (a group made by mistake goes back to its notes)."""
    if not grouped:
        return []
    out: list = [blocks.divider(), blocks.section(prompts.part(GROUPING, "groups_intro", count=len(grouped)))]
    for note in grouped[:MAX_GROUPS]:
        text = prompts.part(GROUPING, "group_line", section=area_name(prompts, session, note.quadrant),
                            text=blocks.clip(note.text, 300), members=[blocks.clip(m, 200) for m in note.members[:5]],
                            more=max(0, len(note.members) - 5))
        out.append(blocks.section(text, block_id=f"group:{note.id}", accessory=blocks.button(
            prompts.part(GROUPING, "split"), ids.SPLIT_GROUP, value=str(note.id))))
    if len(grouped) > MAX_GROUPS:
        out.append(blocks.context(prompts.part(GROUPING, "more_groups", count=len(grouped) - MAX_GROUPS)))
    return out


def build_refusal(prompts: Prompts, *, session_id: int, text: str) -> dict:
    """What the grouping modal turns into when a click there can no longer act (voting started)."""
    return blocks.modal(callback_id=ids.GROUPING_MODAL, title=prompts.part(GROUPING, "title"),
                        close=prompts.part(GROUPING, "close"), private_metadata=str(session_id),
                        blocks=[blocks.section(text)])
