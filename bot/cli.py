"""`workshop-bot run | db upgrade | doctor | export`: the only place that reads the environment
and starts the engine, the scheduler and the Slack connection.

Exit codes: 0 done, 1 a check or export failed, 2 configuration (settings, tokens), 3 the
database could not be reached."""

from __future__ import annotations

import argparse
import gc
import logging
import os
import signal
import sys
import threading
from collections.abc import Sequence
from pathlib import Path

from bot.settings import Settings, SettingsError, drop_empty_environment, load_settings
from bot.token_crypto import keep_tokens_out_of_logs

log = logging.getLogger("workshop_bot")
# Collections after this many new objects (Python's default: 700, 10, 10). One ballot's 100 kB
# payload is thousands of objects, so eight at once made the collector walk them again and
# again: 400 ballots from eight threads took 5.6-6.5 ms of CPU each with the default, 4.6-5.4
# ms with these. Garbage without cycles is freed at once either way.
GC_THRESHOLDS = (10_000, 20, 20)

SETUP_HELP = """\
workshop-bot needs Slack credentials to run. Missing: {missing}

1. Create the app: https://api.slack.com/apps -> Create New App -> From an app manifest,
   and paste manifest.yml from this repository.
2. Install it to your workspace, then copy:
   - SLACK_BOT_TOKEN (xoxb-...)   OAuth & Permissions -> Bot User OAuth Token
   - SLACK_APP_TOKEN (xapp-...)   Basic Information -> App-Level Tokens (scope connections:write)
   - SLACK_SIGNING_SECRET         Basic Information -> Signing Secret (HTTP mode)
3. Put them in the environment or in a .env file here, and run `workshop-bot run` again.

To see what the bot does first, without Slack or tokens: `workshop-bot demo`.
"""


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    drop_empty_environment(os.environ)  # `SLACK_CLIENT_ID=` is unset, for Bolt as for us
    try:
        settings = load_settings()
    except SettingsError as exc:
        print(f"workshop-bot: configuration error: {exc}", file=sys.stderr)
        return 2
    logging.basicConfig(level=settings.log_level, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    keep_tokens_out_of_logs()
    for chatty in ("alembic", "apscheduler"):
        logging.getLogger(chatty).setLevel(max(logging.WARNING, logging.getLogger().level))
    from storage.db import UNAVAILABLE, safe_url, unavailable_reason

    try:
        return args.handler(settings, args)
    except UNAVAILABLE as exc:  # at start (migrations, the first read): said once, in words
        print(f"workshop-bot: cannot reach the database at {safe_url(settings.database_url)}: "
              f"{unavailable_reason(exc)}\nCheck DATABASE_URL and that the database is running, "
              "then start workshop-bot again.", file=sys.stderr)
        return 3


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="workshop-bot", description="Customer-experience workshops in Slack."
    )
    commands = parser.add_subparsers(dest="command", required=True)
    run = commands.add_parser("run", help="connect to Slack and serve (Socket Mode by default)")
    run.add_argument("--http", action="store_true", help="serve HTTP (/slack/events, /healthz) instead")
    run.add_argument("--host", default="0.0.0.0", help="HTTP mode: address to listen on")
    run.add_argument("--port", type=int, default=3000, help="HTTP mode: port (default 3000)")
    run.set_defaults(handler=_run)
    db = commands.add_parser("db", help="database maintenance")
    db.add_argument("action", choices=["upgrade", "reencrypt-tokens"],
                    help="upgrade: apply pending migrations; reencrypt-tokens: rewrite stored Slack tokens "
                         "under the first key of TOKEN_ENCRYPTION_KEY (after rotating it)")
    db.set_defaults(handler=_db)
    demo = commands.add_parser("demo", help="see the bot without Slack: play a short workshop on a local Slack "
                                             "and write it as a web page (no tokens, no network)")
    demo.add_argument("--out", type=Path, default=Path("demo/index.html"),
                      help="where to write the page (default demo/index.html)")
    demo.set_defaults(handler=_demo)
    doctor = commands.add_parser("doctor", help="check tokens, scopes, database and migrations")
    doctor.set_defaults(handler=_doctor)
    export = commands.add_parser("export", help="print a session (Markdown, JSON or CSV), a persona or a journey")
    kinds = export.add_subparsers(dest="kind", required=True, metavar="{session,persona,journey}")
    session = kinds.add_parser("session", help="an empathy session, by the number shown on its board")
    session.add_argument("id", type=int, help="the session number")
    session.add_argument("--format", choices=["md", "json", "csv"], default="md", help="md (default), json or csv")
    session.set_defaults(handler=_export_session)
    persona = kinds.add_parser("persona", help="a persona, by name or id")
    persona.add_argument("name", help="the persona's name or id")
    persona.add_argument("--format", choices=["md", "json"], default="md", help="md (default) or json")
    persona.add_argument("--team", default=None, help="workspace id, when the database serves several")
    persona.set_defaults(handler=_export_persona)
    journey = kinds.add_parser("journey", help="a journey map, by name or id")
    journey.add_argument("name", help="the journey's name or id")
    journey.add_argument("--format", choices=["md", "csv", "json"], default="md", help="md (default), csv or json")
    journey.add_argument("--team", default=None, help="workspace id, when the database serves several")
    journey.set_defaults(handler=_export_journey)
    return parser


