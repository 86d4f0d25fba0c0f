"""The schema: migrations build exactly the models, on SQLite and PostgreSQL alike."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import inspect
from sqlmodel import SQLModel

from storage import events
from storage.db import POOL_SIZE, make_engine, migration_state, unit_of_work, upgrade

NOW = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)


def test_migrations_build_exactly_the_models(any_engine):
    with any_engine.connect() as connection:
        diff = compare_metadata(MigrationContext.configure(connection), SQLModel.metadata)
    assert diff == [], f"models and migrations differ; regenerate the migration: {diff}"


def test_database_is_at_head_and_upgrade_is_idempotent(any_engine):
    upgrade(any_engine)
    current, head = migration_state(any_engine)
    assert current == head
    tables = set(inspect(any_engine).get_table_names())
    assert {"empathy_session", "note", "vote", "persona", "persona_revision", "journey", "stage",
            "persona_stage", "review", "conversation", "processed_event", "outbox_message"} <= tables


def test_every_table_is_scoped_by_team(any_engine):
    for table in SQLModel.metadata.sorted_tables:
        if table.name == "processed_event":
            continue
        assert "team_id" in table.columns, f"{table.name} has no team_id"


def test_an_event_id_is_claimed_once(any_engine):
    assert events.claim_event(any_engine, event_id="Ev1", team_id="T1", now=NOW) is True
    assert events.claim_event(any_engine, event_id="Ev1", team_id="T1", now=NOW) is False
    assert events.claim_event(any_engine, event_id="Ev2", team_id="T1", now=NOW) is True


def test_old_event_ids_are_forgotten(any_engine):
    events.claim_event(any_engine, event_id="old", team_id="T1", now=NOW - timedelta(days=2))
    events.claim_event(any_engine, event_id="new", team_id="T1", now=NOW)
    with unit_of_work(any_engine) as db:
        assert events.forget_events_before(db, cutoff=NOW - timedelta(days=1)) == 1
    assert events.claim_event(any_engine, event_id="old", team_id="T1", now=NOW) is True
    assert events.claim_event(any_engine, event_id="new", team_id="T1", now=NOW) is False


def test_an_in_memory_sqlite_url_works_and_a_file_keeps_a_pool_per_thread_count(tmp_path):
    """`sqlite://` gets SQLAlchemy's single-connection pool (pool sizes do not apply to it)."""
    for url in ("sqlite://", "sqlite:///:memory:"):
        upgrade(make_engine(url))
    assert make_engine(f"sqlite:///{tmp_path}/file.db").pool.size() == POOL_SIZE
