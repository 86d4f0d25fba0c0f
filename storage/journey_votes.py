"""A dot-vote over a whole map's pains and opportunities, and an owner per chosen opportunity.

The items are what the layers say (every pain and opportunity of every stage a layer is part
of); each is keyed by its layer, stage, field and text, so a vote follows the item and an
edited item is a new one. A person's ballot is replaced whole on every submission.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import delete, func
from sqlmodel import Session, select

from storage.journey_layers import JourneyMap
from storage.journey_models import Journey, JourneyOpportunity, JourneyVote

VOTED_FIELDS = ("pains", "opportunities")


@dataclass(frozen=True)
class Item:
    key: str
    field: str  # "pains" or "opportunities"
    text: str
    layer_id: int
    stage_id: int
    votes: int = 0


def item_key(*, field: str, layer_id: int, stage_id: int, text: str) -> str:
    digest = hashlib.sha1(f"{field}\n{layer_id}\n{stage_id}\n{text}".encode()).hexdigest()[:16]
    return f"{field[0]}:{layer_id}:{stage_id}:{digest}"


def items(journey_map: JourneyMap) -> list[Item]:
    """Every pain and opportunity on the map, in stage then layer order, each once."""
    found: dict[str, Item] = {}
    for stage in journey_map.stages:
        for layer in journey_map.layers:
            cell = journey_map.cell(layer.id, stage.id)
            if cell is None or cell.not_part:
                continue
            for field in VOTED_FIELDS:
                for text in getattr(cell, field):
                    key = item_key(field=field, layer_id=layer.id, stage_id=stage.id, text=text)
                    found.setdefault(key, Item(key, field, text, layer.id, stage.id))
    return list(found.values())


def ballot(db: Session, *, journey: Journey, voter_id: str) -> set[str]:
    return set(db.exec(select(JourneyVote.item_key).where(JourneyVote.journey_id == journey.id,
                                                          JourneyVote.voter_id == voter_id)))


def cast(db: Session, *, journey: Journey, voter_id: str, chosen: list[Item], now: datetime) -> None:
    """Replace the person's ballot on this map with `chosen`."""
    db.execute(delete(JourneyVote).where(JourneyVote.journey_id == journey.id, JourneyVote.voter_id == voter_id))
    db.add_all(JourneyVote(team_id=journey.team_id, journey_id=journey.id, voter_id=voter_id, item_key=i.key,
                           field=i.field, text=i.text, layer_id=i.layer_id, stage_id=i.stage_id, created_at=now)
               for i in chosen)
    db.flush()


def results(db: Session, *, journey: Journey) -> tuple[list[Item], int]:
    """Items with votes, the most voted first; and how many people voted."""
    rows = db.execute(select(JourneyVote.item_key, JourneyVote.field, JourneyVote.text, JourneyVote.layer_id,
                             JourneyVote.stage_id, func.count()).where(JourneyVote.journey_id == journey.id)
                      .group_by(JourneyVote.item_key, JourneyVote.field, JourneyVote.text, JourneyVote.layer_id,
                                JourneyVote.stage_id)).all()
    voters = db.exec(select(func.count(func.distinct(JourneyVote.voter_id)))
                     .where(JourneyVote.journey_id == journey.id)).one()
    ranked = sorted((Item(*row[:5], votes=int(row[5])) for row in rows), key=lambda i: (-i.votes, i.key))
    return ranked, int(voters)


def owners(db: Session, *, journey: Journey) -> list[JourneyOpportunity]:
    return list(db.exec(select(JourneyOpportunity).where(JourneyOpportunity.journey_id == journey.id)
                        .order_by(JourneyOpportunity.id)))


def assign(db: Session, *, journey: Journey, item: Item, owner_id: str, by: str, now: datetime) -> bool:
    """The chosen opportunity is `owner_id`'s to act on; True when that changed."""
    row = db.exec(select(JourneyOpportunity).where(JourneyOpportunity.journey_id == journey.id,
                                                   JourneyOpportunity.item_key == item.key)).first()
    if row is not None and row.owner_id == owner_id:
        return False
    row = row or JourneyOpportunity(team_id=journey.team_id, journey_id=journey.id, item_key=item.key,
                                    field=item.field, text=item.text, layer_id=item.layer_id,
                                    stage_id=item.stage_id, owner_id=owner_id, assigned_by=by, created_at=now)
    row.owner_id, row.assigned_by = owner_id, by
    db.add(row)
    db.flush()
    return True
