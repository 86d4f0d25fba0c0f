"""What a test (or the demo) does to FakeSlack besides calling it: script failures and rate
limits, then read back what the bot sent.

A mixin so web_api.py stays about serving Slack's Web API; it works on the state FakeSlack
owns (``_cond``, ``calls``, ``_scripted``, ``_overrides``, ``block_kit_errors``, ``warnings``).
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import Any

from .http_server import Call

Override = Callable[[dict[str, Any]], dict[str, Any]] | dict[str, Any]
LANDED: dict[str, Any] = {"landed": True}  # scripted: do the call, lose the answer


class Controls:
    """Scripting and assertions; mixed into FakeSlack."""

    _cond: threading.Condition
    calls: list[Call]
    block_kit_errors: list[str]
    warnings: list[str]
    _scripted: dict[str, list[tuple[int, dict[str, str], dict[str, Any]]]]
    _overrides: dict[str, Override]

    # -- scripting ------------------------------------------------------------------------
    def fail_next(self, method: str, error: str = "channel_not_found", times: int = 1) -> None:
        with self._cond:
            self._scripted.setdefault(method, []).extend([(200, {}, {"ok": False, "error": error})] * times)

    def break_next(self, method: str, status: int = 500, times: int = 1) -> None:
        """Answer ``method`` with HTTP ``status`` and no error code, as a failing proxy or Slack outage does."""
        with self._cond:
            self._scripted.setdefault(method, []).extend([(status, {}, {"ok": False})] * times)

    def lose_answer_next(self, method: str, status: int = 500, times: int = 1) -> None:
        """Do ``method`` (the message is posted), then answer HTTP ``status``: the bot never hears
        that it landed, as when Slack or a proxy fails after the work is done."""
        with self._cond:
            self._scripted.setdefault(method, []).extend([(status, {}, LANDED)] * times)

    def rate_limit_next(self, method: str, retry_after: int = 1, times: int = 1) -> None:
        answer = (429, {"Retry-After": str(retry_after)}, {"ok": False, "error": "ratelimited"})
        with self._cond:
            self._scripted.setdefault(method, []).extend([answer] * times)

    def override(self, method: str, answer: Override) -> None:
        """Answer ``method`` with ``answer`` (a dict, or a function of the args) from now on."""
        with self._cond:
            self._overrides[method] = answer

    # -- assertions ------------------------------------------------------------------------
    def calls_to(self, method: str) -> list[Call]:
        with self._cond:
            return [c for c in self.calls if c.method == method]

    def last(self, method: str) -> Call:
        calls = self.calls_to(method)
        if not calls:
            raise AssertionError(f"no call to {method}; seen: {self._seen()}")
        return calls[-1]

    def clear(self) -> None:
        with self._cond:
            self.calls.clear()
            self.block_kit_errors.clear()
            self.warnings.clear()

    def wait_for(self, method: str, count: int = 1, timeout: float = 5.0) -> list[Call]:
        """Block until ``count`` calls to ``method`` arrived (woken on each call)."""
        deadline = time.monotonic() + timeout
        with self._cond:
            while True:
                calls = [c for c in self.calls if c.method == method]
                if len(calls) >= count:
                    return calls
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    raise AssertionError(
                        f"expected {count} call(s) to {method}, got {len(calls)}; seen: {self._seen()}"
                    )
                self._cond.wait(min(remaining, 0.01))

    def assert_no_block_kit_errors(self) -> None:
        if self.block_kit_errors:
            raise AssertionError("Block Kit errors:\n" + "\n".join(self.block_kit_errors))

    def _seen(self) -> list[str]:
        with self._cond:
            return [c.method for c in self.calls]
