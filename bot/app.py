"""Builds the Bolt app. Nothing happens at import; the CLI (or a test) calls `build_app`."""

from __future__ import annotations

import logging
from concurrent.futures import ThreadPoolExecutor

from slack_bolt import App
from slack_sdk import WebClient
from sqlalchemy.engine import Engine

from bot import fallbacks, housekeeping, installations, outbox, scheduler, welcome, workspaces
from bot.clock import Clock, SystemClock
from bot.deps import Deps
from bot.empathy import listeners as empathy
from bot.governance import listeners as governance
from bot.home import listeners as home
from bot.journeys import listeners as journeys
from bot.live_messages import LiveMessages
from bot.personas import listeners as personas
from bot.request_context import request_middleware
from bot.settings import Settings, SettingsError
from bot.slack_client import SlackClients, make_web_client
from bot.token_crypto import keep_tokens_out_of_logs
from prompts import Prompts

# Work after the ack: mostly waiting on Slack (a few hundred ms a call), so many threads are
# cheap, and a burst of clicks (each opening a modal within its trigger_id's 3 s) needs them.
AFTER_ACK_THREADS = 64
FEATURES = (empathy, personas, journeys, governance, home)  # registration order: earlier features' listeners win


def build_app(
    settings: Settings,
    engine: Engine,
    *,
    client: WebClient | None = None,
    clock: Clock | None = None,
) -> App:
    """The Bolt app with every feature registered, and its `Deps` at `app.deps`.

    Raises SettingsError when OAuth is on without a usable TOKEN_ENCRYPTION_KEY."""
    keep_tokens_out_of_logs()
    client = client or make_web_client(settings)
    oauth = installations.oauth_settings(settings, engine)
    if oauth is None and installations.bolt_would_use_its_own_oauth():
        raise SettingsError("SLACK_CLIENT_ID and SLACK_CLIENT_SECRET are in the environment but not in the "
                            "settings given to the app: set both (OAuth) or neither")
    executor = ThreadPoolExecutor(max_workers=AFTER_ACK_THREADS, thread_name_prefix="after-ack")
    app = App(
        signing_secret=settings.slack_signing_secret or "unset-signing-secret",
        client=client,
        oauth_settings=oauth,
        authorize=installations.authorize(oauth, _bolt_logger()) if oauth else None,
        token_verification_enabled=False,
        request_verification_enabled=False,  # HTTP mode verifies in bot.http_server, before parsing
        process_before_response=True,  # handlers only read, write and ack; Slack calls go to `later`
        logger=_bolt_logger(),
        listener_executor=executor,
    )
    deps = Deps(
        settings=settings,
        engine=engine,
        clock=clock or SystemClock(),
        prompts=Prompts(settings.prompts_dir),
        client=client,
        clients=SlackClients(settings, client, oauth.installation_store if oauth else None),
        executor=executor,
        scheduler=scheduler.make_scheduler(),
    )
    deps.live = LiveMessages(deps)
    app.use(request_middleware(deps))
    outbox.register_senders(deps)
    housekeeping.register(deps)
    for feature in FEATURES:
        feature.register(app, deps)
    deps.commands.register(app)
    workspaces.register(app, deps)
    welcome.register(app, deps)
    fallbacks.register(app, deps)
    # Hooks run newest first: timers stop, then the work already accepted finishes.
    deps.on_stop.append(lambda: executor.shutdown(wait=True))
    deps.on_stop.append(lambda: scheduler.stop(deps.scheduler))
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