def _keep_to_one_cpu() -> None:
    """ONE_CPU: every thread of the process on one of the CPUs it may use (called before the
    bot's threads start; they inherit it). The GIL runs one thread's Python at a time anyway, and
    when the OS moves it between CPUs each switch costs cache misses: in a burst of 500 ballots
    the bot used up to 1.8x less CPU per request on one CPU (README, Performance). Off by
    default: on a host shared by many processes, a fixed CPU takes load balancing away from the
    kernel."""
    if not hasattr(os, "sched_setaffinity"):
        log.warning("ONE_CPU is set, but this system cannot keep a process on one CPU; ignored")
        return
    allowed = sorted(os.sched_getaffinity(0))
    cpu = allowed[os.getpid() % len(allowed)]  # replicas on one host spread over the CPUs
    threads = os.listdir("/proc/self/task") if os.path.isdir("/proc/self/task") else ["0"]
    for thread in threads:  # any started while modules were imported, and this one
        os.sched_setaffinity(int(thread), {cpu})
    log.info("running on CPU %s of %s (ONE_CPU)", cpu, len(allowed))


def _run(settings: Settings, args: argparse.Namespace) -> int:
    from bot import scheduler
    from bot.app import build_app
    from bot.slack_client import make_web_client
    from storage.db import make_engine, upgrade

    if settings.one_cpu:
        _keep_to_one_cpu()
    mode = "http" if args.http else "socket"
    missing = settings.missing_for(mode)
    if missing:
        print(SETUP_HELP.format(missing=", ".join(missing)), file=sys.stderr)
        return 2
    if settings.oauth_enabled:
        from bot.installations import cipher_for

        try:
            cipher_for(settings)
        except SettingsError as exc:
            print(exc, file=sys.stderr)
            return 2
    engine = make_engine(settings.database_url)
    upgrade(engine)
    client = make_web_client(settings)
    if not settings.oauth_enabled:
        problem = _check_token(client)
        if problem:
            print(f"workshop-bot: Slack did not accept SLACK_BOT_TOKEN ({problem}).", file=sys.stderr)
            return 2
    app = build_app(settings, engine, client=client)
    gc.collect()
    gc.freeze()  # start-up's objects (Bolt, SQLAlchemy, templates) are never garbage: skip them in collections
    gc.set_threshold(*GC_THRESHOLDS)
    scheduler.start(app.deps)  # type: ignore[attr-defined]
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    signal.signal(signal.SIGINT, lambda *_: stop.set())
    try:
        if args.http:
            from bot.http_server import serve

            serve(app, host=args.host, port=args.port,
                  signing_secret=settings.slack_signing_secret or "", stop=stop)
        else:
            from bot.socket_mode import SocketModeRefused, connect_socket_mode

            try:
                handler = connect_socket_mode(app, settings.slack_app_token or "")
            except SocketModeRefused as exc:
                print(f"workshop-bot: Slack did not accept SLACK_APP_TOKEN ({exc}).\n{exc.advice}\n"
                      "Then run `workshop-bot run` again, or `workshop-bot doctor` to check every setting.",
                      file=sys.stderr)
                return 2
            stop.wait()
            handler.close()
    finally:
        app.deps.stop()  # type: ignore[attr-defined]
        engine.dispose()
    log.info("stopped")
    return 0


