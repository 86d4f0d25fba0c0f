"""Sketching a proto-persona in a DM, one question at a time, as people really do it."""

from __future__ import annotations

from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from storage import personas as store
from storage.models import Conversation, Persona
from tests.harness import Bot, FakeClock, eventually
from tests.persona_helpers import Dm, blocks_text, make_persona, q
from tests.slack_fake import FakeSlack, payloads


def _personas(engine: Engine) -> list[Persona]:
    with Session(engine) as db:
        return list(db.exec(select(Persona).order_by(Persona.id)))


def _start(bot: Bot, user: str) -> Dm:
    dm = Dm(bot, user)
    before = len(dm.posts())
    ack = bot.http.command(payloads.slash_command("/persona", "new", user=user)).json()
    assert "direct message" in ack["text"]
    eventually(lambda: len(dm.posts()) >= before + 2)  # the intro and the first question
    assert "What shall we call this persona" in dm.last() and "Question 1 of 15" in dm.last()
    return dm


def test_a_whole_conversation_with_back_skip_and_lists(bot: Bot, slack: FakeSlack) -> None:
    dm = _start(bot, "U0MAYA")
    assert "Question 2 of 15" in dm.say("Maya")
    area = dm.say("First-time buyer on mobile")
    assert "Question 3 of 15" in area and "Which product or area" in area
    assert "Question 4 of 15" in dm.say("Checkout")
    assert "Question 5 of 15" in dm.say("Shops on the bus, one hand free")
    answer = dm.say("back")
    assert "Question 4 of 15" in answer and "Shops on the bus" in answer, "back shows the answer given"
    assert "Question 5 of 15" in dm.say("ok")
    assert "Question 6 of 15" in dm.say("- Finish checkout fast\n- Never re-type the address\n\n")
    beliefs = dm.say("skip")
    assert "Question 7 of 15" in beliefs and "believe and feel" in beliefs
    assert "Question 8 of 15" in dm.say("Fees are hidden on purpose")
    assert "Question 9 of 15" in dm.say("1. Clear delivery dates")
    opportunities = dm.say("Surprise fees")
    assert "Question 10 of 15" in opportunities and "What could we do for them" in opportunities
    assert "Question 11 of 15" in dm.say("Show the total on the first screen")
    assert "Question 12 of 15" in dm.say("Just tell me what it costs.")
    confidence = dm.say("Whether she pays by card")
    assert "Question 13 of 15" in confidence
    assert "`low`: mostly our guesses" in confidence and "`medium`: some data behind it" in confidence
    assert "`high`: confirmed with customers in research" in confidence, "each level has its anchor"
    assert "Please answer `low`, `medium` or `high`" in dm.say("very", replies=2)
    owner_question = dm.say("medium")
    assert "Question 14 of 15" in owner_question and "<@U0MAYA>" in owner_question, "owner defaults to me"
    cadence_question = dm.say("ok")
    assert "Question 15 of 15" in cadence_question and "Currently:* every 90 days" in cadence_question
    finished = dm.say("quarterly")
    assert "is saved as a proto-persona" in finished and "Proto-persona: hypothesis" in finished

    [persona] = _personas(bot.engine)
    assert persona.name == "Maya" and persona.owner_id == "U0MAYA" and persona.cadence_days == 90
    assert persona.goals == ["Finish checkout fast", "Never re-type the address"]
    assert persona.behaviors == [] and persona.needs == ["Clear delivery dates"]
    assert persona.area == "Checkout" and persona.beliefs == ["Fees are hidden on purpose"]
    assert persona.opportunities == ["Show the total on the first screen"]
    assert persona.confidence == "medium" and persona.kind == "proto" and persona.version == 1
    with Session(bot.engine) as db:
        assert db.exec(select(Conversation)).all() == [], "a finished conversation leaves no state behind"
    assert "not asking you anything" in dm.say("help")


def test_required_questions_cancel_and_help(bot: Bot, slack: FakeSlack) -> None:
    dm = _start(bot, "U0ANA")
    assert "needs an answer" in dm.say("skip", replies=2)
    assert "needs an answer" in dm.say("   ", replies=2)
    assert "one item per line" in dm.say("help", replies=2)
    assert "first question" in dm.say("back", replies=2)
    dm.say("Ana")
    assert "Cancelled. Nothing was saved" in dm.say("cancel")
    assert _personas(bot.engine) == []
    with Session(bot.engine) as db:
        assert db.exec(select(Conversation)).all() == []


def test_a_restart_resumes_at_the_same_question(slack: FakeSlack, engine: Engine, clock: FakeClock) -> None:
    first = Bot(slack=slack, engine=engine, clock=clock)
    try:
        dm = _start(first, "U0RESTART")
        dm.say("Ben")
        assert "Question 3 of 15" in dm.say("IT admin at a 50-person company")
    finally:
        first.close()
    second = Bot(slack=slack, engine=engine, clock=clock)
    try:
        dm = Dm(second, "U0RESTART")
        assert "Question 4 of 15" in dm.say("Admin console")
        assert "Question 3 of 15" in dm.say("back")
    finally:
        second.close()


