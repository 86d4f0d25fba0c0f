"""The local Slack the tests run against, now the shipped package `local_slack`.

Kept so `from tests.slack_fake import FakeSlack, payloads` and `tests.slack_fake.<module>` keep
working: each module of `local_slack` is also importable under this name (the same module
object, so ids and counters are shared).
"""

from __future__ import annotations

import importlib
import pkgutil
import sys

import local_slack
from local_slack import Call, FakeSlack, FakeSocketMode, Response, SlackHttpClient, payloads, sign

for _module in pkgutil.iter_modules(local_slack.__path__):
    sys.modules[f"{__name__}.{_module.name}"] = importlib.import_module(f"local_slack.{_module.name}")

__all__ = ["Call", "FakeSlack", "FakeSocketMode", "Response", "SlackHttpClient", "payloads", "sign"]
