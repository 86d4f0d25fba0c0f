"""Journeys storage on SQLite and PostgreSQL: templates, stage edits with history, layers, the map,
the list at scale, note links."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlmodel import Session

from storage import journey_layers as layers
from storage import journey_links as links
from storage import journeys as store
from storage.db import unit_of_work
from storage.models import EmpathySession, Note, Persona
from storage.states import JourneyChange, LayerKind

NOW = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)
TEAM = "T0001"


def persona(db: Session, name: str) -> int:
    row = Persona(team_id=TEAM, name=name, owner_id="U0OWNER", created_by="U0OWNER", created_at=NOW, updated_at=NOW)
    db.add(row)
    db.flush()
    return int(row.id)


def make(db: Session, name: str = "Checkout", stages: tuple[str, ...] = store.TEMPLATES["lifecycle"]):
    return store.create_journey(db, team_id=TEAM, name=name, goal="Buy a gift", owner_id="U0OWNER",
                                cadence_days=90, stages=list(stages), created_by="U0OWNER", now=NOW)


def test_a_journey_from_a_template_and_its_layers(any_engine):
    with unit_of_work(any_engine) as db:
        journey = make(db)
        maya, leo = persona(db, "Maya"), persona(db, "Leo")
        stages = store.list_stages(db, team_id=TEAM, journey_id=journey.id)
        assert stages[0].name == "Awareness" and len(stages) == 7
        layer, new = layers.add_layer(db, journey=journey, persona_id=maya, by="U0A", now=NOW)
        assert new and layers.add_layer(db, journey=journey, persona_id=maya, by="U0A", now=NOW)[1] is False
        buyer, _ = layers.add_layer(db, journey=journey, segment="Buyer", by="U0A", now=NOW)
        assert buyer.kind == LayerKind.SEGMENT
        changed = layers.save_cell(db, journey=journey, layer_id=layer.id, stage_id=stages[0].id,
                                   values={"pains": ["Fees"], "emotion": -1, "emotion_word": "anxious"}, by="U0A",
                                   now=NOW)
        assert sorted(changed) == ["emotion", "emotion_word", "pains"]
        assert layers.save_cell(db, journey=journey, layer_id=layer.id, stage_id=stages[0].id,
                                values={"pains": ["Fees"]}, by="U0A", now=NOW) == []
        assert layers.personas_without_journey(db, team_id=TEAM) == ["Leo"]
        assert layers.journeys_of_persona(db, team_id=TEAM, persona_id=maya) == [(journey.id, "Checkout", "U0OWNER")]
        assert leo
    with unit_of_work(any_engine) as db:
        journey = store.get_journey(db, team_id=TEAM, journey_id=journey.id)
        found = layers.load_map(db, journey=journey)
        assert [x.name for x in found.layers] == ["Maya", "Buyer"] and found.layers[1].is_segment
        assert found.cell(layer.id, stages[0].id).pains == ["Fees"]
        assert journey.revision == 4  # two layers added, one cell saved
        assert store.get_journey(db, team_id="T0THER", journey_id=journey.id) is None


def test_stage_edits_keep_removed_content_in_history(any_engine):
    with unit_of_work(any_engine) as db:
        journey = make(db, stages=store.TEMPLATES["short"])
        layer, _ = layers.add_layer(db, journey=journey, segment="Buyer", by="U0A", now=NOW)
        discover, try_, buy, use, help_ = store.list_stages(db, team_id=TEAM, journey_id=journey.id)
        layers.save_cell(db, journey=journey, layer_id=layer.id, stage_id=try_.id, values={"pains": ["No trial"]},
                         by="U0A", now=NOW)
        assert store.stages_with_content(db, team_id=TEAM, stage_ids=[discover.id, try_.id]) == {try_.id: (1, 0)}
        plan = [store.PlannedStage("Buy it", buy.id), store.PlannedStage("Discover", discover.id),
                store.PlannedStage("Use", use.id), store.PlannedStage("Get help", help_.id),
                store.PlannedStage("Renew")]
        store.apply_stage_plan(db, journey=journey, plan=plan, editor_id="U0B", now=NOW)
    with unit_of_work(any_engine) as db:
        assert [s.name for s in store.list_stages(db, team_id=TEAM, journey_id=journey.id)] == [
            "Buy it", "Discover", "Use", "Get help", "Renew"]
        changes = {r.change: r for r in store.history(db, team_id=TEAM, journey_id=journey.id)}
        removed = changes[JourneyChange.STAGE_REMOVED]
        assert removed.detail["name"] == "Try" and removed.detail["layers"][0]["pains"] == ["No trial"]
        assert removed.editor_id == "U0B" and removed.created_at == NOW
        assert changes[JourneyChange.STAGE_RENAMED].detail == {"stage_id": buy.id, "from": "Buy", "to": "Buy it"}
        assert JourneyChange.STAGE_ADDED in changes and JourneyChange.STAGE_MOVED in changes


def test_the_list_counts_in_the_query_and_pages(any_engine):
    with unit_of_work(any_engine) as db:
        for n in range(30):
            make(db, name=f"Journey {n:02d}", stages=("A", "B"))
        first = store.find_journeys(db, team_id=TEAM, name="journey 07")[0]
        layers.add_layer(db, journey=first, segment="Buyer", by="U0A", now=NOW)
    with unit_of_work(any_engine) as db:
        page, total = store.list_summaries(db, team_id=TEAM, offset=5, limit=10)
        assert total == 30 and len(page) == 10 and page[2].name == "Journey 07"
        assert (page[2].stages, page[2].layers, page[2].personas) == (2, 1, 0)
        assert store.name_taken(db, team_id=TEAM, name="JOURNEY 01")
        assert len(store.find_journeys(db, team_id=TEAM, name="journey 1")) == 10


def test_notes_of_a_session_link_to_stages_under_its_persona(any_engine):
    with unit_of_work(any_engine) as db:
        journey = make(db)
        maya = persona(db, "Maya")
        session = EmpathySession(team_id=TEAM, channel_id="C1", facilitator_id="U0F", persona_id=maya, created_at=NOW)
        db.add(session)
        db.flush()
        note = Note(team_id=TEAM, session_id=session.id, quadrant="pains", text="Fees", author_id="U0A",
                    created_at=NOW, updated_at=NOW)
        db.add(note)
        db.flush()
        stage = store.list_stages(db, team_id=TEAM, journey_id=journey.id)[2]
        assert links.link_notes(db, journey=journey, session_id=session.id, links={note.id: stage.id, 999: stage.id},
                                by="U0F", now=NOW) == 1
        assert links.link_notes(db, journey=journey, session_id=session.id, links={note.id: stage.id},
                                by="U0F", now=NOW) == 0
    with unit_of_work(any_engine) as db:
        found = layers.load_map(db, journey=store.get_journey(db, team_id=TEAM, journey_id=journey.id))
        [linked] = found.notes[stage.id]
        assert (linked.text, linked.persona_id, linked.session_id) == ("Fees", maya, session.id)


def test_the_home_section_and_the_conversation_steps(any_engine):
    """The seams other features call: Home's section and the conversation's questions."""
    from bot.journeys import filling, home
    from bot.journeys.fields import parse_emotion
    from prompts import Prompts

    with unit_of_work(any_engine) as db:
        journey = make(db, stages=store.TEMPLATES["short"])
        persona(db, "Maya")
        section = home.build_section(Prompts(), db, team_id=TEAM, user_id="U0OWNER")
        text = str([b.to_dict() for b in section])
        assert "Checkout" in text and "no persona" in text and "1 persona is on no journey" in text
        assert "journey_new_from_home" in text
        stages = store.list_stages(db, team_id=TEAM, journey_id=journey.id)
        steps = filling.steps(stages)
        assert len(steps) == 5 * 9 and steps[6].key == f"{stages[0].id}:emotion"
        assert steps[6].parse("-1 anxious", None) == parse_emotion("-1 anxious") == (-1, "anxious")
        assert "Discover" in filling.question(Prompts(), stages[0], "pains")
