"""Known or guessed in a thread reply: `heard (interview): ...`, `guess: ...`, played through the
local Slack, and the rules of reading a marker on their own (no Slack)."""

from __future__ import annotations

from bot.empathy import ids
from bot.empathy.note_marks import MarkedNote, read_marked, source_of
from storage.states import NoteBasis
from tests.harness import Bot, eventually
from tests.slack_fake import FakeSlack, payloads
from tests.test_empathy_support import Workshop, texts_of

HEARD, GUESS, UNMARKED = NoteBasis.HEARD, NoteBasis.GUESS, NoteBasis.UNMARKED


def _section_prompt(w: Workshop) -> str:
    return eventually(lambda: [t for t in w.thread() if "One idea per note" in t])[0]


def test_a_reply_marks_each_line_heard_or_guess_and_the_summary_reads_the_marks(bot: Bot, slack: FakeSlack) -> None:
    w = Workshop(bot, slack).start()
    w.to_phase("section")
    assert "Start a line with `heard (interview):`, `heard (ticket):` or `guess:`" in _section_prompt(w)

    event = payloads.event_callback(payloads.message_event(
        "heard (interview): they hate the setup wizard\nHEARD (Ticket): Refunds take weeks\n"
        "guess: They shop on the bus\nThey want dark mode\n*Heard* (usability test): The export button is hidden\n"
        "- heard (sales call): Price is the first question", user="U0ANA", channel=w.channel,
        channel_type="channel", thread_ts=w.board_ts))
    bot.http.event(event)
    bot.http.event(event, retry_num=1)  # Slack redelivers: nothing twice
    w.reply("U0BEN", "heard (interview):\nThey print every receipt\nguess: they never read emails")
    eventually(lambda: len(w.notes()) == 8)
    assert [(n.text, n.basis, n.heard_from, n.author_id) for n in w.notes()] == [
        ("they hate the setup wizard", HEARD, "interview", "U0ANA"),
        ("Refunds take weeks", HEARD, "ticket", "U0ANA"),
        ("They shop on the bus", GUESS, "", "U0ANA"),
        ("They want dark mode", UNMARKED, "", "U0ANA"),
        ("The export button is hidden", HEARD, "usability test", "U0ANA"),
        ("Price is the first question", HEARD, "call", "U0ANA"),
        ("They print every receipt", HEARD, "interview", "U0BEN"),  # under a marker-only line
        ("they never read emails", GUESS, "", "U0BEN"),
    ]

    listed = texts_of(w.open_modal(ids.ALL_NOTES, w.facilitator)["blocks"])
    assert listed.count(":ear: heard (an interview)") == 2 and ":ear: heard (usability test)" in listed
    assert listed.count(":grey_question: guess") == 2 and "heard (interview):" not in listed

    bus, emails = (n.id for n in w.notes() if n.basis == GUESS)
    w.to_phase("vote")
    w.vote("U0CAROL", {emails: 3, bus: 1})
    w.to_phase("wrapup")
    summary = w.summary()
    text = texts_of(summary["blocks"])
    check = text[text.index("Check these first"):]
    assert check.index("they never read emails") < check.index("They shop on the bus")
    assert "5 of 8 notes were heard from real people" in text


def test_a_source_typed_in_a_reply_is_offered_as_written_when_the_author_edits(bot: Bot, slack: FakeSlack) -> None:
    w = Workshop(bot, slack).start()
    w.to_phase("section")
    w.reply("U0ANA", "heard (usability test): The export button is hidden")
    [note] = eventually(lambda: w.notes())
    mine = w.open_modal(ids.MY_NOTES, "U0ANA")
    edit = w.open_note_editor("U0ANA", note.id, mine)
    source = next(b for b in edit["blocks"] if b.get("block_id") == ids.HEARD_FROM_BLOCK)["element"]
    assert source["initial_option"]["value"] == "usability test"
    assert [o["value"] for o in source["options"]] == ["interview", "ticket", "call", "other", "usability test"]

    bot.http.interactive(payloads.view_submission(ids.NOTE_EDIT_MODAL, {  # Slack sends the initial choices back
        ids.NOTE_TEXT_BLOCK: {"value": "The export button is hard to find"},
        ids.BASIS_BLOCK: {"value": payloads.input_static_select("heard")},
        ids.HEARD_FROM_BLOCK: {"value": payloads.input_static_select("usability test")}},
        private_metadata=edit["private_metadata"], user="U0ANA"))
    eventually(lambda: w.notes()[0].text == "The export button is hard to find")
    assert (w.notes()[0].basis, w.notes()[0].heard_from) == (HEARD, "usability test")


def test_an_anonymous_session_does_not_tell_people_to_mark_replies_it_will_not_take(
        bot: Bot, slack: FakeSlack) -> None:
    w = Workshop(bot, slack).start(anonymous=True)
    w.to_phase("section")
    prompt = _section_prompt(w)
    assert "heard (interview)" not in prompt and "reply in this thread" not in prompt
    w.reply("U0ANA", "guess: they shop on the bus")
    eventually(lambda: any("anonymous" in t for t in w.ephemerals("U0ANA")))
    assert w.notes() == []


def test_the_marker_rules_line_by_line() -> None:
    assert read_marked(["Heard from Bob: they like it", "guessing: no", "heard:", "GUESS(x):  y", "heard:z"]) == [
        MarkedNote("Heard from Bob: they like it"), MarkedNote("guessing: no"),
        MarkedNote("y", GUESS), MarkedNote("z", HEARD)], "only a marker at the start; a bare one heads nothing after"
    assert read_marked(["guess:", "a", "heard (call): b", "c", "heard:", "d"]) == [
        MarkedNote("a", GUESS), MarkedNote("b", HEARD, "call"), MarkedNote("c", GUESS), MarkedNote("d", HEARD)]
    assert [source_of(s) for s in ("Interviews", "a support ticket", "phone", "somewhere ELSE", "other", "")] == [
        "interview", "ticket", "call", "somewhere ELSE", "other", ""]
    assert source_of("x" * 100) == "x" * 40


def test_a_reply_is_stored_as_typed_and_shown_escaped_once(bot: Bot, slack: FakeSlack) -> None:
    """Slack sends `&`, `<`, `>` in a message as entities: the note keeps what the person typed,
    and the notes list escapes it once (no `&amp;amp;`, no live `<!channel>`)."""
    w = Workshop(bot, slack).start()
    w.to_phase("section")
    w.reply("U0ANA", "heard (R&amp;D): checkout &lt;!channel&gt; is slow &amp; odd")
    [note] = eventually(lambda: w.notes())
    assert (note.text, note.heard_from) == ("checkout <!channel> is slow & odd", "R&D")
    listed = texts_of(w.open_modal(ids.ALL_NOTES, w.facilitator)["blocks"])
    assert ":ear: heard (R&amp;D)" in listed and "checkout &lt;!channel&gt; is slow &amp; odd" in listed
    assert "&amp;amp;" not in listed and "<!channel>" not in listed
