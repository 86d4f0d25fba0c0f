"""The method as a practitioner runs it, played through the local Slack: converging in the Group
phase, known versus guessed notes, the live-board option, Gray's updated canvas, and the start
form's success question."""

from __future__ import annotations

import io
import json
from pathlib import Path

from PIL import Image
from sqlmodel import Session, select

from bot.empathy import ids
from bot.empathy.agenda import MAX_MINUTES, MIN_MINUTES, SECTION_PHASES, PhaseKind, agenda_markdown, build_agenda
from bot.empathy.summary_view import canvas_layout
from bot.empathy.wrapup import outcome_at
from storage.models import Evidence
from tests.harness import Bot, eventually
from tests.persona_helpers import make_persona
from tests.slack_fake import FakeSlack, payloads
from tests.sql_statements import RequestStatements
from tests.test_empathy_support import Workshop, as_dict, texts_of


def _three_duplicates(w: Workshop) -> tuple[int, int, int, int]:
    w.to_phase("section")
    w.add_notes("U0ANA", "Checkout is too slow")
    w.add_notes("U0BEN", "Paying takes forever")
    w.add_notes("U0CAROL", "It is slow to pay\nShipping costs surprise me")
    return tuple(n.id for n in w.notes())  # type: ignore[return-value]


def test_the_facilitator_groups_duplicates_credit_stays_and_votes_pool(bot: Bot, slack: FakeSlack) -> None:
    w = Workshop(bot, slack).start()
    slow, forever, slow_pay, fees = _three_duplicates(w)
    w.to_phase("group")
    eventually(lambda: any("*Group*" in t and "merge the duplicates" in t for t in w.thread()))

    w.click(ids.OPEN_GROUPING, "U0ANA")
    eventually(lambda: any("Only the facilitator" in t for t in w.ephemerals("U0ANA")))
    answer = w.group(w.facilitator, slow, [forever, slow_pay])
    view = answer.json()["view"]
    assert answer.json()["response_action"] == "update" and "Grouped 2 notes into" in texts_of(view["blocks"])
    assert [n.merged_into_id for n in w.notes()] == [None, slow, slow, None], "every row and author kept"
    w.settle()
    assert "Checkout is too slow" in w.board_text() and "(+2 grouped)" in w.board_text()
    assert "Paying takes forever" not in w.board_text()

    listed = texts_of(w.open_modal(ids.ALL_NOTES, "U0BEN")["blocks"])
    assert "Paying takes forever" in listed and all(f"<@{u}>" in listed for u in ("U0ANA", "U0BEN", "U0CAROL"))

    w.to_phase("vote")
    ballot = w.open_modal(ids.OPEN_BALLOT, "U0BEN")
    assert {b["block_id"] for b in ballot["blocks"] if b.get("block_id", "").startswith(ids.VOTE_BLOCK_PREFIX)} == {
        f"{ids.VOTE_BLOCK_PREFIX}{slow}", f"{ids.VOTE_BLOCK_PREFIX}{fees}"}, "one choice per group"
    w.vote("U0BEN", {slow: 3, fees: 1})
    w.vote("U0ANA", {slow: 1, fees: 2})
    w.to_phase("wrapup")
    summary = w.summary()
    text = texts_of(summary["blocks"])
    assert "Checkout is too slow  `4 votes`" in text and "Paying takes forever" not in text

    uploads = len(slack.calls_to("files.completeUploadExternal"))
    w.click(ids.EXPORT_JSON, "U0BEN", f"{w.session_id}:json")
    [call] = slack.wait_for("files.completeUploadExternal", uploads + 1)[uploads:]
    document = json.loads(slack.uploads[as_dict(call.args["files"])[0]["id"]])
    [kept] = [n for s in document["sections"] for n in s["notes"] if n["text"] == "Checkout is too slow"]
    assert kept["votes"] == 4 and kept["grouped"] == ["Paying takes forever", "It is slow to pay"]
    assert [p["id"] for p in kept["credited"]] == ["U0ANA", "U0BEN", "U0CAROL"], "nothing lost in the export"


