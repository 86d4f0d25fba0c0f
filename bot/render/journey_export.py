"""A journey as a portable document: JSON, Markdown and CSV (one row per stage and layer).

Pure: a `JourneyMap` in, text out. Every layer field comes from the one declaration
(`storage.journey_fields`); the Markdown's sentences are in `prompts/journeys/export_md.j2`.
CSV and JSON hold the text as typed; Markdown escapes `&`, `<`, `>` as every prompt does (a
Markdown reader shows them as typed), like the empathy export.
"""

from __future__ import annotations

import csv
import io
import json
from typing import Any

from prompts import Prompts
from storage.journey_fields import ITEM_KEYS, LAYER_FIELDS
from storage.journey_layers import JourneyMap

FORMATS = ("md", "csv", "json")


def build_document(journey_map: JourneyMap) -> dict[str, Any]:
    journey = journey_map.journey
    stages = []
    for position, stage in enumerate(journey_map.stages, start=1):
        layers = []
        for layer in journey_map.layers:
            cell = journey_map.cell(layer.id, stage.id)
            layers.append({"name": layer.name, "kind": layer.kind.value, "persona_id": layer.persona_id,
                           "not_part": bool(cell and cell.not_part), "emotion": cell.emotion if cell else None,
                           "emotion_word": cell.emotion_word if cell else "",
                           **{k: list(getattr(cell, k)) if cell else [] for k in ITEM_KEYS}})
        notes = [{"note_id": n.note_id, "session_id": n.session_id, "persona_id": n.persona_id, "text": n.text}
                 for n in journey_map.notes.get(stage.id, [])]
        stages.append({"position": position, "name": stage.name, "layers": layers, "notes": notes})
    return {"journey": {"id": journey.id, "name": journey.name, "goal": journey.goal, "owner": journey.owner_id,
                        "state": journey.state.value,
                        "scope": {"start": journey.scope_start, "end": journey.scope_end, "why": journey.scope_why},
                        "backstage": [x.strip() for x in journey.backstage.splitlines() if x.strip()],
                        "review_every_days": journey.cadence_days, "status": journey.status.value,
                        "created_at": journey.created_at.isoformat(),
                        "updated_at": journey.updated_at.isoformat() if journey.updated_at else None},
            "layers": [{"name": x.name, "kind": x.kind.value, "persona_id": x.persona_id, "link_owner": x.owner_id}
                       for x in journey_map.layers],
            "stages": stages,
            "evidence": [{"about": next((x.name for x in journey_map.layers if x.id == e.layer_id), ""),
                          "stance": e.stance.value, "text": e.text, "link": e.permalink}
                         for e in journey_map.evidence]}


def render(prompts: Prompts, journey_map: JourneyMap, fmt: str) -> str:
    document = build_document(journey_map)
    if fmt == "json":
        return json.dumps(document, indent=2, ensure_ascii=False) + "\n"
    if fmt == "csv":
        return _csv(document)
    labels = {f.key: prompts.part("journeys/fields", "short", key=f.key) for f in LAYER_FIELDS}
    return prompts.render("journeys/export_md", document=document, item_keys=ITEM_KEYS, labels=labels) + "\n"


def _csv(document: dict[str, Any]) -> str:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["stage_position", "stage", "layer", "layer_kind", "emotion", "emotion_word", *ITEM_KEYS,
                     "linked_notes", "not_part"])
    for stage in document["stages"]:
        notes = " | ".join(n["text"] for n in stage["notes"])
        for layer in stage["layers"] or [{"name": "", "kind": "", "emotion": None, "emotion_word": "",
                                          "not_part": False, **{k: [] for k in ITEM_KEYS}}]:
            writer.writerow([stage["position"], stage["name"], layer["name"], layer["kind"],
                             "" if layer["emotion"] is None else layer["emotion"], layer["emotion_word"],
                             *("\n".join(layer[k]) for k in ITEM_KEYS), notes, "yes" if layer["not_part"] else ""])
    return out.getvalue()
