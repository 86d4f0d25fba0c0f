"""Journeys and their layers are hypotheses until research backs them: evidence is added from
the card (for the journey or one layer) and says whether it supports or challenges it; the card
shows which are hypotheses, backed or challenged (and by what), the owner's review nudge quotes a
challenge, and the exports list every piece with its stance."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from bot.journeys import confidence, ids
from storage.journey_models import JourneyEvidence
from storage.states import EvidenceStance
from tests.governance_kit import dms
from tests.harness import Bot, FakeClock, eventually
from tests.journey_kit import Journeys, add_persona, as_dict, text_of
from tests.slack_fake import FakeSlack, payloads

RESEARCHER = "U0RESEARCH"
MONDAY_NOON = datetime(2026, 11, 23, 12, 0, tzinfo=UTC)


def _add(j: Journeys, journey_id: int, about: str, text: str, link: str = "", *, stance: str = "supports",
         user: str | None = None) -> Any:
    form = j.open_by_click(ids.ADD_EVIDENCE, str(journey_id), user=user)
    return j.submit(form, {ids.ABOUT_BLOCK: {"value": payloads.input_static_select(about)},
                           ids.STANCE_BLOCK: {"value": payloads.input_radio_buttons(stance)},
                           ids.EVIDENCE_BLOCK: {"value": text}, ids.LINK_BLOCK: {"value": link}}, user=user)


def _evidence_line(card: list[dict[str, Any]]) -> str:
    """The card's evidence line, as Slack shows it (mrkdwn, user text escaped)."""
    return next(e["text"] for b in card if b["type"] == "context" for e in b["elements"]
                if ":test_tube:" in e.get("text", ""))


def _texts(value: Any) -> str:
    """Every text of a message's blocks, joined: what the reader sees."""
    if isinstance(value, dict):
        return "\n".join(v if k == "text" and isinstance(v, str) else _texts(v) for k, v in value.items())
    return "\n".join(_texts(v) for v in value) if isinstance(value, list) else ""


def _stored(bot: Bot) -> list[tuple[int | None, EvidenceStance, str]]:
    with Session(bot.engine) as db:
        return [(e.layer_id, e.stance, e.text) for e in db.exec(select(JourneyEvidence).order_by(JourneyEvidence.id))]


def test_evidence_for_the_journey_and_a_layer(slack: FakeSlack, any_engine: Engine, clock: FakeClock) -> None:
    bot = Bot(slack=slack, engine=any_engine, clock=clock)
    try:
        j = Journeys(bot, slack)
        maya, leo = add_persona(bot, "Maya"), add_persona(bot, "Leo")
        j.create("Checkout", template="short")
        journey = j.journey("Checkout")
        stage = j.stages(journey.id)[0].id
        j.fill(journey.id, layer=f"persona:{maya}", stage_id=stage, pains="Fees")
        j.fill(journey.id, layer=f"persona:{leo}", stage_id=stage, pains="Slow")
        ts = j.show("Checkout")
        assert "the journey is a hypothesis" in text_of(j.card(ts))

        assert "https://" in _add(j, journey.id, "journey", "Funnel data", link="not a link").json()["errors"][
            ids.LINK_BLOCK]
        assert _add(j, journey.id, "journey", "Funnel: 52% drop at fees", "https://dash.example/f").status == 200
        maya_layer = next(c.layer_id for c in j.cells())
        assert _add(j, journey.id, str(maya_layer), "6 of 8 interviews <fees>").status == 200
        bot.settle()
        eventually(lambda: "the journey is backed by evidence (1 supporting)" in _evidence_line(j.card(ts)))
        line = _evidence_line(j.card(ts))
        assert "Maya: backed by evidence (1 supporting)" in line and "Leo: _hypothesis_" in line

        before = len(slack.calls_to("upload"))
        j.click(ids.EXPORT_JSON, str(journey.id))
        eventually(lambda: len(slack.calls_to("upload")) == before + 1)
        document = json.loads(slack.uploads[slack.calls_to("upload")[before].args["file_id"]].decode())
        assert document["evidence"] == [
            {"about": "", "stance": "supports", "text": "Funnel: 52% drop at fees", "link": "https://dash.example/f"},
            {"about": "Maya", "stance": "supports", "text": "6 of 8 interviews <fees>", "link": ""}]
    finally:
        bot.close()


