"""A real local fake of Slack for tests: Web API over HTTP, Socket Mode over WebSocket,
Slack's request payloads, and a signing HTTP client for apps in HTTP mode.

Tests point the real Bolt app at it by URL; nothing is mocked. See each module for why.
"""

from . import payloads
from .http_server import Call
from .signed_http import Response, SlackHttpClient, sign
from .socket_mode import FakeSocketMode
from .web_api import FakeSlack

__all__ = ["Call", "FakeSlack", "FakeSocketMode", "Response", "SlackHttpClient", "payloads", "sign"]
