"""Reading a submitted modal's `view.state.values` without caring about element types."""

from __future__ import annotations

from typing import Any

from storage.text import clean_text


class ModalValues:
    """Values by block id; every input in our modals uses action id `value`."""

    def __init__(self, view: dict[str, Any], action_id: str = "value") -> None:
        self._values = view.get("state", {}).get("values", {})
        self._action_id = action_id

    def _element(self, block_id: str) -> dict[str, Any]:
        return self._values.get(block_id, {}).get(self._action_id) or {}

    def text(self, block_id: str) -> str:
        """The typed text, cleaned as it will be stored (storage/text.py), so checks see that."""
        return clean_text(self._element(block_id).get("value") or "").strip()

    def integer(self, block_id: str) -> int | None:
        try:
            return int(self.text(block_id))
        except ValueError:
            return None

    def selected(self, block_id: str) -> str | None:
        option = self._element(block_id).get("selected_option") or {}
        return option.get("value")

    def checked(self, block_id: str) -> set[str]:
        return {o.get("value") for o in self._element(block_id).get("selected_options") or []}

    def user(self, block_id: str) -> str | None:
        return self._element(block_id).get("selected_user")
