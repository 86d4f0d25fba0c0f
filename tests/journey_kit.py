"""Journeys as people use them, through the local Slack: the driver the journeys tests share.

Every step is a real Slack payload sent to the running bot over signed HTTP; what people see is
read back from what the fake Slack received. No test functions live here.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

from sqlmodel import Session, select

from bot.journeys import ids
from storage.journey_models import Journey, JourneyRevision, PersonaStage, Stage
from storage.models import Persona
from tests.harness import Bot, eventually
from tests.slack_fake import FakeSlack, payloads

TEAM = "T0001"
OWNER = "U0OWNER"
CHANNEL = "C0JOURNEY"


def as_dict(value: Any) -> Any:
    return json.loads(value) if isinstance(value, str) else value


def text_of(value: Any) -> str:
    return json.dumps(as_dict(value), ensure_ascii=False)


def add_persona(bot: Bot, name: str, team: str = TEAM) -> int:
    """A persona row as the personas feature stores it (journeys read the table only)."""
    now = datetime(2026, 11, 1, tzinfo=UTC)
    with Session(bot.engine, expire_on_commit=False) as db:
        row = Persona(team_id=team, name=name, role="Buyer", owner_id="U0PERSONA", created_by="U0PERSONA",
                      created_at=now, updated_at=now)
        db.add(row)
        db.commit()
        return int(row.id)


class Journeys:
    def __init__(self, bot: Bot, slack: FakeSlack, user: str = OWNER) -> None:
        self.bot, self.slack, self.user = bot, slack, user

    # -- reading ------------------------------------------------------------------------------------
    def journey(self, name: str) -> Journey:
        with Session(self.bot.engine) as db:
            return db.exec(select(Journey).where(Journey.name == name)).one()

    def stages(self, journey_id: int) -> list[Stage]:
        with Session(self.bot.engine) as db:
            return list(db.exec(select(Stage).where(Stage.journey_id == journey_id).order_by(Stage.position)))

    def history(self, journey_id: int) -> list[JourneyRevision]:
        with Session(self.bot.engine) as db:
            return list(db.exec(select(JourneyRevision).where(JourneyRevision.journey_id == journey_id)
                                .order_by(JourneyRevision.id)))

    def cells(self) -> list[PersonaStage]:
        with Session(self.bot.engine) as db:
            return list(db.exec(select(PersonaStage).order_by(PersonaStage.id)))

    def opened(self) -> dict[str, Any]:
        return as_dict(self.slack.last("views.open").args["view"])

    def uploads(self) -> list[dict[str, Any]]:
        return [c.args for c in self.slack.calls_to("files.completeUploadExternal")]

    # -- acting ---------------------------------------------------------------------------------------
    def command(self, text: str, *, channel: str = CHANNEL, user: str | None = None) -> Any:
        answer = self.bot.http.command(payloads.slash_command("/journey", text, channel=channel,
                                                              user=user or self.user))
        assert answer.status == 200
        return answer

    def open_by_click(self, action_id: str, value: str, *, user: str | None = None, channel: str = CHANNEL,
                      message_ts: str | None = None, **extra: Any) -> dict[str, Any]:
        before = len(self.slack.calls_to("views.open"))
        self.click(action_id, value, user=user, channel=channel, message_ts=message_ts, **extra)
        return as_dict(self.slack.wait_for("views.open", before + 1)[before].response["view"])

    def click(self, action_id: str, value: str, *, user: str | None = None, channel: str = CHANNEL,
              message_ts: str | None = None, **extra: Any) -> Any:
        answer = self.bot.http.interactive(payloads.block_actions(
            action_id, value=value, user=user or self.user, channel=channel, message_ts=message_ts, **extra))
        assert answer.status == 200
        return answer

    def submit(self, view: dict[str, Any], values: dict[str, Any], *, user: str | None = None) -> Any:
        answer = self.bot.http.interactive(payloads.view_submission(
            view["callback_id"], values, private_metadata=view.get("private_metadata") or "",
            user=user or self.user, view_id=view.get("id", "V0001")))
        assert answer.status == 200
        return answer

    def create(self, name: str, *, template: str = "lifecycle", typed: str = "", goal: str = "Buy a gift",
               owner: str | None = None) -> Any:
        before = len(self.slack.calls_to("views.open"))
        self.command("new")
        view = as_dict(self.slack.wait_for("views.open", before + 1)[before].response["view"])
        return self.submit(view, {
            ids.NAME_BLOCK: {"value": name}, ids.GOAL_BLOCK: {"value": goal},
            ids.OWNER_BLOCK: {"value": payloads.input_users_select(owner or self.user)},
            ids.CADENCE_BLOCK: {"value": payloads.input_static_select("90")},
            ids.TEMPLATE_BLOCK: {"value": payloads.input_static_select(template)},
            ids.TYPED_BLOCK: {"value": typed}})

    def show(self, name: str, channel: str = CHANNEL) -> str:
        """Post the card; returns its ts once posted (and its first image uploaded)."""
        before = len([c for c in self.slack.calls_to("chat.postMessage") if c.args.get("channel") == channel])
        self.command(f"show {name}", channel=channel)
        posted = eventually(lambda: [c for c in self.slack.calls_to("chat.postMessage")
                                     if c.args.get("channel") == channel][before:])
        self.bot.settle()
        return str(posted[0].response["ts"])

    def card(self, ts: str, channel: str = CHANNEL) -> list[dict[str, Any]]:
        return as_dict(self.slack.messages[(channel, ts)]["blocks"])

    def fill(self, journey_id: int, *, layer: str, stage_id: int, segment: str = "", **fields: str) -> Any:
        """Fill a stage from a card's button: pick (layer `layer:ID`, `persona:ID` or `segment`), then the fields."""
        pick = self.open_by_click(ids.FILL, str(journey_id))
        answer = self.submit(pick, {ids.LAYER_BLOCK: {"value": payloads.input_static_select(layer)},
                                    ids.SEGMENT_BLOCK: {"value": segment},
                                    ids.STAGE_BLOCK: {"value": payloads.input_static_select(str(stage_id))}})
        body = answer.json()
        if body["response_action"] != "update":
            return answer  # the picker's inline errors
        form = body["view"]
        values = {f"{ids.FIELD_PREFIX}{key}": {"value": text} for key, text in fields.items()}
        return self.submit(form, values)

    def fill_in_dm(self, journey_id: int, *, layer: str, stage_id: int) -> dict[str, Any]:
        """The picker's "Fill in a DM": returns the view the modal turns into."""
        pick = self.open_by_click(ids.FILL, str(journey_id))
        answer = self.submit(pick, {ids.LAYER_BLOCK: {"value": payloads.input_static_select(layer)},
                                    ids.SEGMENT_BLOCK: {"value": ""},
                                    ids.STAGE_BLOCK: {"value": payloads.input_static_select(str(stage_id))},
                                    ids.HOW_BLOCK: {"value": payloads.input_static_select("dm")}})
        return answer.json()
