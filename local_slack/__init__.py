"""A local Slack: Web API over HTTP, Socket Mode over WebSocket, Slack's request payloads, and a
signing HTTP client for apps in HTTP mode.

The tests point the real Bolt app at it by URL (nothing is mocked), and `workshop-bot demo`
runs the bot against it so people can see the bot before anyone installs it in a workspace.
It ships in the package for the demo; see each module for why it is shaped as it is.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from . import payloads
from .http_server import Call
from .signed_http import Response, SlackHttpClient, sign
from .web_api import FakeSlack

if TYPE_CHECKING:
    from .socket_mode import FakeSocketMode

__all__ = ["Call", "FakeSlack", "FakeSocketMode", "Response", "SlackHttpClient", "payloads", "sign"]


def __getattr__(name: str) -> Any:
    """Socket Mode needs `websockets` (a test dependency): imported only when asked for."""
    if name == "FakeSocketMode":
        from .socket_mode import FakeSocketMode

        return FakeSocketMode
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
