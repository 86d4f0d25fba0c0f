"""Migration 0010 on a database with journey evidence in it: evidence recorded before it said
whether it supports or challenges the map is kept as supporting (it was added to back the map);
downgrading drops the stance and upgrading again works, on SQLite and PostgreSQL alike."""

from __future__ import annotations

from datetime import UTC, datetime

from alembic import command
from alembic.script import ScriptDirectory
from sqlalchemy import inspect, text
from sqlalchemy.engine import Engine

from storage import journey_layers as layers
from storage import journeys as store
from storage.db import alembic_config, migration_state, unit_of_work, upgrade
from storage.states import EvidenceStance

NOW = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)
STANCE = "0010"


def _columns(engine: Engine) -> set[str]:
    return {c["name"] for c in inspect(engine).get_columns("journey_evidence")}


def test_evidence_from_before_0010_supports_its_journey_and_down_and_up_again_works(any_engine: Engine) -> None:
    with unit_of_work(any_engine) as db:
        journey = store.create_journey(db, team_id="T1", name="Checkout", goal="Buy", owner_id="U1", cadence_days=90,
                                       stages=["Browse", "Pay"], created_by="U1", now=NOW)
        layers.add_evidence(db, journey=journey, layer_id=None, text="Funnel: 52% drop at fees", permalink="",
                            by="U2", now=NOW, stance=EvidenceStance.CHALLENGES)
        journey_id = journey.id
    before = ScriptDirectory.from_config(alembic_config(any_engine)).get_revision(STANCE).down_revision
    command.downgrade(alembic_config(any_engine), str(before))
    assert "stance" not in _columns(any_engine)
    with any_engine.connect() as connection:
        assert connection.execute(text("SELECT text FROM journey_evidence")).scalars().all() == [
            "Funnel: 52% drop at fees"], "downgrading keeps the evidence, without its stance"

    upgrade(any_engine)
    assert migration_state(any_engine)[0] == migration_state(any_engine)[1] and "stance" in _columns(any_engine)
    with unit_of_work(any_engine) as db:
        journey = store.get_journey(db, team_id="T1", journey_id=journey_id)
        layers.add_evidence(db, journey=journey, layer_id=None, text="Only 2 of 8 mind the fee", permalink="",
                            by="U2", now=NOW, stance=EvidenceStance.CHALLENGES)
        found = layers.load_map(db, journey=journey).evidence
        assert [(e.text, e.stance) for e in found] == [
            ("Funnel: 52% drop at fees", EvidenceStance.SUPPORTS),
            ("Only 2 of 8 mind the fee", EvidenceStance.CHALLENGES)]
