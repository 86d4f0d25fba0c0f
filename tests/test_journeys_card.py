"""The journey card: two personas layered through the fill modal, shown side by side, filtered;
the method's warnings; Where they differ; cards that update themselves; the image, posted with
the card and drawn again once per burst of changes."""

from __future__ import annotations

from bot.journeys import ids
from storage.states import LayerKind
from tests.harness import Bot, eventually
from tests.journey_kit import CHANNEL, Journeys, add_persona, text_of
from tests.slack_fake import FakeSlack, payloads


def _layered(bot: Bot, slack: FakeSlack, *, same: bool = False) -> tuple[Journeys, int, list[int]]:
    j = Journeys(bot, slack)
    maya, leo = add_persona(bot, "Maya"), add_persona(bot, "Leo")
    j.create("Checkout", template="short")
    journey = j.journey("Checkout")
    stages = [s.id for s in j.stages(journey.id)]
    j.fill(journey.id, layer=f"persona:{maya}", stage_id=stages[0], emotion="+1 curious",
           pains="Too many tabs\nHidden fees", goals="Find a gift")
    j.fill(journey.id, layer=f"persona:{maya}", stage_id=stages[2], emotion="-2 anxious", pains="Surprise fees")
    if same:
        j.fill(journey.id, layer=f"persona:{leo}", stage_id=stages[0], emotion="+1 curious",
               pains="Too many tabs\nHidden fees", goals="Find a gift")
        j.fill(journey.id, layer=f"persona:{leo}", stage_id=stages[2], emotion="-2 anxious", pains="Surprise fees")
    else:
        j.fill(journey.id, layer=f"persona:{leo}", stage_id=stages[0], emotion="0 bored", pains="Slow pages")
        j.fill(journey.id, layer=f"persona:{leo}", stage_id=stages[2], emotion="+2 confident", pains="")
    return j, journey.id, stages


def test_two_personas_layered_through_the_modal_show_side_by_side(bot: Bot, slack: FakeSlack) -> None:
    j, _, _ = _layered(bot, slack)
    cells = j.cells()
    assert len(cells) == 4 and cells[0].emotion == 1 and cells[0].emotion_word == "curious"
    assert cells[0].pains == ["Too many tabs", "Hidden fees"]
    ts = j.show("checkout")
    card = j.card(ts)
    text = text_of(card)
    assert "Maya" in text and "Leo" in text and "Too many tabs" in text and "+2 confident" in text
    discover = next(b for b in card if b.get("text", {}).get("text", "").startswith("*1. Discover"))
    assert [f["text"].split("*")[1] for f in discover["fields"]] == ["Maya", "Leo"]  # side by side, in order
    assert "no persona" not in text

    j.click(ids.FILTER, "", message_ts=ts, action_type="static_select",
            selected_option=str(_layer_of(j, "Maya")))
    bot.settle()
    eventually(lambda: "showing Maya only" in text_of(j.card(ts)))
    assert "Slow pages" not in text_of(j.card(ts)) and "Hidden fees" in text_of(j.card(ts))
    j.click(ids.FILTER, "", message_ts=ts, action_type="static_select", selected_option="all")
    bot.settle()
    eventually(lambda: "Slow pages" in text_of(j.card(ts)))


def _layer_of(j: Journeys, name: str) -> int:
    from sqlmodel import Session, select

    from storage.journey_models import JourneyLayer
    from storage.models import Persona

    with Session(j.bot.engine) as db:
        persona = db.exec(select(Persona).where(Persona.name == name)).one()
        return int(db.exec(select(JourneyLayer.id).where(JourneyLayer.persona_id == persona.id)).one())


def test_where_they_differ_ranks_the_most_different_stage_first(bot: Bot, slack: FakeSlack) -> None:
    j, journey_id, _ = _layered(bot, slack)
    view = j.open_by_click(ids.DIFFER, str(journey_id))
    text = text_of(view["blocks"])
    assert text.index("Buy") < text.index("Discover")  # -2 vs +2 beats +1 vs 0
    assert "emotions from -2 to +2" in text


