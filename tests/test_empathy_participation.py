"""Taking part in a session: join, add notes (modal and thread replies), own notes, moderation.

Each test plays a few people in a channel against the running bot and checks what Slack showed
them and what the database keeps.
"""

from __future__ import annotations

from sqlmodel import Session

from bot.empathy import ids
from storage import empathy_phases as phases
from storage.models import EmpathySession, Note
from storage.states import SessionStatus
from tests.harness import Bot, eventually
from tests.slack_fake import FakeSlack, payloads
from tests.sql_statements import RequestStatements
from tests.test_empathy_support import Workshop, as_dict, texts_of


def _open_sections(w: Workshop) -> None:
    """Leave the intro: the facilitator moves on to the first section (Says)."""
    w.control(ids.NEXT_PHASE)
    eventually(lambda: w.phase_index() == 1)


def test_people_join_and_write_silently_and_the_section_is_shared_when_it_closes(bot: Bot, slack: FakeSlack) -> None:
    w = Workshop(bot, slack).start()
    assert "First-time buyer on mobile" in w.board_text()
    assert any("Welcome" in text for text in w.thread()), "the intro prompt is posted in the thread"

    w.click(ids.JOIN, "U0ANA")
    eventually(lambda: w.participants() == ["U0ANA"])
    eventually(lambda: any("joined" in text for text in w.ephemerals("U0ANA")))
    _open_sections(w)

    view = w.open_modal(ids.ADD_NOTE, "U0ANA")
    section = next(b for b in view["blocks"] if b.get("block_id") == ids.QUADRANT_BLOCK)
    assert section["element"]["initial_option"]["value"] == "says", "the current section is preselected"
    w.add_notes("U0ANA", "I just want it to work on my phone\n\n  Where is my order?  \n")
    w.add_notes("U0BEN", "Why so many steps?")
    w.settle()

    assert [(n.quadrant, n.text, n.author_id) for n in w.notes()] == [
        ("says", "I just want it to work on my phone", "U0ANA"),
        ("says", "Where is my order?", "U0ANA"),
        ("says", "Why so many steps?", "U0BEN"),
    ]
    assert sorted(w.participants()) == ["U0ANA", "U0BEN"]
    board = w.board_text()
    assert "Where is my order?" not in board and "Why so many steps?" not in board, "silent: nobody is swayed"
    assert "*Says* (3): 3 notes from 2 people" in board and "2 people have written" in board
    assert "Why so many steps?" not in texts_of(w.open_modal(ids.ALL_NOTES, "U0ANA")["blocks"])
    assert "Why so many steps?" in texts_of(w.open_modal(ids.ALL_NOTES, w.facilitator)["blocks"]), "to moderate"

    w.control(ids.NEXT_PHASE)
    eventually(lambda: any("Here is Says" in t for t in w.thread_blocks()))
    [shared] = [t for t in w.thread_blocks() if "Here is Says" in t]
    assert "3 notes from 2 people" in shared and "Anything surprising in their words?" in shared
    assert all(note in shared for note in ("I just want it to work on my phone", "Where is my order?"))
    w.settle()
    assert "Where is my order?" in w.board_text() and "*Says* (3)" in w.board_text()
    assert all(c.args["ts"] == w.board_ts for c in slack.calls_to("chat.update")), "updated in place"


def test_a_note_over_3000_characters_gets_an_inline_error_and_nothing_is_lost(bot: Bot, slack: FakeSlack) -> None:
    w = Workshop(bot, slack).start()
    _open_sections(w)
    answer = w.add_notes("U0ANA", "x" * 3001 + "\nshort one", wait=False)

    body = answer.json()
    assert body["response_action"] == "errors" and "3000" in body["errors"][ids.NOTE_TEXT_BLOCK]
    assert w.notes() == []


def test_thread_replies_become_notes_only_during_a_section_and_never_twice(bot: Bot, slack: FakeSlack) -> None:
    w = Workshop(bot, slack).start()
    assert w.reply("U0ANA", "context the facilitator asked for").status == 200
    w.settle()
    assert w.ephemerals("U0ANA") == [] and w.notes() == [], "intro replies are context: no note, no scolding"
    _open_sections(w)

    event = payloads.event_callback(payloads.message_event(
        "It's slow\nIt <!channel> crashes", user="U0ANA", channel=w.channel, channel_type="channel",
        thread_ts=w.board_ts))
    bot.http.event(event)
    bot.http.event(event, retry_num=1)  # Slack redelivers: no duplicate
    w.reply("U0BOT", "bot chatter", bot_id="B0OTHER")
    plain = bot.http.event(payloads.event_callback(payloads.message_event(
        "not in the thread", user="U0ANA", channel=w.channel, channel_type="channel")))
    assert plain.status == 200, "other channel messages are acked too (a 404 makes Slack retry)"
    eventually(lambda: len(w.notes()) == 2)
    w.settle()

    assert [n.text for n in w.notes()] == ["It's slow", "It <!channel> crashes"]
    w.control(ids.NEXT_PHASE)
    eventually(lambda: any("Here is Says" in t for t in w.thread_blocks()))
    w.settle()
    shared = "".join(w.thread_blocks())
    assert "&lt;!channel&gt;" in shared and "<!channel>" not in shared
    assert "&lt;!channel&gt;" in w.board_text() and "<!channel>" not in w.board_text()
    w.to_phase("vote")
    w.reply("U0ANA", "too late")
    eventually(lambda: any("only take thread replies" in t for t in w.ephemerals("U0ANA")))


