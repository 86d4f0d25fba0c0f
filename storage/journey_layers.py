"""Who is layered on a journey (personas, segments) and what each layer says per stage; and the
whole map in one read (`load_map`), which the card, the comparison, the image and the exports share.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import func
from sqlmodel import Session, select

from storage.journey_fields import ITEM_KEYS
from storage.journey_models import (
    Journey,
    JourneyEvidence,
    JourneyLayer,
    JourneyNoteLink,
    JourneyOpportunity,
    PersonaStage,
    Stage,
)
from storage.journeys import list_stages, record
from storage.models import EmpathySession, Note, Persona
from storage.states import EvidenceStance, JourneyChange, JourneyStatus, LayerKind, PersonaStatus


@dataclass(frozen=True)
class Layer:
    id: int
    kind: LayerKind
    name: str
    persona_id: int | None
    owner_id: str = ""  # who keeps this persona-journey link true

    @property
    def is_segment(self) -> bool:
        return self.kind == LayerKind.SEGMENT


@dataclass(frozen=True)
class LinkedNote:
    note_id: int
    session_id: int
    persona_id: int | None
    text: str
    channel_id: str = ""  # where the session ran (its board message: the link back)
    board_ts: str = ""


@dataclass(frozen=True)
class JourneyMap:
    """A journey as one value: stages in order, layers in the order they were added, the cells
    (layer id, stage id) that hold content, and the notes linked to each stage."""

    journey: Journey
    stages: list[Stage]
    layers: list[Layer]
    cells: dict[tuple[int, int], PersonaStage] = field(default_factory=dict)
    notes: dict[int, list[LinkedNote]] = field(default_factory=dict)
    chosen: list[tuple[str, str]] = field(default_factory=list)  # (opportunity, owner) the team chose by vote
    evidence: list[JourneyEvidence] = field(default_factory=list)  # the journey's and its layers'

    def cell(self, layer_id: int, stage_id: int) -> PersonaStage | None:
        return self.cells.get((layer_id, stage_id))

    def only(self, layer_id: int | None) -> JourneyMap:
        """The same map with one layer (a card's persona filter); every layer when None or unknown."""
        if layer_id is None or all(layer.id != layer_id for layer in self.layers):
            return self
        return JourneyMap(self.journey, self.stages, [x for x in self.layers if x.id == layer_id], self.cells,
                          self.notes, self.chosen, self.evidence)


def is_empty(cell: PersonaStage | None) -> bool:
    return cell is None or (cell.emotion is None and not cell.emotion_word
                            and not any(getattr(cell, k) for k in ITEM_KEYS))


def subject_key(*, persona_id: int | None, segment: str) -> str:
    return f"persona:{persona_id}" if persona_id is not None else f"segment:{' '.join(segment.split()).casefold()}"


def add_layer(db: Session, *, journey: Journey, persona_id: int | None = None, segment: str = "",
              by: str, now: datetime, owner_id: str = "") -> tuple[JourneyLayer, bool]:
    """Layer a persona (or a segment) on the journey; (layer, True) when it is new. The link's
    owner (who keeps it true) is `owner_id`, or whoever linked it."""
    key = subject_key(persona_id=persona_id, segment=segment)
    found = db.exec(select(JourneyLayer).where(JourneyLayer.journey_id == journey.id,
                                               JourneyLayer.subject_key == key)).first()
    if found is not None:
        return found, False
    layer = JourneyLayer(team_id=journey.team_id, journey_id=journey.id, persona_id=persona_id,
                         kind=LayerKind.PERSONA if persona_id is not None else LayerKind.SEGMENT,
                         segment=segment.strip(), subject_key=key, owner_id=owner_id or by, created_by=by,
                         created_at=now)
    db.add(layer)
    db.flush()
    record(db, journey=journey, change=JourneyChange.LAYER_ADDED, editor_id=by, now=now,
           detail={"layer_id": layer.id, "persona_id": persona_id, "segment": layer.segment})
    return layer, True


def set_link_owner(db: Session, *, journey: Journey, layer: JourneyLayer, owner_id: str, by: str,
                   now: datetime) -> bool:
    """Hand the persona-journey link to another owner; True when it changed (recorded in the history)."""
    if not owner_id or layer.owner_id == owner_id:
        return False
    record(db, journey=journey, change=JourneyChange.EDITED, editor_id=by, now=now,
           detail={"layer_id": layer.id, "link_owner": {"from": layer.owner_id, "to": owner_id}})
    layer.owner_id = owner_id
    db.add(layer)
    db.flush()
    return True


def segment_became_persona(db: Session, *, journey: Journey, layer: JourneyLayer, persona_id: int, by: str,
                           now: datetime) -> None:
    """A segment layer now speaks for the proto-persona drafted from it (its stages stay as they are)."""
    record(db, journey=journey, change=JourneyChange.EDITED, editor_id=by, now=now,
           detail={"layer_id": layer.id, "segment": layer.segment, "persona_id": persona_id})
    layer.kind, layer.persona_id = LayerKind.PERSONA, persona_id
    layer.subject_key = subject_key(persona_id=persona_id, segment="")
    db.add(layer)
    db.flush()


def add_evidence(db: Session, *, journey: Journey, layer_id: int | None, text: str, permalink: str, by: str,
                 now: datetime, stance: EvidenceStance = EvidenceStance.SUPPORTS) -> JourneyEvidence:
    """Record what research shows about the journey (`layer_id` None) or one layer, and whether it
    supports or challenges it; the history keeps which."""
    row = JourneyEvidence(team_id=journey.team_id, journey_id=journey.id, layer_id=layer_id, text=text,
                          permalink=permalink, stance=stance, added_by=by, created_at=now)
    db.add(row)
    db.flush()
    record(db, journey=journey, change=JourneyChange.EDITED, editor_id=by, now=now,
           detail={"evidence_id": row.id, "layer_id": layer_id, "stance": stance.value})
    return row


def list_evidence(db: Session, *, team_id: str, journey_id: int) -> list[tuple[JourneyEvidence, str]]:
    """The journey's evidence, oldest first, each with the name of the layer it is about ("" for
    the journey as a whole): one read, for what the owner's review nudge says about it."""
    rows = db.execute(select(JourneyEvidence, JourneyLayer.segment, Persona.name)
                      .outerjoin(JourneyLayer, JourneyLayer.id == JourneyEvidence.layer_id)
                      .outerjoin(Persona, Persona.id == JourneyLayer.persona_id)
                      .where(JourneyEvidence.team_id == team_id, JourneyEvidence.journey_id == journey_id)
                      .order_by(JourneyEvidence.id)).all()
    return [(row, str(persona or segment or "")) for row, segment, persona in rows]


def layer_name(db: Session, *, layer: JourneyLayer) -> str:
    """What the card calls a layer: its persona's name, or its segment (as `load_map` does)."""
    persona = db.get(Persona, layer.persona_id) if layer.persona_id is not None else None
    return persona.name if persona is not None and persona.name else layer.segment


def get_layer(db: Session, *, team_id: str, layer_id: int) -> JourneyLayer | None:
    layer = db.get(JourneyLayer, layer_id)
    return layer if layer is not None and layer.team_id == team_id else None


def get_cell(db: Session, *, layer_id: int, stage_id: int) -> PersonaStage | None:
    return db.exec(select(PersonaStage).where(PersonaStage.layer_id == layer_id,
                                              PersonaStage.stage_id == stage_id)).first()


def save_cell(db: Session, *, journey: Journey, layer_id: int, stage_id: int, values: dict[str, Any],
              by: str, now: datetime) -> list[str]:
    """Write a layer's content on a stage (only the keys given); returns the fields that changed."""
    cell = get_cell(db, layer_id=layer_id, stage_id=stage_id)
    if cell is None:
        cell = PersonaStage(team_id=journey.team_id, layer_id=layer_id, stage_id=stage_id)
    changed = [k for k, v in values.items() if getattr(cell, k) != v]
    if not changed and cell.id is not None:
        return []
    for key, value in values.items():
        setattr(cell, key, value)
    cell.updated_by, cell.updated_at = by, now
    db.add(cell)
    db.flush()
    record(db, journey=journey, change=JourneyChange.LAYER_EDITED, editor_id=by, now=now,
           detail={"layer_id": layer_id, "stage_id": stage_id, "fields": changed})
    return changed


def active_personas(db: Session, *, team_id: str) -> list[tuple[int, str]]:
    """(id, name) of the workspace's active personas, by name (read here, not through the
    personas feature, so journeys depend on the table only)."""
    return [(int(i), str(n)) for i, n in db.execute(
        select(Persona.id, Persona.name).where(Persona.team_id == team_id, Persona.status == PersonaStatus.ACTIVE)
        .order_by(func.lower(Persona.name)))]


def journeys_of_persona(db: Session, *, team_id: str, persona_id: int) -> list[tuple[int, str, str]]:
    """(journey id, name, owner) of the active journeys a persona is layered on."""
    return [(int(i), str(n), str(o)) for i, n, o in db.execute(
        select(Journey.id, Journey.name, Journey.owner_id).join(JourneyLayer, JourneyLayer.journey_id == Journey.id)
        .where(JourneyLayer.team_id == team_id, JourneyLayer.persona_id == persona_id,
               Journey.status == JourneyStatus.ACTIVE).order_by(Journey.name))]


def personas_without_journey(db: Session, *, team_id: str) -> list[str]:
    """Names of active personas on no active journey (a character with no plot)."""
    layered = select(JourneyLayer.persona_id).join(Journey, Journey.id == JourneyLayer.journey_id).where(
        JourneyLayer.team_id == team_id, JourneyLayer.persona_id.is_not(None), Journey.status == JourneyStatus.ACTIVE)
    return list(db.exec(select(Persona.name).where(Persona.team_id == team_id, Persona.status == PersonaStatus.ACTIVE,
                                                   Persona.id.not_in(layered)).order_by(Persona.name)))


def load_map(db: Session, *, journey: Journey) -> JourneyMap:
    """The whole journey in six queries, whatever its size."""
    team_id = journey.team_id
    stages = list_stages(db, team_id=team_id, journey_id=journey.id)
    rows = db.execute(select(JourneyLayer, Persona.name).outerjoin(Persona, Persona.id == JourneyLayer.persona_id)
                      .where(JourneyLayer.team_id == team_id, JourneyLayer.journey_id == journey.id)
                      .order_by(JourneyLayer.id)).all()
    layers = [Layer(row.id, row.kind, name if row.persona_id is not None and name else row.segment, row.persona_id,
                    row.owner_id) for row, name in rows]
    cells: dict[tuple[int, int], PersonaStage] = {}
    if layers:
        for cell in db.exec(select(PersonaStage).where(PersonaStage.team_id == team_id,
                                                       PersonaStage.layer_id.in_([x.id for x in layers]))):
            cells[(cell.layer_id, cell.stage_id)] = cell
    notes: dict[int, list[LinkedNote]] = defaultdict(list)
    for link, text, channel, board in db.execute(
            select(JourneyNoteLink, Note.text, EmpathySession.channel_id, EmpathySession.board_ts)
            .join(Note, Note.id == JourneyNoteLink.note_id)
            .outerjoin(EmpathySession, EmpathySession.id == JourneyNoteLink.session_id)
            .where(JourneyNoteLink.team_id == team_id, JourneyNoteLink.journey_id == journey.id)
            .order_by(JourneyNoteLink.id)):
        notes[link.stage_id].append(LinkedNote(link.note_id, link.session_id, link.persona_id, text, channel or "",
                                               board or ""))
    chosen = [(str(text), str(owner)) for text, owner in db.execute(
        select(JourneyOpportunity.text, JourneyOpportunity.owner_id)
        .where(JourneyOpportunity.team_id == team_id, JourneyOpportunity.journey_id == journey.id)
        .order_by(JourneyOpportunity.id))]
    evidence = list(db.exec(select(JourneyEvidence).where(JourneyEvidence.team_id == team_id,
                                                          JourneyEvidence.journey_id == journey.id)
                            .order_by(JourneyEvidence.id)))
    return JourneyMap(journey, stages, layers, cells, dict(notes), chosen, evidence)
