"""Modal payloads: the ``view`` object, ``view_submission`` and ``view_closed``.

Kept apart from payloads.py only to keep modules small; import them from payloads.
"""

from __future__ import annotations

from typing import Any

from .ids import APP_ID, VERIFICATION_TOKEN
from .ids import trigger_id as _trigger_id
from .state_values import state_values


def _user(user: str, team: str) -> dict[str, Any]:
    name = user.lower()
    return {"id": user, "username": name, "name": name, "team_id": team}


def _team(team: str) -> dict[str, Any]:
    return {"id": team, "domain": "workshop"}


def modal_view(
    callback_id: str,
    *,
    values: dict[str, Any] | None = None,
    private_metadata: str = "",
    view_id: str = "V0001",
    hash: str = "h",
    team: str = "T0001",
    blocks: list[dict[str, Any]] | None = None,
    title: str = "Workshop",
    external_id: str = "",
) -> dict[str, Any]:
    """The ``view`` object Slack embeds in view_submission/view_closed/block_actions."""
    shaped = state_values(values or {})
    if blocks is None:
        blocks = [
            {
                "type": "input",
                "block_id": block_id,
                "label": {"type": "plain_text", "text": block_id},
                "element": {"type": state["type"], "action_id": action_id},
            }
            for block_id, actions in shaped.items()
            for action_id, state in actions.items()
        ]
    return {
        "id": view_id,
        "team_id": team,
        "type": "modal",
        "blocks": blocks,
        "private_metadata": private_metadata,
        "callback_id": callback_id,
        "state": {"values": shaped},
        "hash": hash,
        "title": {"type": "plain_text", "text": title, "emoji": True},
        "clear_on_close": False,
        "notify_on_close": False,
        "close": {"type": "plain_text", "text": "Cancel", "emoji": True},
        "submit": {"type": "plain_text", "text": "Submit", "emoji": True},
        "previous_view_id": None,
        "root_view_id": view_id,
        "app_id": APP_ID,
        "external_id": external_id,
        "app_installed_team_id": team,
        "bot_id": "B0001",
    }


def view_submission(
    callback_id: str,
    values: dict[str, Any],
    *,
    private_metadata: str = "",
    user: str = "U0001",
    team: str = "T0001",
    view_id: str = "V0001",
    hash: str = "h",
    **view_kwargs: Any,
) -> dict[str, Any]:
    """A modal submission; ``values`` as ``{block_id: {action_id: value}}`` (see state_values)."""
    view = modal_view(
        callback_id,
        values=values,
        private_metadata=private_metadata,
        view_id=view_id,
        hash=hash,
        team=team,
        **view_kwargs,
    )
    return {
        "type": "view_submission",
        "team": _team(team),
        "user": _user(user, team),
        "api_app_id": APP_ID,
        "token": VERIFICATION_TOKEN,
        "trigger_id": _trigger_id(),
        "view": view,
        "response_urls": [],
        "is_enterprise_install": False,
        "enterprise": None,
    }


def view_closed(
    callback_id: str,
    *,
    user: str = "U0001",
    team: str = "T0001",
    is_cleared: bool = False,
    **view_kwargs: Any,
) -> dict[str, Any]:
    """Sent only for modals opened with ``notify_on_close: true``."""
    view = modal_view(callback_id, team=team, **view_kwargs)
    view["notify_on_close"] = True
    return {
        "type": "view_closed",
        "team": _team(team),
        "user": _user(user, team),
        "api_app_id": APP_ID,
        "token": VERIFICATION_TOKEN,
        "view": view,
        "is_cleared": is_cleared,
        "is_enterprise_install": False,
        "enterprise": None,
    }