def _check_token(client: object) -> str | None:
    from slack_sdk.errors import SlackApiError

    from bot.socket_mode import slack_error

    try:
        client.auth_test()  # type: ignore[attr-defined]
    except SlackApiError as exc:
        return slack_error(exc)
    except OSError as exc:
        return f"cannot reach Slack: {exc}"
    return None


def _db(settings: Settings, args: argparse.Namespace) -> int:
    from storage.db import make_engine, migration_state, upgrade

    engine = make_engine(settings.database_url)
    upgrade(engine)
    if args.action == "reencrypt-tokens":
        from bot.installations import reencrypt_tokens

        try:
            count = reencrypt_tokens(settings, engine)
        except SettingsError as exc:
            print(exc, file=sys.stderr)
            return 2
        print(f"{count} stored tokens now encrypted under the first key of TOKEN_ENCRYPTION_KEY")
        return 0
    current, _head = migration_state(engine)
    print(f"database is at revision {current}")
    return 0


def _export_persona(settings: Settings, args: argparse.Namespace) -> int:
    from bot.personas.export import export_for_cli

    text, error = export_for_cli(settings, args.name, fmt=args.format, team_id=args.team)
    if error:
        print(f"workshop-bot: {error}", file=sys.stderr)
        return 1
    sys.stdout.write(text)
    return 0


def _export_journey(settings: Settings, args: argparse.Namespace) -> int:
    from bot.journeys.export import export_for_cli

    text, error = export_for_cli(settings, args.name, fmt=args.format, team_id=args.team)
    if error:
        print(f"workshop-bot: {error}", file=sys.stderr)
        return 1
    sys.stdout.write(text)
    return 0


def _demo(settings: Settings, args: argparse.Namespace) -> int:
    from bot.demo.run import run_demo
    from bot.demo.stage import DemoError

    logging.getLogger().setLevel(max(logging.WARNING, logging.getLogger().level))  # the page is the output
    print("workshop-bot: playing a short workshop on a local Slack (about half a minute)...", file=sys.stderr)
    try:
        page = run_demo(args.out, prompts_dir=settings.prompts_dir, default_timezone=settings.default_timezone)
    except DemoError as exc:
        print(f"workshop-bot: the demo stopped: {exc}", file=sys.stderr)
        return 1
    print(f"Open {page.resolve().as_uri()} in a browser to see the workshop as people saw it in Slack.")
    return 0


def _doctor(settings: Settings, _args: argparse.Namespace) -> int:
    from bot.doctor import run_checks

    checks = run_checks(settings)
    for check in checks:
        print(f"[{'pass' if check.ok else 'FAIL'}] {check.name}: {check.detail}")
    failed = [c for c in checks if not c.ok]
    print(f"\n{len(checks) - len(failed)} passed, {len(failed)} failed")
    return 1 if failed else 0


def _export_session(settings: Settings, args: argparse.Namespace) -> int:
    from datetime import UTC, datetime

    from bot.empathy.wrapup import export_document
    from prompts import Prompts
    from storage.db import make_engine, unit_of_work, upgrade
    from storage.empathy import find_session_for_export

    engine = make_engine(settings.database_url)
    upgrade(engine)
    with unit_of_work(engine) as db:
        session = find_session_for_export(db, session_id=args.id)
        if session is None:
            print(f"workshop-bot: no empathy session {args.id}", file=sys.stderr)
            return 1
        text = export_document(db, Prompts(settings.prompts_dir), session, args.format, datetime.now(UTC))
    sys.stdout.write(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