def test_two_people_at_once_never_mix_and_a_second_conversation_goes_to_a_thread(bot: Bot, slack: FakeSlack) -> None:
    ana, ben = _start(bot, "U0ANA"), _start(bot, "U0BEN")
    ana.say("Ana persona")
    ben.say("Ben persona")
    assert "Question 3 of 15" in ana.say("Nurse on night shifts")
    assert "Question 3 of 15" in ben.say("Store manager")

    before = len(ana.posts())
    bot.http.command(payloads.slash_command("/persona", "new", user="U0ANA"))
    eventually(lambda: len(ana.posts()) >= before + 2)
    opener = ana.posts()[before]
    assert "keep this one in this thread" in opener["text"]
    thread = Dm(bot, "U0ANA", thread_ts=ana.posts()[before + 1]["thread_ts"])
    assert "Question 2 of 15" in thread.say("Second persona")
    assert "Question 4 of 15" in ana.say("Ward app"), "the first conversation goes on where it was"
    with Session(bot.engine) as db:
        rows = {(c.user_id, bool(c.thread_ts)): c for c in db.exec(select(Conversation))}
    assert rows[("U0ANA", False)].answers["values"]["role"] == "Nurse on night shifts"
    assert rows[("U0ANA", True)].answers["values"]["name"] == "Second persona"
    assert rows[("U0BEN", False)].answers["values"]["role"] == "Store manager"


def test_an_idle_conversation_expires_politely(bot: Bot, slack: FakeSlack, clock: FakeClock) -> None:
    dm = _start(bot, "U0IDLE")
    dm.say("Idle Ida")
    clock.advance(minutes=59)
    bot.tick()
    assert "Question 3 of 15" in dm.say("Commuter")
    clock.advance(minutes=61)
    before = len(dm.posts())
    bot.tick()
    assert len(dm.posts()) == before + 1 and "after 60 minutes without an answer" in dm.last()
    bot.tick()
    assert len(dm.posts()) == before + 1, "told once"
    assert "not asking you anything" in dm.say("skip")
    before = len(dm.posts())
    ignored = payloads.message_event("Thanks for the reminder!", user="U0IDLE", channel=dm.channel)
    assert bot.http.event(payloads.event_callback(ignored)).status == 200
    bot.settle()
    assert len(dm.posts()) == before + 1 and "I'm *workshop-bot*" in dm.last(), "no conversation: the welcome"


def test_bad_input_gets_a_clear_answer_and_is_stored_safely(bot: Bot, slack: FakeSlack) -> None:
    dm = _start(bot, "U0BAD")
    assert "please keep it under" in dm.say("x" * 10_000, replies=2)
    assert "please keep it under 80" in dm.say("y" * 200, replies=2)
    dm.say("Zoë 李雷 🚀 &lt;!channel&gt; <!channel> <@U123>")
    dm.say("Rôle: ведущий инженер 🚀")
    for _ in range(11):
        dm.say("skip")
    dm.say("ok")  # owner: me
    assert "saved as a proto-persona" in dm.say("ok")  # cadence: the default
    [persona] = _personas(bot.engine)
    assert persona.name == "Zoë 李雷 🚀 <!channel> <!channel> <@U123>"
    assert persona.role == "Rôle: ведущий инженер 🚀"
    card = dm.last()
    assert "<!channel>" not in card and "<@U123>" not in card and "&lt;!channel&gt;" in card
    assert q(bot.engine, store.name_taken, team_id="T0001", name=persona.name)


BOARD_TS = "1700000000.000100"


def _finished_session(engine: Engine, clock: FakeClock) -> int:
    """An empathy session as the empathy feature leaves it: notes in every section of the updated
    canvas, some voted."""
    from storage.models import EmpathySession, Note, Vote

    now = clock.now()
    with Session(engine) as db:
        session = EmpathySession(team_id="T0001", channel_id="C0WORK", facilitator_id="U0FAC", canvas="updated",
                                 subject="Night-shift nurses", goal="Hand over patients safely",
                                 board_ts=BOARD_TS, status="finished", created_at=now)
        db.add(session)
        db.flush()
        notes = {}
        for quadrant, text in [("says", "I never have time to sit down"), ("says", "Where is the chart?"),
                               ("does", "Writes notes on her glove"), ("pains", "Paper handover gets lost"),
                               ("gains", "A calm start of shift"), ("sees", "Alarms on every screen"),
                               ("hears", "Doctors asking for updates"), ("thinks", "I will miss something"),
                               ("feels", "Tired but responsible")]:
            note = Note(team_id="T0001", session_id=session.id, quadrant=quadrant, text=text,
                        author_id="U0P", created_at=now, updated_at=now)
            db.add(note)
            db.flush()
            notes[text] = note.id
        db.add(Vote(team_id="T0001", session_id=session.id, note_id=notes["Where is the chart?"], user_id="U0P",
                    count=3))
        db.commit()
        return session.id