def test_anyone_groups_when_allowed_and_an_anonymous_group_names_nobody(bot: Bot, slack: FakeSlack) -> None:
    w = Workshop(bot, slack).start(open_grouping=True, anonymous=True)
    slow, forever, _, _ = _three_duplicates(w)
    w.click(ids.OPEN_GROUPING, "U0BEN")
    eventually(lambda: any("Group phase" in t for t in w.ephemerals("U0BEN")))
    w.to_phase("group")
    assert w.group("U0BEN", forever, [forever]).json()["response_action"] == "errors"
    assert w.group("U0BEN", slow, [forever]).json()["response_action"] == "update"
    listed = texts_of(w.open_modal(ids.ALL_NOTES, w.facilitator)["blocks"])
    assert "↳ Paying takes forever" in listed
    for call in slack.calls:
        if call.method in ("chat.update", "chat.postMessage", "views.open", "views.update"):
            for person in ("U0ANA", "U0BEN", "U0CAROL"):
                assert person not in texts_of(call.args.get("blocks") or call.args.get("view") or []), call.method


def test_heard_and_guessed_notes_guesses_to_check_first_and_heard_ones_become_evidence(
        bot: Bot, slack: FakeSlack) -> None:
    maya = make_persona(bot)
    w = Workshop(bot, slack).start(persona=maya.id)
    w.to_phase("section")
    w.add_notes("U0ANA", "They abandon the cart when fees appear", basis="heard", heard_from="interview")
    w.add_notes("U0BEN", "They shop on the bus", basis="guess")
    w.add_notes("U0BEN", "They never read emails", basis="guess")
    w.add_notes("U0CAROL", "The app feels slow")
    heard, bus, emails, slow = (n.id for n in w.notes())
    assert [(n.basis, n.heard_from) for n in w.notes()] == [
        ("heard", "interview"), ("guess", ""), ("guess", ""), ("unmarked", "")]
    w.to_phase("vote")
    w.vote("U0ANA", {emails: 3, bus: 1, slow: 1})
    w.to_phase("wrapup")

    summary = w.summary()
    text = texts_of(summary["blocks"])
    check = text[text.index("Check these first"):]
    assert check.index("They never read emails") < check.index("They shop on the bus")
    assert "The app feels slow" not in check.split("\"}")[0], "only guesses are listed to check"
    assert "1 of 4 notes was heard from real people" in text
    button = next(e for b in as_dict(summary["blocks"]) if b["type"] == "actions" for e in b["elements"]
                  if e["action_id"] == ids.HEARD_TO_EVIDENCE)

    w.click(button["action_id"], "U0STRANGER", button["value"])
    eventually(lambda: any("Only the facilitator" in t for t in w.ephemerals("U0STRANGER")))
    for clicks in (1, 2):  # a second click adds nothing twice (each answer awaited: they go out after the ack)
        w.click(button["action_id"], w.facilitator, button["value"])
        eventually(lambda clicks=clicks: len([t for t in w.ephemerals(w.facilitator) if "Maya" in t]) == clicks)
    assert "Added 1 heard note to *Maya*" in w.ephemerals(w.facilitator)[-2]
    assert "already evidence" in w.ephemerals(w.facilitator)[-1]
    with Session(bot.engine) as db:
        [evidence] = db.exec(select(Evidence).where(Evidence.persona_id == maya.id)).all()
    assert evidence.source_key == f"empathy-note:{heard}" and "heard in an interview" in evidence.text
    assert evidence.author_id == "U0ANA" and evidence.added_by == w.facilitator


