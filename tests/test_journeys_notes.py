"""A finished empathy session's notes onto journey stages: the wrap-up's "Link notes to a journey",
one note at a time (choose a stage or skip); linked notes show on the card under the session's
persona with a link back to the session's board."""

from __future__ import annotations

from bot.journeys import ids
from bot.personas import lifecycle
from tests.harness import Bot
from tests.journey_kit import Journeys, as_dict, text_of
from tests.persona_helpers import MAYA
from tests.slack_fake import FakeSlack, payloads
from tests.test_empathy_support import Workshop
from tests.test_empathy_wrapup import _played


def test_notes_linked_one_by_one_show_under_the_sessions_persona(bot: Bot, slack: FakeSlack) -> None:
    w = _played(Workshop(bot, slack).start())
    session = w.row()
    [summary] = [c.args for c in slack.calls_to("chat.postMessage") if "Summary of the empathy map" in c.args["text"]]
    [button] = [e for b in as_dict(summary["blocks"]) if b["type"] == "actions" for e in b["elements"]
                if e["action_id"] == ids.LINK_NOTES]
    assert button["value"] == str(session.id)
    persona = lifecycle.create(bot.deps, team_id="T0001", user_id="U0FACIL", values=MAYA,
                               source_session_id=session.id)
    j = Journeys(bot, slack, user="U0FACIL")
    j.create("Checkout", template="short")
    journey = j.journey("Checkout")
    discover, trying = j.stages(journey.id)[:2]
    j.fill(journey.id, layer=f"persona:{persona.id}", stage_id=discover.id, pains="Fees")

    pick = j.open_by_click(ids.LINK_NOTES, str(session.id), channel=w.channel)
    step = j.submit(pick, {ids.JOURNEY_BLOCK: {"value": payloads.input_static_select(str(journey.id))},
                           ids.HOW_BLOCK: {"value": payloads.input_static_select("one")}}).json()["view"]
    assert "Note 1 of 4" in text_of(step) and "Where is my order?" in text_of(step), "the most-voted first"
    note = next(b["block_id"] for b in step["blocks"] if b.get("block_id", "").startswith(ids.NOTE_PREFIX))
    step = j.submit(step, {note: {"value": payloads.input_static_select(str(trying.id))}}).json()["view"]
    assert "Note 2 of 4" in text_of(step) and "1 linked so far" in text_of(step)
    step = j.submit(step, {}).json()["view"]  # skipped
    assert "Note 3 of 4" in text_of(step)
    step = j.submit(step, {}).json()["view"]
    done = j.submit(step, {}).json()["view"]
    assert "1 note linked to *Checkout*" in text_of(done)

    card = text_of(j.card(j.show("Checkout")))
    assert "1 linked note" in card and "Where is my order?" in card and "_Maya_" in card
    assert f"https://slack.com/archives/{w.channel}/p{w.board_ts.replace('.', '')}" in card