def test_a_challenge_to_a_layer_is_shown_on_the_card_until_evidence_supports_it_again(
        slack: FakeSlack, any_engine: Engine, clock: FakeClock) -> None:
    """Someone else's challenge reaches the journey's owner: the nudge says it is a challenge, of what."""
    clock.set(MONDAY_NOON)
    bot = Bot(slack=slack, engine=any_engine, clock=clock)
    try:
        j = Journeys(bot, slack)
        maya = add_persona(bot, "Maya")
        j.create("Checkout", template="short")
        journey = j.journey("Checkout")
        j.fill(journey.id, layer=f"persona:{maya}", stage_id=j.stages(journey.id)[0].id, pains="Fees")
        maya_layer = j.cells()[0].layer_id
        ts = j.show("Checkout")

        form = j.open_by_click(ids.ADD_EVIDENCE, str(journey.id), user=RESEARCHER)
        [asked] = [b for b in form["blocks"] if b["block_id"] == ids.STANCE_BLOCK]
        assert asked["label"]["text"] == "Does it support or challenge this?"
        assert asked["element"]["type"] == "radio_buttons"
        assert [o["value"] for o in asked["element"]["options"]] == ["supports", "challenges"]
        assert asked["element"]["initial_option"]["value"] == "supports", "supporting is the default"
        challenge = "Only 2 of 8 <mind> the fee & most never see it"
        assert _add(j, journey.id, str(maya_layer), challenge, stance="challenges", user=RESEARCHER).status == 200

        assert _stored(bot) == [(maya_layer, EvidenceStance.CHALLENGES, challenge)]
        assert j.history(journey.id)[-1].detail["stance"] == "challenges"
        bot.settle()
        shown = 'Maya: :warning: *challenged* (1 challenging): "Only 2 of 8 &lt;mind&gt; the fee &amp; most never'
        eventually(lambda: shown in _evidence_line(j.card(ts)))

        assert "the journey is a hypothesis" in _evidence_line(j.card(ts)), "a layer's challenge is the layer's"

        bot.tick()
        [nudge] = dms(slack, "U0OWNER")
        said = _texts(as_dict(nudge["blocks"]))
        assert "New evidence was added by <@U0RESEARCH>" in said
        assert "> Challenges Maya: Only 2 of 8 &lt;mind&gt; the fee &amp; most never see it" in said
        assert ':warning: *Evidence challenges it:* Maya ("Only 2 of 8 &lt;mind&gt; the fee' in said
        assert "&amp;lt;" not in said, "user text is escaped once"

        assert _add(j, journey.id, str(maya_layer), "Call centre: 40 fee complaints a week",
                    user=RESEARCHER).status == 200
        bot.settle()
        eventually(lambda: "Maya: backed by evidence (1 supporting, 1 challenging)" in _evidence_line(j.card(ts)))
        assert "challenged" not in _evidence_line(j.card(ts)), "later supporting evidence answers the challenge"
        subject = bot.deps.subjects["journey"]
        with Session(bot.engine) as db:
            assert subject.changes_since_review(db, team_id="T0001", subject_id=journey.id) == ()

        assert _add(j, journey.id, "journey", "Exit survey: the fee is not why", stance="challenges").status == 200
        bot.settle()
        eventually(lambda: 'the journey is :warning: *challenged* (1 challenging): "Exit survey: the fee is not why"'
                   in _evidence_line(j.card(ts)))
        before = len(slack.calls_to("upload"))
        j.click(ids.EXPORT_MD, str(journey.id))
        eventually(lambda: len(slack.calls_to("upload")) == before + 1)
        markdown = slack.uploads[slack.calls_to("upload")[before].args["file_id"]].decode()
        assert "  - _Challenges Maya:_ Only 2 of 8 &lt;mind&gt; the fee &amp; most never see it\n" in markdown
        assert "  - _Supports Maya:_ Call centre: 40 fee complaints a week\n" in markdown
        assert "  - _Challenges the whole journey:_ Exit survey: the fee is not why\n" in markdown
    finally:
        bot.close()


def test_the_latest_challenge_stands_until_supporting_evidence_comes_after_it() -> None:
    def weigh(*stances: str) -> confidence.Confidence:
        return confidence.weigh(JourneyEvidence(id=i, team_id="T", journey_id=1, text=f"#{i}", added_by="U",
                                                stance=EvidenceStance(s), created_at=MONDAY_NOON)
                                for i, s in enumerate(stances))

    assert weigh().standing == confidence.Standing.HYPOTHESIS
    assert weigh("supports", "supports").standing == confidence.Standing.BACKED
    found = weigh("supports", "challenges", "challenges")
    assert (found.standing, found.supports, found.challenges, found.challenge.text) == (
        confidence.Standing.CHALLENGED, 1, 2, "#2")
    assert weigh("challenges", "supports").standing == confidence.Standing.BACKED