def test_the_author_marks_a_note_heard_later_through_edit(bot: Bot, slack: FakeSlack) -> None:
    w = Workshop(bot, slack).start()
    w.to_phase("section")
    w.reply("U0ANA", "Support tickets say refunds are slow")
    eventually(lambda: len(w.notes()) == 1)
    [note] = w.notes()
    mine = w.open_modal(ids.MY_NOTES, "U0ANA")
    edit = w.open_note_editor("U0ANA", note.id, mine)
    assert {ids.BASIS_BLOCK, ids.HEARD_FROM_BLOCK} <= {b.get("block_id") for b in edit["blocks"]}
    bot.http.interactive(payloads.view_submission(ids.NOTE_EDIT_MODAL, {
        ids.NOTE_TEXT_BLOCK: {"value": note.text},
        ids.HEARD_FROM_BLOCK: {"value": payloads.input_static_select("ticket")}},
        private_metadata=edit["private_metadata"], user="U0ANA"))
    eventually(lambda: (w.notes()[0].basis, w.notes()[0].heard_from) == ("heard", "ticket"))
    listed = texts_of(w.open_modal(ids.MY_NOTES, "U0ANA")["blocks"])
    assert "heard (a support ticket)" in listed


def test_a_live_board_shows_notes_as_they_come_and_shares_nothing_twice(bot: Bot, slack: FakeSlack) -> None:
    w = Workshop(bot, slack).start(live=True, success="The gift arrives on time")
    assert any("We'll know they succeeded when:* The gift arrives on time" in t for t in w.thread())
    assert any("Notes show on the board as they are written" in t for t in w.thread())
    w.to_phase("section")
    w.add_notes("U0ANA", "Where is my order?")
    w.settle()
    assert "Where is my order?" in w.board_text()
    w.to_phase("vote")
    w.vote("U0BEN", {w.notes()[0].id: 2})
    w.settle()
    assert "`2 votes`" in w.board_text(), "live: running totals, as before"
    assert not any("Here is" in t for t in w.thread_blocks()), "nothing to reveal: it was all on the board"
    w.to_phase("wrapup")
    summary = w.summary()
    assert "Success looks like:* The gift arrives on time" in texts_of(summary["blocks"])


def test_the_updated_canvas_runs_in_grays_order_with_think_and_feel_holding_pains_and_gains(
        bot: Bot, slack: FakeSlack) -> None:
    w = Workshop(bot, slack).start(canvas="updated")
    names = []
    for index in range(5):
        w.control(ids.NEXT_PHASE, phase=index)
        eventually(lambda index=index: w.phase_index() == index + 1)
        w.settle()
        names.append(w.board_text().split(":stopwatch: *")[1].split("*")[0])
    assert names == ["Sees", "Says", "Does", "Hears", "Think and feel"]
    eventually(lambda: any("*Think and feel*" in t and "*Pains*" in t for t in w.thread()))
    view = w.open_modal(ids.ADD_NOTE, "U0ANA")
    quadrant = next(b for b in view["blocks"] if b.get("block_id") == ids.QUADRANT_BLOCK)["element"]
    assert [o["value"] for o in quadrant["options"]] == ["sees", "says", "does", "hears", "thinks", "pains", "gains"]
    w.add_notes("U0ANA", "Afraid to pay twice", quadrant="pains")
    w.add_notes("U0BEN", "Wants it to just work", quadrant="gains")
    w.add_notes("U0ANA", "Wonders if the card is safe", quadrant="thinks")
    w.control(ids.NEXT_PHASE)
    eventually(lambda: any("Here is Think and feel" in t for t in w.thread_blocks()))
    [shared] = [t for t in w.thread_blocks() if "Here is Think and feel" in t]
    assert shared.index("*Pains*") < shared.index("Afraid to pay twice") < shared.index("*Gains*")
    w.to_phase("vote")
    labels = [b["label"]["text"] for b in w.open_modal(ids.OPEN_BALLOT, "U0BEN")["blocks"]
              if b.get("block_id", "").startswith(ids.VOTE_BLOCK_PREFIX)]
    assert any("Pains" in label and "Afraid to pay twice" in label for label in labels), labels
    assert any("Thoughts and feelings" in label and "card is safe" in label for label in labels), labels
    assert not any("Thinks" in label for label in labels), "the ballot names areas as the canvas does"


def test_readme_shows_the_agenda_the_code_plans() -> None:
    readme = (Path(__file__).parent.parent / "README.md").read_text()
    table = readme.split("<!-- agenda:start -->\n")[1].split("\n<!-- agenda:end -->")[0]
    assert table == agenda_markdown(), "regenerate with `python -m bot.empathy.agenda`"


