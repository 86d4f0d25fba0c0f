"""The requests of "500 people at once", shaped as Slack sends them.

A click on the board carries the board message itself (as Slack's block_actions do), and a
submission carries the whole view the bot opened for that person, read back from the fake
Slack's views.open, with Slack's `state.values` for every input filled in. So the bodies have
Slack's real sizes: a ballot of 75 notes is about 110 KB.
"""

from __future__ import annotations

import copy
import json
from typing import Any
from urllib.parse import urlencode

from bot.empathy import ids
from tests.slack_fake import payloads

Request = dict[str, Any]
NOTES_PER_PERSON = 3
PICKS = (3, 1, 1)  # a voter's ballot: 5 votes over three notes


def click(action_id: str, *, session_id: int, user: str, team: str, channel: str, board_ts: str,
          board: list[dict[str, Any]]) -> Request:
    return payloads.block_actions(action_id, value=str(session_id), user=user, team=team, channel=channel,
                                  message_ts=board_ts, message_blocks=copy.deepcopy(board),
                                  message_text="Empathy-map session")


def note_texts(user: str) -> str:
    """Three notes of ordinary length (a line each)."""
    return "\n".join(f"{user} idea {k}: the checkout asks for an account before showing the delivery cost, "
                     f"so I leave and compare prices elsewhere first" for k in range(1, NOTES_PER_PERSON + 1))


def _state_of(element: dict[str, Any], chosen: Any) -> dict[str, Any]:
    """Slack's state value of one input element: what was typed or picked, else its initial value."""
    kind = element["type"]
    if kind == "plain_text_input":
        return {"type": kind, "value": chosen if chosen is not None else element.get("initial_value")}
    if kind == "static_select":
        options = element.get("options") or []
        picked = next((o for o in options if o["value"] == chosen), element.get("initial_option"))
        return {"type": kind, "selected_option": picked}
    raise ValueError(f"no state for a {kind} element")


def filled_view(view: dict[str, Any], choices: dict[str, Any]) -> dict[str, Any]:
    """The view as Slack embeds it in view_submission: every input's state, `choices[block_id]`
    where the person typed or picked something."""
    values = {block["block_id"]: {block["element"]["action_id"]: _state_of(block["element"],
                                                                            choices.get(block["block_id"]))}
              for block in view["blocks"] if block.get("type") == "input"}
    return {**view, "state": {"values": values}}


def submission(view: dict[str, Any], *, user: str, team: str) -> Request:
    body = payloads.view_submission(view["callback_id"], {}, user=user, team=team, view_id=view["id"])
    body["view"] = {**view, "team_id": team, "app_installed_team_id": team}  # the fake has one workspace
    return body


def note_submission(view: dict[str, Any], *, user: str, team: str) -> Request:
    return submission(filled_view(view, {ids.NOTE_TEXT_BLOCK: note_texts(user)}), user=user, team=team)


def ballot_submission(view: dict[str, Any], *, user: str, team: str, n: int) -> Request:
    """`n`-th voter of the session: 3, 1 and 1 votes on three notes next to each other."""
    blocks = [b["block_id"] for b in view["blocks"] if b.get("block_id", "").startswith(ids.VOTE_BLOCK_PREFIX)]
    choices = {blocks[(n * len(PICKS) + k) % len(blocks)]: str(count) for k, count in enumerate(PICKS)}
    return submission(filled_view(view, choices), user=user, team=team)


def size_kb(requests: list[Request]) -> float:
    """The average body as sent (`payload=<json>`, form-encoded)."""
    return sum(len(urlencode({"payload": json.dumps(r)})) for r in requests) / max(1, len(requests)) / 1024
