"""Builds the Bolt app. Nothing happens at import; the CLI (or a test) calls `build_app`."""

from __future__ import annotations

import logging
from concurrent.futures import ThreadPoolExecutor

from slack_bolt import App
from slack_sdk import WebClient
from sqlalchemy.engine import Engine

from bot import fallbacks, installations
from bot.clock import Clock, SystemClock
from bot.deps import Deps
from bot.event_dedupe import drop_redelivered_events
from bot.requests_in_flight import CountedApp, RequestsInFlight
from bot.settings import Settings
from bot.slack_client import make_web_client
from prompts import Prompts

LISTENER_THREADS = 5  # Bolt's default; ours so that stopping can wait for listeners still running
FEATURES: tuple[str, ...] = ("empathy", "personas", "journeys", "governance", "home")


def build_app(
    settings: Settings,
    engine: Engine,
    *,
    client: WebClient | None = None,
    clock: Clock | None = None,
) -> App:
    """The Bolt app with every feature registered, and its `Deps` at `app.deps`."""
    client = client or make_web_client(settings)
    oauth = installations.oauth_settings(settings, engine)
    listeners = ThreadPoolExecutor(max_workers=LISTENER_THREADS, thread_name_prefix="bolt-listener")
    in_flight = RequestsInFlight()
    app = CountedApp(
        in_flight=in_flight,
        signing_secret=settings.slack_signing_secret or "unset-signing-secret",
        client=client,
        oauth_settings=oauth,
        token_verification_enabled=False,
        logger=_bolt_logger(),
        listener_executor=listeners,
    )
    deps = Deps(
        settings=settings,
        engine=engine,
        clock=clock or SystemClock(),
        prompts=Prompts(settings.prompts_dir),
        client=client,
        in_flight=in_flight,
    )
    app.use(drop_redelivered_events(deps))
    for feature in _feature_modules():
        feature.register(app, deps)
    deps.commands.register(app)
    fallbacks.register(app, deps)
    # Hooks run newest first: listeners still running finish before the work they queued drains.
    deps.on_stop.append(lambda: listeners.shutdown(wait=True))
    app.deps = deps  # type: ignore[attr-defined]
    return app


class _DropTokenEnvWarning(logging.Filter):
    """Bolt reads SLACK_BOT_TOKEN itself and warns that our client wins; that is intended, not news."""

    def filter(self, record: logging.LogRecord) -> bool:
        return "`token` will be unused" not in record.getMessage()


def _bolt_logger() -> logging.Logger:
    logger = logging.getLogger("workshop_bot.bolt")
    if not any(isinstance(f, _DropTokenEnvWarning) for f in logger.filters):
        logger.addFilter(_DropTokenEnvWarning())
    return logger


def _feature_modules() -> list:
    """Each feature folder's `listeners` module, in a fixed order (registration order matters)."""
    import importlib

    modules = []
    for name in FEATURES:
        try:
            modules.append(importlib.import_module(f"bot.{name}.listeners"))
        except ModuleNotFoundError as exc:
            if exc.name not in (f"bot.{name}", f"bot.{name}.listeners"):
                raise
    return modules