def _thread_posts(slack: FakeSlack) -> list[dict]:
    return [c.args for c in slack.calls_to("chat.postMessage")
            if c.args.get("channel") == "C0WORK" and c.args.get("thread_ts") == BOARD_TS]


def test_from_an_empathy_session_every_section_lands_in_a_field_and_the_team_sees_the_draft(
        bot: Bot, slack: FakeSlack, clock: FakeClock) -> None:
    session_id = _finished_session(bot.engine, clock)
    dm = Dm(bot, "U0FAC")
    click = payloads.block_actions("persona_from_session", value=str(session_id), user="U0FAC",
                                   channel="C0WORK", message_ts=payloads.new_ts())
    bot.http.interactive(click)
    eventually(lambda: len(dm.posts()) >= 2 and len(_thread_posts(slack)) == 1)
    draft = _thread_posts(slack)[0]
    shown = draft["text"] + blocks_text(draft["blocks"])
    assert "Draft proto-persona from this session" in shown and "Reply in this thread to suggest a change" in shown
    assert "<@U0FAC> reads the thread before saving" in shown, "the team knows who saves it"
    for section_note in ("Alarms on every screen", "Doctors asking for updates", "I will miss something",
                         "Tired but responsible", "Writes notes on her glove", "Paper handover gets lost",
                         "A calm start of shift", "Where is the chart?"):
        assert section_note in shown, f"{section_note!r}: every section of the map is in the draft"
    assert "Possible solutions and opportunities" in shown, "the fourth quadrant is asked of the team"

    assert "Night-shift nurses" in dm.posts()[0]["text"] and "Question 1 of 15" in dm.last()
    role = dm.say("Nina")
    assert "Currently:* Night-shift nurses" in role and "`ok` keeps" in role
    dm.say("ok")  # role
    context = dm.say("skip")  # area
    assert "Sees: Alarms on every screen" in context and "Hears: Doctors asking for updates" in context
    goals = dm.say("ok")  # context
    assert "Hand over patients safely" in goals and "A calm start of shift" not in goals, "gains are needs only"
    assert "Writes notes on her glove" in dm.say("ok"), "behaviors come from the does notes"
    beliefs = dm.say("ok")  # behaviors
    assert "I will miss something" in beliefs and "Tired but responsible" in beliefs, "thinks and feels"
    dm.say("ok")  # beliefs
    dm.say("ok")  # needs
    dm.say("Paper handover gets lost\nNo time to eat")  # frustrations, edited
    quote = dm.say("A shared handover board")  # opportunities
    assert "Where is the chart?" in quote, "the top-voted says note is the quote"
    for answer in ("ok", "skip", "skip", "ok", "ok"):  # quote, unsure, confidence, owner, cadence
        dm.say(answer)
    [persona] = _personas(bot.engine)
    assert persona.role == "Night-shift nurses" and persona.quote == "Where is the chart?"
    assert persona.goals == ["Hand over patients safely"] and persona.needs == ["A calm start of shift"]
    assert persona.behaviors == ["Writes notes on her glove"]
    assert persona.beliefs == ["I will miss something", "Tired but responsible"]
    assert persona.context == "Sees: Alarms on every screen\nHears: Doctors asking for updates"
    assert persona.frustrations == ["Paper handover gets lost", "No time to eat"]
    assert persona.opportunities == ["A shared handover board"]
    assert persona.source_session_id == session_id and persona.owner_id == "U0FAC"
    bot.http.interactive(payloads.block_actions("persona_from_session", value=str(session_id), user="U0FAC",
                                                channel="C0WORK", message_ts=payloads.new_ts()))
    # the same person clicks again: a new conversation, not a second draft in the thread
    eventually(lambda: "Question 1 of 15" in dm.last())
    bot.settle()
    assert len(_thread_posts(slack)) == 1


def test_the_shortcut_and_the_home_button_start_the_same_conversation(bot: Bot, slack: FakeSlack) -> None:
    dm = Dm(bot, "U0SHORT")
    bot.http.interactive(payloads.global_shortcut("persona_new", user="U0SHORT"))
    eventually(lambda: len(dm.posts()) >= 2)
    assert "Question 1 of 15" in dm.last()
    home = Dm(bot, "U0HOME")
    bot.http.interactive(payloads.block_actions("persona_new_from_home", user="U0HOME",
                                                view={"id": "V0HOME", "type": "home"}))
    eventually(lambda: len(home.posts()) >= 2)
    assert "Question 1 of 15" in home.last()
    stale = bot.http.interactive(payloads.block_actions("persona_from_session", value="999", user="U0SHORT",
                                                        response_url=slack.response_url("actions")))
    assert stale.status == 200