def test_anonymous_session_shows_no_author_anywhere(bot: Bot, slack: FakeSlack) -> None:
    w = Workshop(bot, slack).start(anonymous=True)
    _open_sections(w)
    w.add_notes("U0SECRET", "My boss reads everything")
    w.reply("U0SECRET", "a thread reply")
    eventually(lambda: any("anonymous" in t for t in w.ephemerals("U0SECRET")))
    w.settle()

    view = w.open_modal(ids.ALL_NOTES, w.facilitator)
    assert "My boss reads everything" in texts_of(view["blocks"])
    assert [n.text for n in w.notes()] == ["My boss reads everything"], "the reply did not become a note"
    for call in slack.calls:
        if call.method in ("chat.update", "chat.postMessage", "views.open", "views.update"):
            assert "U0SECRET" not in texts_of(call.args.get("blocks") or call.args.get("view") or []), call.method


def test_people_edit_and_delete_only_their_own_notes_and_the_facilitator_hides(bot: Bot, slack: FakeSlack) -> None:
    w = Workshop(bot, slack).start()
    _open_sections(w)
    w.add_notes("U0ANA", "typo nte")
    w.add_notes("U0BEN", "rude remark")
    ana_note, ben_note = w.notes()

    mine = w.open_modal(ids.MY_NOTES, "U0ANA")
    assert "typo nte" in texts_of(mine["blocks"]) and "rude remark" not in texts_of(mine["blocks"])
    menu = next(b for b in mine["blocks"] if b.get("block_id") == f"note:{ana_note.id}")["accessory"]
    assert [o["value"] for o in menu["options"]] == [f"edit:{ana_note.id}", f"delete:{ana_note.id}"]

    edit = w.open_note_editor("U0ANA", ana_note.id, mine)
    bot.http.interactive(payloads.view_submission(ids.NOTE_EDIT_MODAL, {ids.NOTE_TEXT_BLOCK: {"value": "typo note"}},
                                                  private_metadata=edit["private_metadata"], user="U0ANA"))
    eventually(lambda: w.notes()[0].text == "typo note")

    # Ana tries to delete Ben's note through a forged menu value: nothing happens.
    bot.http.interactive(payloads.block_actions(
        ids.NOTE_MENU, action_type="overflow", selected_option=f"delete:{ben_note.id}", user="U0ANA",
        view=payloads.modal_view(ids.NOTES_MODAL, private_metadata=mine["private_metadata"], view_id=mine["id"])))
    # The facilitator hides Ben's note; Ben deletes his own... no: it stays, hidden.
    every = w.open_modal(ids.ALL_NOTES, w.facilitator)
    bot.http.interactive(payloads.block_actions(
        ids.NOTE_MENU, action_type="overflow", selected_option=f"hide:{ben_note.id}", user=w.facilitator,
        view=payloads.modal_view(ids.NOTES_MODAL, private_metadata=every["private_metadata"], view_id=every["id"])))
    eventually(lambda: [n.visibility for n in w.notes()] == ["visible", "hidden"])
    w.control(ids.NEXT_PHASE)  # Says closes: what is shared leaves the hidden note out
    eventually(lambda: any("Here is Says" in t for t in w.thread_blocks()))
    assert "rude remark" not in "".join(w.thread_blocks())

    def board_shows_the_moderation() -> bool:
        w.settle()  # the refresh is marked after the ack, so it may follow the first settle
        text = w.board_text()
        return "rude remark" not in text and "typo note" in text

    eventually(board_shows_the_moderation)

    bot.http.interactive(payloads.block_actions(
        ids.NOTE_MENU, action_type="overflow", selected_option=f"delete:{ana_note.id}", user="U0ANA",
        view=payloads.modal_view(ids.NOTES_MODAL, private_metadata=mine["private_metadata"], view_id=mine["id"])))
    eventually(lambda: [n.text for n in w.notes()] == ["rude remark"])


