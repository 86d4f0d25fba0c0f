"""Journeys as a review subject: what governance sees of them (`deps.subjects["journey"]`).

Governance never imports this feature; it calls this through the ReviewSubject protocol, in the
caller's unit of work. `linked` makes a journey and its layered personas review together;
`changes_since_review` puts what evidence challenges (and nothing answered since) in every
review nudge of the journey, so a challenge is heard even when its own nudge was one of a burst.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from slack_sdk import WebClient
from sqlmodel import Session, select

from bot.blocks import clip
from bot.deps import Deps
from bot.journeys import confidence, modals
from bot.review_subjects import LINK_REASSIGNED, SubjectChange, SubjectInfo, SubjectLink, announce_change
from storage import journey_layers as layers
from storage import journey_links, reviews
from storage import journeys as store
from storage.db import unit_of_work
from storage.journey_models import Journey, JourneyEvidence, JourneyLayer
from storage.states import JourneyChange, JourneyStatus

KIND = "journey"
CHALLENGES_SHOWN, CHALLENGE_CHARS = 5, 150


class JourneySubject:
    def __init__(self, deps: Deps) -> None:
        self.deps = deps

    def describe(self, db: Session, *, team_id: str, subject_id: int) -> SubjectInfo | None:
        journey = store.get_journey(db, team_id=team_id, journey_id=subject_id)
        if journey is None:
            return None
        return SubjectInfo(kind=KIND, subject_id=subject_id, title=journey.name, owner_id=journey.owner_id,
                           active=journey.status == JourneyStatus.ACTIVE, cadence_days=journey.cadence_days,
                           next_review_at=journey.next_review_at)

    def changes_since_review(self, db: Session, *, team_id: str, subject_id: int) -> tuple[str, ...]:
        """The journey and the layers that evidence challenges, with no supporting evidence since."""
        about: dict[int | None, tuple[str, list[JourneyEvidence]]] = {}
        for row, name in layers.list_evidence(db, team_id=team_id, journey_id=subject_id):
            about.setdefault(row.layer_id, (name, []))[1].append(row)
        found = [(name, confidence.weigh(rows).challenge) for name, rows in about.values()]
        challenged = [(name, clip(c.text, CHALLENGE_CHARS)) for name, c in found if c is not None]
        if not challenged:
            return ()
        return (self.deps.prompts.part("journeys/evidence", "challenged", items=challenged[:CHALLENGES_SHOWN],
                                       more=len(challenged) - CHALLENGES_SHOWN),)

    def may_manage(self, db: Session, *, team_id: str, subject_id: int, user_id: str) -> bool:
        journey = store.get_journey(db, team_id=team_id, journey_id=subject_id)
        return journey is not None and (user_id == journey.owner_id or user_id in self.deps.settings.admins)

    def mark_reviewed(self, db: Session, *, team_id: str, subject_id: int, user_id: str, now: datetime,
                      note: str = "") -> datetime:
        journey = store.get_journey(db, team_id=team_id, journey_id=subject_id)
        if journey is None:
            raise LookupError(f"journey {subject_id} not found")
        due = now + timedelta(days=journey.cadence_days)
        store.set_review(db, team_id=team_id, journey_id=subject_id, last_reviewed_at=now, next_review_at=due)
        reviews.schedule_next_cadence(db, team_id=team_id, subject_type=KIND, subject_id=subject_id,
                                      owner_id=journey.owner_id, due_at=due, now=now)
        return due

    def open_editor(self, client: WebClient, *, trigger_id: str, team_id: str, subject_id: int,
                    user_id: str) -> None:
        """"Update now" opens the stage editor (the card's Fill a stage covers the layers)."""
        with unit_of_work(self.deps.engine) as db:
            journey = store.get_journey(db, team_id=team_id, journey_id=subject_id)
            prompts = self.deps.prompts
            view = modals.build_gone(prompts) if journey is None else \
                modals.build_stages(prompts, journey=journey,
                                    stages=store.list_stages(db, team_id=team_id, journey_id=subject_id))
        client.views_open(trigger_id=trigger_id, view=view)

    def reassign(self, db: Session, *, team_id: str, subject_id: int, new_owner_id: str, by_user_id: str,
                 now: datetime) -> None:
        self._change(db, team_id, subject_id, by_user_id, now, "reassigned", owner_id=new_owner_id)

    def reassign_link(self, db: Session, *, team_id: str, subject_id: int, link_id: int, new_owner_id: str,
                      by_user_id: str, now: datetime) -> bool:
        """A link review's "Hand the link to…": the layer's link gets a new keeper (in the journey's
        history); governance hears it as `link_reassigned`, so the link's open reviews follow."""
        journey = store.get_journey(db, team_id=team_id, journey_id=subject_id)
        layer = layers.get_layer(db, team_id=team_id, layer_id=link_id)
        if journey is None or layer is None or layer.journey_id != journey.id:
            return False
        if not layers.set_link_owner(db, journey=journey, layer=layer, owner_id=new_owner_id, by=by_user_id, now=now):
            return False
        announce_change(db, self.deps.on_change,
                        SubjectChange(team_id, KIND, subject_id, LINK_REASSIGNED, by_user_id, now, "layer"))
        return True

    def retire(self, db: Session, *, team_id: str, subject_id: int, by_user_id: str, now: datetime) -> None:
        self._change(db, team_id, subject_id, by_user_id, now, "retired", status=JourneyStatus.RETIRED)

    def linked(self, db: Session, *, team_id: str, subject_id: int) -> list[tuple[str, int]]:
        """The personas layered on the journey ("review together")."""
        rows = db.exec(select(JourneyLayer.persona_id).where(JourneyLayer.team_id == team_id,
                                                             JourneyLayer.journey_id == subject_id,
                                                             JourneyLayer.persona_id.is_not(None)))
        return [("persona", int(p)) for p in rows]

    def links(self, db: Session, *, team_id: str, subject_id: int) -> list[SubjectLink]:
        """Its persona layers, each with the owner who keeps that persona-journey link true."""
        return [SubjectLink(x.layer_id, KIND, x.journey_id, x.owner_id, x.persona, x.journey,
                            (x.persona_owner_id, x.journey_owner_id))
                for x in journey_links.persona_links(db, team_id=team_id, journey_id=subject_id)]

    def open_link(self, client: WebClient, *, trigger_id: str, team_id: str, subject_id: int, link_id: int,
                  user_id: str) -> None:
        """A link review's "Open the layer": the fill picker with that layer chosen (after the ack)."""
        with unit_of_work(self.deps.engine) as db:
            journey = store.get_journey(db, team_id=team_id, journey_id=subject_id)
            prompts = self.deps.prompts
            view = modals.build_gone(prompts) if journey is None else \
                modals.build_pick(prompts, journey_map=layers.load_map(db, journey=journey),
                                  personas=layers.active_personas(db, team_id=team_id), layer_id=link_id)
        client.views_open(trigger_id=trigger_id, view=view)

    def _change(self, db: Session, team_id: str, subject_id: int, by: str, now: datetime, what: str,
                **values: object) -> None:
        journey = db.get(Journey, subject_id)
        if journey is None or journey.team_id != team_id:
            return
        store.set_review(db, team_id=team_id, journey_id=subject_id, **values)
        store.record(db, journey=journey, change=JourneyChange.EDITED, editor_id=by, now=now,
                     detail={"governance": what, **{k: str(v) for k, v in values.items()}})
        announce_change(db, self.deps.on_change, SubjectChange(team_id, KIND, subject_id, what, by, now))