def test_a_map_that_looks_the_same_for_every_persona_says_so(bot: Bot, slack: FakeSlack) -> None:
    j, _, _ = _layered(bot, slack, same=True)
    ts = j.show("Checkout")
    assert "looks the same for every persona" in text_of(j.card(ts))
    j2, _, _ = Journeys(bot, slack), None, None
    j2.create("Empty one", template="short")
    ts2 = j2.show("Empty one")
    assert "has no persona" in text_of(j2.card(ts2))


def test_a_segment_layer_is_marked_as_such(bot: Bot, slack: FakeSlack) -> None:
    j = Journeys(bot, slack)
    j.create("B2B", template="short")
    journey = j.journey("B2B")
    stage = j.stages(journey.id)[0].id
    j.fill(journey.id, layer="segment", segment="Buyer", stage_id=stage, emotion="-1 wary")
    errors = j.fill(journey.id, layer="segment", segment="", stage_id=stage).json()["errors"]
    assert ids.SEGMENT_BLOCK in errors
    ts = j.show("B2B")
    assert "Buyer* _(segment)_" in text_of(j.card(ts))
    from sqlmodel import Session, select

    from storage.journey_models import JourneyLayer

    with Session(bot.engine) as db:
        assert db.exec(select(JourneyLayer.kind)).one() == LayerKind.SEGMENT


def test_bad_field_values_are_refused_inline(bot: Bot, slack: FakeSlack) -> None:
    j = Journeys(bot, slack)
    maya = add_persona(bot, "Maya")
    j.create("Checkout", template="short")
    journey = j.journey("Checkout")
    answer = j.fill(journey.id, layer=f"persona:{maya}", stage_id=j.stages(journey.id)[0].id, emotion="5 ecstatic",
                    pains="\n".join(f"p{n}" for n in range(11)))
    errors = answer.json()["errors"]
    assert "-2 to +2" in errors[f"{ids.FIELD_PREFIX}emotion"] and "keep it to 10" in errors[f"{ids.FIELD_PREFIX}pains"]
    assert j.cells() == []


def test_cards_update_themselves_and_the_image_follows_once_per_burst(bot: Bot, slack: FakeSlack) -> None:
    j, journey_id, stages = _layered(bot, slack)
    bot.clock.advance(seconds=30)
    bot.tick()  # the images of the layering burst (no card yet: nothing to upload)
    ts = j.show("Checkout")
    [first] = eventually(j.uploads)
    assert first["channel_id"] == CHANNEL and first["thread_ts"] == ts
    [upload] = slack.calls_to("upload")
    assert slack.uploads[upload.args["file_id"]].startswith(b"\x89PNG")

    maya = _layer_of(j, "Maya")
    for emotion in ("-1 worried", "0 calm", "+1 relieved"):  # a burst of three edits
        j.fill(journey_id, layer=f"layer:{maya}", stage_id=stages[1], emotion=emotion)
    bot.settle()
    eventually(lambda: "+1 relieved" in text_of(j.card(ts)))  # the card caught up in place
    assert len(j.uploads()) == 1, "the image waits for the burst to end"
    bot.clock.advance(seconds=11)
    bot.tick()
    bot.clock.advance(seconds=11)
    bot.tick()
    assert len(j.uploads()) == 2 and j.uploads()[1]["thread_ts"] == ts

    j.fill(journey_id, layer=f"layer:{maya}", stage_id=stages[1], emotion="+2 delighted")
    bot.clock.advance(seconds=11)
    bot.tick()
    assert len(j.uploads()) == 3


def test_show_an_unknown_or_ambiguous_name(bot: Bot, slack: FakeSlack) -> None:
    j = Journeys(bot, slack)
    j.create("Checkout web", template="short")
    j.create("Checkout app", template="short")
    assert "Several journeys" in j.command("show checkout").json()["text"]
    assert "can't find" in j.command("show nothing").json()["text"]
    answer = bot.http.command(payloads.slash_command("/journey", "", channel=CHANNEL, user="U0X"))
    assert "/journey show" in answer.json()["text"]