def test_a_name_taken_meanwhile_is_asked_again_then_the_persona_is_saved(bot: Bot, slack: FakeSlack) -> None:
    dm = _start(bot, "U0LATE")
    dm.say("Maya")
    dm.say("Commuter")
    make_persona(bot, name="maya")  # someone else saves a Maya first
    for _ in range(12):
        dm.say("skip")
    asked_again = dm.say("ok", replies=2)
    assert "already an active persona called *Maya*" in asked_again and "Question 1 of 15" in asked_again
    assert "is saved as a proto-persona" in dm.say("Maya the second"), "the other answers are kept"
    assert [(p.name, p.role) for p in _personas(bot.engine)][1] == ("Maya the second", "Commuter")


def test_a_redelivered_answer_is_applied_once(bot: Bot, slack: FakeSlack) -> None:
    dm = _start(bot, "U0RETRY")
    dm.say("Rita")
    callback = payloads.event_callback(payloads.message_event("Pharmacist", user="U0RETRY", channel=dm.channel))
    before = len(dm.posts())
    assert bot.http.event(callback).status == 200
    eventually(lambda: len(dm.posts()) == before + 1)
    assert bot.http.event(callback, retry_num=1).status == 200  # Slack's redelivery, same event_id
    assert "Question 4 of 15" in dm.say("Dispensing"), "the redelivery did not move the conversation twice"
    with Session(bot.engine) as db:
        [row] = db.exec(select(Conversation)).all()
    assert row.answers["values"]["role"] == "Pharmacist" and row.answers["values"]["area"] == "Dispensing"


def test_an_answer_is_saved_when_the_events_200_returns_and_a_redelivery_records_nothing_twice(
        bot: Bot, slack: FakeSlack) -> None:
    """Issue #11: what the person answered is in the database before Slack hears back (no settle,
    no waiting), together with the next question in the outbox; Slack's redelivery of the same
    event_id changes nothing and asks nothing again."""
    from storage.models import OutboxMessage

    dm = _start(bot, "U0DURABLE")
    dm.say("Dora")
    bot.settle()
    with Session(bot.engine) as db:
        queued_before = len(db.exec(select(OutboxMessage)).all())
    callback = payloads.event_callback(payloads.message_event("Pharmacist", user="U0DURABLE", channel=dm.channel))
    assert bot.http.event(callback).status == 200
    with Session(bot.engine) as db:  # read at once: committed by the time the 200 came back
        [row] = db.exec(select(Conversation)).all()
        queued = db.exec(select(OutboxMessage).order_by(OutboxMessage.id)).all()
    assert row.answers["values"]["role"] == "Pharmacist" and row.step == "area"
    assert len(queued) == queued_before + 1
    assert "Which product or area" in queued[-1].payload["text"], "the next question is queued with the answer"

    bot.settle()
    posts = len(dm.posts())
    assert bot.http.event(callback, retry_num=1).status == 200  # Slack's redelivery: same event_id
    bot.settle()
    with Session(bot.engine) as db:
        [again] = db.exec(select(Conversation)).all()
        assert len(db.exec(select(OutboxMessage)).all()) == len(queued), "nothing queued twice"
    assert again.updated_at == row.updated_at and again.step == "area"
    assert len(dm.posts()) == posts, "the question is not asked twice"


def test_a_hello_in_the_dm_gets_a_welcome_with_ways_to_start(bot: Bot, slack: FakeSlack) -> None:
    dm = Dm(bot, "U0NEW")
    welcome = dm.say("hi")
    assert "I'm *workshop-bot*" in welcome and "Sketch a proto-persona" in welcome
    assert "slack://app?team=T0001&id=A0001&tab=home" in welcome, "a way to the Home tab and its reviews"

    button = next(e for b in dm.posts()[-1]["blocks"] if b["type"] == "actions" for e in b["elements"]
                  if e["text"]["text"] == "Sketch a proto-persona")
    bot.http.interactive(payloads.block_actions(button["action_id"], user="U0NEW", channel=dm.channel))
    eventually(lambda: "Question 1 of 15" in dm.last())
    first = dm.last()
    assert "`back`" not in first, "nothing comes before the first question"
    assert "`skip`" not in first, "the name is required"
    second = dm.say("Maya")
    assert "Question 2 of 15" in second and "`back`" in second and "`skip`" not in second, "the role is required"
    assert "Question 3 of 15" in dm.say("Buyer") and "`skip`" in dm.last(), "the area may be skipped"
