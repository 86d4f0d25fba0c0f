"""Engine and session set-up, and schema migrations.

SQLite gets WAL mode and foreign keys (a file that several threads read while the scheduler
writes); PostgreSQL is used as it comes.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from functools import lru_cache
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import event
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Engine, make_url
from sqlalchemy.exc import DisconnectionError, InterfaceError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeoutError
from sqlmodel import Session, SQLModel, create_engine

from storage import text

MIGRATIONS = Path(__file__).parent / "migrations"
# Connections kept open: about one per thread that reads or writes at once (HTTP, listener and
# after-ack threads, the scheduler). A pool smaller than that opens and closes a connection per
# unit of work in a burst (with SQLite's pragmas each time).
POOL_SIZE = 20
CONNECT_TIMEOUT = 10  # seconds: a server that does not answer is "unavailable", not a hang
# What a database that is away (down, restarting, unreachable, out of connections) raises: the
# request is answered "try again" and the next one works; at start, `workshop-bot` says so and stops.
UNAVAILABLE = (OperationalError, InterfaceError, DisconnectionError, PoolTimeoutError)
MAX_ROW_ID = 2**31 - 1  # PostgreSQL `integer`, the type of every id column (SQLite's stop at 2**63)


def row_id(text: str) -> int | None:
    """`text` as a row id a column can hold (ASCII digits, 1 .. MAX_ROW_ID), else None: a 30-digit
    number typed by a person must read as "no such row", not overflow the database driver."""
    digits = text.strip()
    if not (digits.isascii() and digits.isdigit() and len(digits) <= 10):
        return None
    value = int(digits)
    return value if 0 < value <= MAX_ROW_ID else None


def make_engine(url: str) -> Engine:
    """An engine for `url`; SQLite connections get the pragmas the bot relies on.

    PostgreSQL gets `pool_pre_ping`: a connection the server dropped while it was briefly away
    (a restart, a failover) is replaced before use, so the first request after it comes back
    works. (A SQLite file's connections are never dropped; a ping would only cost a statement.)
    """
    if url.startswith("postgres://"):
        url = "postgresql://" + url.removeprefix("postgres://")
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url.removeprefix("postgresql://")
    if url.startswith("sqlite"):
        in_memory = url in ("sqlite://", "sqlite:///:memory:")  # one connection (SingletonThreadPool)
        pool = {} if in_memory else {"pool_size": POOL_SIZE, "max_overflow": POOL_SIZE}
        engine = create_engine(url, connect_args={"check_same_thread": False, "timeout": 30},
                               json_serializer=text.dumps, **pool)
        event.listen(engine, "connect", _sqlite_pragmas)
    else:
        engine = create_engine(url, json_serializer=text.dumps, pool_pre_ping=True, pool_size=POOL_SIZE,
                               max_overflow=POOL_SIZE, connect_args={"connect_timeout": CONNECT_TIMEOUT})
    text.install(engine)  # every string on its way in is cleaned the same way on both databases
    return engine


def _sqlite_pragmas(dbapi_connection: object, _record: object) -> None:
    cursor = dbapi_connection.cursor()  # type: ignore[attr-defined]
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


def unavailable_reason(error: BaseException) -> str:
    """One line on why the database could not be used (the driver's words, no SQL, no password)."""
    cause = getattr(error, "orig", None) or error
    return (str(cause).strip().splitlines() or [type(cause).__name__])[0][:300]


def log_failure(logger: logging.Logger, error: BaseException, message: str, *args: object) -> None:
    """Log work that failed: one warning line when the database is away (that is not news about
    our code, and a traceback per request or tick would flood the log while it is down), the
    traceback for anything else."""
    if isinstance(error, UNAVAILABLE):
        logger.warning(message + ": database unavailable (%s)", *args, unavailable_reason(error))
    else:
        logger.error(message, *args, exc_info=error)


def safe_url(url: str) -> str:
    """`url` as it may be printed: the password hidden."""
    try:
        return make_url(url).render_as_string(hide_password=True)
    except Exception:  # an unparsable URL is printed as nothing rather than risk a secret
        return "(DATABASE_URL)"


def open_session(engine: Engine) -> Session:
    """A session for one unit of work; rows stay readable after the commit (no reload)."""
    return Session(engine, expire_on_commit=False)


@contextmanager
def unit_of_work(engine: Engine) -> Iterator[Session]:
    """One unit of work outside a request (a timer, a job): commit on success, roll back on error."""
    with open_session(engine) as session:
        try:
            yield session
            session.commit()
        except BaseException:
            session.rollback()
            raise



def insert_new(db: Session, model: type[SQLModel], rows: list[dict[str, Any]], *,
               returning: tuple[Any, ...] = ()) -> Any:
    """INSERT the rows, skipping those a unique key already holds; returns how many are new, or
    with `returning` (columns) those columns of the new rows.

    One statement, whatever the count: what makes retries and redeliveries idempotent without
    a read first. (SQLite and PostgreSQL spell ON CONFLICT DO NOTHING alike.)
    """
    if not rows:
        return [] if returning else 0
    statement = _insert_new_statement(db.get_bind().dialect.name, model, returning)
    # The rows go as parameters, not in the statement: its compiled form is cached (a statement
    # with the values inside is compiled anew each time, a millisecond of CPU), and several rows
    # still go in one INSERT (SQLAlchemy's "insertmanyvalues").
    params = rows[0] if len(rows) == 1 else rows
    if returning:
        return [tuple(row) for row in db.execute(statement, params)]
    return len(db.execute(statement, params).all())  # rowcount is -1 for some drivers


@lru_cache(maxsize=64)
def _insert_new_statement(dialect_name: str, model: type[SQLModel], returning: tuple[Any, ...]) -> Any:
    """Built once per table (building it cost more than running it)."""
    dialect = postgresql if dialect_name == "postgresql" else sqlite
    statement = dialect.insert(model).on_conflict_do_nothing()  # type: ignore[attr-defined]
    return statement.returning(*(returning or model.__table__.primary_key.columns))  # type: ignore[attr-defined]


def alembic_config(engine: Engine) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.attributes["engine"] = engine
    return config


def upgrade(engine: Engine) -> None:
    """Apply every pending migration (`workshop-bot db upgrade`, and at start-up)."""
    command.upgrade(alembic_config(engine), "head")


def migration_state(engine: Engine) -> tuple[str | None, str]:
    """(current revision of the database, head revision of the code)."""
    script = ScriptDirectory.from_config(alembic_config(engine))
    with engine.connect() as connection:
        current = MigrationContext.configure(connection).get_current_revision()
    return current, script.get_current_head() or ""