def test_every_length_fits_the_method() -> None:
    """Phases add up to the duration; intro, Group and vote at most 5 min; sections 2 to 5 min; the
    discussion and wrap-up at least as long as a section once there is time for it."""
    for canvas in SECTION_PHASES:
        for minutes in range(MIN_MINUTES, MAX_MINUTES + 1):
            plan = build_agenda(canvas, minutes)
            assert sum(p.seconds for p in plan) == minutes * 60, (canvas, minutes)
            kinds = [p.kind for p in plan]
            assert kinds[0] == PhaseKind.INTRO and kinds[-2:] == [PhaseKind.VOTE, PhaseKind.WRAPUP]
            for phase in plan:
                if phase.kind in (PhaseKind.INTRO, PhaseKind.GROUP, PhaseKind.VOTE):
                    assert 60 <= phase.seconds <= 300, (canvas, minutes, phase)
                elif phase.kind == PhaseKind.SECTION:
                    assert 120 <= phase.seconds <= 300, (canvas, minutes, phase)
            if minutes >= 30:
                assert PhaseKind.GROUP in kinds and plan[-1].seconds >= 300, (canvas, minutes)


def test_the_updated_canvas_image_draws_think_and_feel_as_one_area(bot: Bot, slack: FakeSlack) -> None:
    w = Workshop(bot, slack).start(canvas="updated")
    w.to_phase("section")
    w.add_notes("U0ANA", "Queue at the counter", quadrant="sees")
    w.add_notes("U0ANA", "Afraid to pay twice", quadrant="pains")
    w.to_phase("wrapup")
    [call] = eventually(lambda: slack.calls_to("files.completeUploadExternal"))
    png = slack.uploads[as_dict(call.args["files"])[0]["id"]]
    with Image.open(io.BytesIO(png)) as image:
        assert image.size == (1600, 150 + 2 * (460 + 16) + 16 + 530 + 16), "four outside sections, then the area"
    with Session(bot.engine) as db:
        outcome = outcome_at(db, w.row(), bot.clock.now())
    outer, area = canvas_layout(bot.deps.prompts, outcome)
    assert [s.name for s in outer] == ["Sees", "Says", "Does", "Hears"]
    assert area is not None and area.name == "Think and feel"
    assert [(s.name, s.notes) for s in area.sections] == [
        ("Thoughts and feelings", []), ("Pains", [("Afraid to pay twice", 0)]), ("Gains", [])]


def test_sharing_a_closed_section_and_grouping_cost_five_statements_each(bot: Bot, slack: FakeSlack) -> None:
    """Next phase reads the session, moves it, reads the notes it shares and queues two posts; a
    grouping reads the session and the kept note, moves the notes, reads the fresh list."""
    w = Workshop(bot, slack).start()
    w.to_phase("section")
    for person in range(30):
        w.add_notes(f"U0P{person}", f"note {person}\nsecond {person}")
    w.settle()
    with RequestStatements(bot.engine) as share:
        w.control(ids.NEXT_PHASE, phase=1)
    eventually(lambda: any("Here is Says*: 60 notes from 30 people" in t for t in w.thread_blocks()))
    w.to_phase("group")
    notes = [n.id for n in w.notes()]
    view = w.open_modal(ids.OPEN_GROUPING, w.facilitator)
    values = {ids.KEEP_BLOCK: {"value": payloads.input_static_select(str(notes[0]))},
              ids.MERGE_BLOCK: {"value": {"type": "multi_static_select", "selected_options": [
                  {"text": {"type": "plain_text", "text": "n"}, "value": str(n)} for n in notes[1:4]]}}}
    with RequestStatements(bot.engine) as grouping:
        answer = bot.http.interactive(payloads.view_submission(
            ids.GROUPING_MODAL, values, private_metadata=view["private_metadata"], user=w.facilitator,
            view_id=view["id"]))
    assert answer.json()["response_action"] == "update"
    assert len(share) <= 5 and len(grouping) <= 5, (share.statements, grouping.statements)