def test_all_notes_is_paged_and_the_board_stays_within_50_blocks(bot: Bot, slack: FakeSlack) -> None:
    w = Workshop(bot, slack).start(canvas="updated", live=True)  # a live board shows the notes as they come
    _open_sections(w)
    for person in range(12):
        w.add_notes(f"U0P{person:02d}", "\n".join(f"note {person}-{i} " + "long words " * 20 for i in range(25)))
    w.settle()

    assert len(w.notes()) == 300
    assert len(w.board()) <= 50
    assert "*Sees* 300" in w.board_text() and "more notes are not shown" in w.board_text()
    view = w.open_modal(ids.ALL_NOTES, "U0ANA")
    assert len(view["blocks"]) <= 100 and "page 1 of 15" in texts_of(view["blocks"])
    paging = next(b for b in view["blocks"] if b.get("block_id") == "paging")["elements"][0]
    updates = len(slack.calls_to("views.update"))
    bot.http.interactive(payloads.block_actions(
        paging["action_id"], value=paging["value"], user="U0ANA",
        view=payloads.modal_view(ids.NOTES_MODAL, view_id=view["id"], private_metadata=view["private_metadata"])))
    page2 = slack.wait_for("views.update", updates + 1)[updates].args["view"]
    assert "page 2 of 15" in texts_of(page2)


def test_notes_from_two_sessions_never_mix(bot: Bot, slack: FakeSlack) -> None:
    one = Workshop(bot, slack, channel="C0ONE").start(subject="Nurses")
    two = Workshop(bot, slack, channel="C0ONE", facilitator="U0OTHER").start(subject="Pilots")
    three = Workshop(bot, slack, channel="C0THREE").start(subject="Farmers")
    for w in (one, two, three):
        _open_sections(w)
    one.reply("U0ANA", "night shifts")
    two.reply("U0ANA", "jet lag")
    three.add_notes("U0ANA", "rain")
    eventually(lambda: len(one.notes()) == len(two.notes()) == 1)
    for w in (one, two, three):
        w.settle()

    assert [n.text for n in one.notes()] == ["night shifts"]
    assert [n.text for n in two.notes()] == ["jet lag"]
    assert [n.text for n in three.notes()] == ["rain"]
    assert "jet lag" not in one.board_text() and "night shifts" not in two.board_text()
    with Session(bot.engine) as db:
        assert db.get(Note, one.notes()[0].id).session_id == one.session_id
    assert as_dict(slack.messages[(two.channel, two.board_ts)]["blocks"]) == two.board()


def test_notes_submitted_after_the_session_ended_elsewhere_are_refused_inline_and_kept(
        bot: Bot, slack: FakeSlack) -> None:
    """The submission reads the session in the same unit of work that would save the notes: a
    session ended meanwhile (here by another instance of the bot) adds nothing, and the form
    stays open with the person's text and says why."""
    w = Workshop(bot, slack).start()
    w.control(ids.NEXT_PHASE)
    eventually(lambda: w.phase_index() == 1)
    w.add_notes("U0ANA", "first thought")
    open_form = w.open_modal(ids.ADD_NOTE, "U0ANA")
    with Session(bot.engine) as db:
        row = db.get(EmpathySession, w.session_id)
        assert phases.finish_session(db, row, from_index=row.phase_index, now=bot.clock.now(),
                                     status=SessionStatus.CANCELLED)
        db.commit()

    answer = bot.http.interactive(payloads.view_submission(
        ids.NOTE_MODAL, {ids.NOTE_TEXT_BLOCK: {"value": "late <!channel> thought"}},
        private_metadata=open_form["private_metadata"], user="U0ANA", view_id=open_form["id"]))
    assert answer.json()["response_action"] == "errors"
    assert "ended" in answer.json()["errors"][ids.NOTE_TEXT_BLOCK]
    assert [n.text for n in w.notes()] == ["first thought"]


def test_adding_notes_costs_at_most_five_statements_before_the_answer(bot: Bot, slack: FakeSlack) -> None:
    w = Workshop(bot, slack).start()
    _open_sections(w)
    for text in ("One note", "Three notes\nat once\nfrom one form"):
        view = w.open_modal(ids.ADD_NOTE, "U0ANA")
        w.settle()
        with RequestStatements(bot.engine) as one_form:
            answer = bot.http.interactive(payloads.view_submission(
                ids.NOTE_MODAL, {ids.NOTE_TEXT_BLOCK: {"value": text}, ids.QUADRANT_BLOCK: {
                    "value": payloads.input_static_select("says")}},
                private_metadata=view["private_metadata"], user="U0ANA", view_id=view["id"]))
        assert answer.status == 200 and not answer.body_text
        assert 0 < len(one_form) <= 5, one_form.statements
    assert len(w.notes()) == 4, "the notes are saved before the answer"
