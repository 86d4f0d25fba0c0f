"""The end of a session: the summary and the canvas image in the thread, the persona hand-off,
exports (button and CLI); and the two other ways in and out: the App Home start button and a
channel the bot cannot post to."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from bot.empathy import ids
from bot.render.empathy_export import build_export
from storage.empathy_notes import VotedNote
from storage.models import EmpathySession, Persona
from storage.states import NoteVisibility
from tests.harness import Bot, eventually
from tests.slack_fake import FakeSlack, payloads
from tests.test_empathy_support import Workshop, as_dict, start_form, texts_of


def _played(w: Workshop) -> Workshop:
    """Notes in two sections, past the Group phase to a vote, then time runs out into the wrap-up."""
    w.control(ids.NEXT_PHASE)
    eventually(lambda: w.phase_index() == 1)
    w.add_notes("U0ANA", "I want it on my phone\n<!here> look")
    w.add_notes("U0BEN", "Where is my order?")
    w.control(ids.NEXT_PHASE, phase=1)
    eventually(lambda: w.phase_index() == 2)
    w.add_notes("U0ANA", "Is this safe to pay?")
    w.to_phase("vote")
    phone, _, order, safe = (n.id for n in w.notes())
    w.vote("U0ANA", {order: 3, safe: 1})
    w.vote("U0BEN", {order: 1, phone: 2})
    w.bot.clock.advance(minutes=3)
    w.bot.tick()
    assert w.phase_index() == 9
    eventually(lambda: w.slack.calls_to("files.completeUploadExternal"))
    return w


def test_wrap_up_posts_summary_image_and_persona_button_in_the_thread(bot: Bot, slack: FakeSlack) -> None:
    w = _played(Workshop(bot, slack).start())

    [summary] = [c.args for c in slack.calls_to("chat.postMessage") if "Summary of the empathy map" in c.args["text"]]
    assert summary["thread_ts"] == w.board_ts and summary["channel"] == w.channel
    text = texts_of(summary["blocks"])
    assert text.index("Where is my order?") < text.index("I want it on my phone"), "most-voted first"
    assert "4 notes" in text and "2 participants" in text and "7 votes" in text
    assert "&lt;!here&gt;" in text and "<!here>" not in text
    button = next(e for b in as_dict(summary["blocks"]) if b["type"] == "actions" for e in b["elements"]
                  if e["action_id"] == "persona_from_session")
    assert button["action_id"] == ids.PERSONA_FROM_SESSION and button["value"] == str(w.session_id)

    done = slack.last("files.completeUploadExternal").args
    assert done["channel_id"] == w.channel and done["thread_ts"] == w.board_ts
    [upload] = slack.calls_to("upload")
    assert slack.uploads[upload.args["file_id"]].startswith(b"\x89PNG")

    bot.clock.advance(minutes=5)  # discussion and wrap-up get real time: 5 of the 30 minutes
    bot.tick()
    bot.tick()
    assert w.row().status == "finished"
    assert len([t for t in w.thread() if "The session is over" in t]) == 1
    assert len([c for c in slack.calls_to("chat.postMessage") if "Summary of" in c.args["text"]]) == 1
    assert "Session finished" in w.board_text() and ids.EXPORT in w.board_text()

    w.click(button["action_id"], w.facilitator, button["value"])  # the personas feature takes over, in a DM
    eventually(lambda: [c for c in slack.calls_to("chat.postMessage") if c.args["channel"] in (
        w.facilitator, f"D{w.facilitator}") and "First-time buyer on mobile" in c.args.get("text", "")])


def test_export_buttons_send_markdown_and_json_privately(bot: Bot, slack: FakeSlack) -> None:
    w = _played(Workshop(bot, slack).start(anonymous=True))
    uploads = len(slack.calls_to("files.completeUploadExternal"))
    w.click(ids.EXPORT, "U0CAROL", f"{w.session_id}:md")
    w.click(ids.EXPORT_JSON, "U0CAROL", f"{w.session_id}:json")
    calls = slack.wait_for("files.completeUploadExternal", uploads + 2)[uploads:]
    assert {c.args["channel_id"] for c in calls} == {"DU0CAROL"}, "into the person's DM"
    contents = [slack.uploads[f["id"]] for c in calls for f in as_dict(c.args["files"])]
    markdown = next(c for c in contents if c.startswith(b"# Empathy map"))
    assert b"## Says" in markdown and b"Where is my order? (4 votes)" in markdown
    document = json.loads(next(c for c in contents if c.startswith(b"{")))
    assert document["note_count"] == 4 and document["session"]["anonymous"] is True
    assert "author" not in json.dumps(document["sections"]), "anonymous exports carry no authors"


def test_the_cli_exports_a_session(bot: Bot, slack: FakeSlack, engine: Engine, tmp_path: Path) -> None:
    w = _played(Workshop(bot, slack).start())
    script = shutil.which("workshop-bot", path=str(Path(sys.executable).parent)) or "workshop-bot"
    env = {**os.environ, "DATABASE_URL": str(engine.url)}
    for name in ("SLACK_BOT_TOKEN", "SLACK_APP_TOKEN", "SLACK_SIGNING_SECRET"):
        env.pop(name, None)
    result = subprocess.run([script, "export", "session", str(w.session_id), "--format", "json"], env=env,
                            cwd=tmp_path, capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    document = json.loads(result.stdout)
    says = next(s for s in document["sections"] if s["key"] == "says")
    assert says["notes"][0] == {"text": "Where is my order?", "votes": 4, "author": {"id": "U0BEN", "name": "U0BEN"}}
    markdown = subprocess.run([script, "export", "session", str(w.session_id)], env=env, cwd=tmp_path,
                              capture_output=True, text=True, timeout=60)
    assert markdown.stdout.startswith("# Empathy map: First-time buyer on mobile")
    missing = subprocess.run([script, "export", "session", "999"], env=env, cwd=tmp_path, capture_output=True,
                             text=True, timeout=60)
    assert missing.returncode == 1 and "no empathy session 999" in missing.stderr


def test_start_from_the_app_home_asks_for_the_channel(bot: Bot, slack: FakeSlack) -> None:
    home = payloads.modal_view("home", view_id="VHOME")
    home["type"] = "home"
    bot.http.interactive(payloads.block_actions(ids.START_FROM_HOME, value="start", user="U0FACIL", view=home))
    view = slack.wait_for("views.open")[0].args["view"]
    view = as_dict(view)
    assert view["callback_id"] == ids.START_MODAL and not view.get("private_metadata")
    assert any(b.get("block_id") == ids.CHANNEL_BLOCK for b in view["blocks"])

    missing = bot.http.interactive(payloads.view_submission(ids.START_MODAL, start_form(), user="U0FACIL"))
    assert ids.CHANNEL_BLOCK in missing.json()["errors"]
    bot.http.interactive(payloads.view_submission(ids.START_MODAL, start_form(channel="C0PICKED"), user="U0FACIL"))
    board = slack.wait_for("chat.postMessage")[0].args
    assert board["channel"] == "C0PICKED" and "First-time buyer" in texts_of(board["blocks"])


def test_a_channel_the_bot_cannot_post_to_gets_a_clear_private_answer_and_leaves_nothing(
        bot: Bot, slack: FakeSlack) -> None:
    w = Workshop(bot, slack, channel="C0PRIVATE")
    for error in ("not_in_channel", "is_archived"):
        slack.fail_next("chat.postMessage", error)
        submission = payloads.view_submission(ids.START_MODAL, start_form(channel="C0PRIVATE"), user="U0FACIL")
        submission["response_urls"] = [{"block_id": ids.CHANNEL_BLOCK, "action_id": "value",
                                        "channel_id": "C0PRIVATE", "response_url": slack.response_url("actions")}]
        assert bot.http.interactive(submission).status == 200
    answers = slack.wait_for("response_url", 2)
    assert all(a.args["response_type"] == "ephemeral" and "/invite @workshop-bot" in a.args["text"]
               for a in answers)
    assert sorted("is_archived" in a.args["text"] for a in answers) == [False, True]
    slack.fail_next("chat.postMessage", "not_in_channel")
    bot.http.interactive(payloads.view_submission(ids.START_MODAL, start_form(channel="C0PRIVATE"), user="U0FACIL"))
    dm = eventually(lambda: [c for c in slack.calls_to("chat.postMessage") if c.args["channel"] == "U0FACIL"])
    assert "invite" in dm[0].args["text"]
    assert w.sessions() == []
    bot.tick()
    assert [c.method for c in slack.calls if c.method in ("chat.update", "chat.postEphemeral")] == []


def test_a_session_can_be_about_an_existing_persona(bot: Bot, slack: FakeSlack) -> None:
    with Session(bot.engine) as db:
        db.add(Persona(team_id="T0001", name="Night-shift nurse", owner_id="U0OWNER", created_by="U0OWNER",
                       created_at=bot.clock.now(), updated_at=bot.clock.now()))
        db.commit()
        persona_id = db.exec(select(Persona.id)).one()
    bot.http.command(payloads.slash_command("/empathy", "start", channel="C0WARD", user="U0FACIL"))
    view = as_dict(slack.wait_for("views.open")[0].args["view"])
    picker = next(b for b in view["blocks"] if b.get("block_id") == ids.PERSONA_BLOCK)
    assert [o["text"]["text"] for o in picker["element"]["options"]] == ["Night-shift nurse"]

    form = start_form("")
    missing = bot.http.interactive(payloads.view_submission(ids.START_MODAL, form, private_metadata="C0WARD"))
    assert "Tell us who" in missing.json()["errors"][ids.SUBJECT_BLOCK]
    form[ids.PERSONA_BLOCK] = {"value": payloads.input_static_select(str(persona_id))}
    bot.http.interactive(payloads.view_submission(ids.START_MODAL, form, private_metadata="C0WARD", user="U0FACIL"))
    board = slack.wait_for("chat.postMessage")[0].args
    assert "Night-shift nurse" in texts_of(board["blocks"])
    [row] = Workshop(bot, slack).sessions()
    assert row.persona_id == persona_id and row.subject == "Night-shift nurse"


def test_the_export_slash_command_sends_the_file_or_says_what_is_wrong(bot: Bot, slack: FakeSlack) -> None:
    w = Workshop(bot, slack).start()
    w.add_notes("U0ANA", "a note in the intro")
    bot.http.command(payloads.slash_command("/empathy", f"export {w.session_id} json", user="U0ANA",
                                            channel=w.channel))
    done = slack.wait_for("files.completeUploadExternal")[0].args
    assert done["channel_id"] == "DU0ANA"
    [upload] = as_dict(done["files"])
    assert json.loads(slack.uploads[upload["id"]])["note_count"] == 1
    bot.http.command(payloads.slash_command("/empathy", "export 424242", user="U0ANA", channel=w.channel))
    eventually(lambda: any("can't find that session" in t for t in w.ephemerals("U0ANA")))


def test_a_session_ended_with_no_notes_offers_to_run_it_again_or_delete_it(bot: Bot, slack: FakeSlack) -> None:
    w = Workshop(bot, slack).start()
    w.click(ids.JOIN, "U0ANA")
    w.control(ids.END)
    w.settle()
    assert not slack.calls_to("files.completeUploadExternal"), "no empty image"
    assert not [t for t in w.thread() if "Summary of" in t], "no empty summary"
    [offer] = [c.args for c in slack.calls_to("chat.postMessage") if "ended with no notes" in c.args["text"]]
    assert offer["thread_ts"] == w.board_ts and "nothing to summarize" in texts_of(offer["blocks"])
    board = w.board_text()
    assert ids.JOIN not in board and ids.EXPORT not in board and ids.PERSONA_FROM_SESSION not in board

    w.click(ids.DELETE_EMPTY, "U0ANA", str(w.session_id))
    eventually(lambda: any("Only the facilitator" in t for t in w.ephemerals("U0ANA")))
    form = w.open_modal(ids.RUN_AGAIN, w.facilitator, str(w.session_id))
    subject = next(b for b in form["blocks"] if b.get("block_id") == ids.SUBJECT_BLOCK)
    assert subject["element"]["initial_value"] == "First-time buyer on mobile", "the form comes filled in"

    offer_ts = next(c.response["ts"] for c in slack.calls_to("chat.postMessage") if "ended with no notes"
                    in c.args["text"])
    bot.http.interactive(payloads.block_actions(ids.DELETE_EMPTY, value=str(w.session_id), user=w.facilitator,
                                                channel=w.channel, message_ts=offer_ts))
    w.settle()
    assert w.sessions() == []
    assert (w.channel, w.board_ts) not in slack.messages and (w.channel, offer_ts) not in slack.messages


def test_a_session_compressed_into_seconds_does_not_say_zero_minutes(bot: Bot, slack: FakeSlack) -> None:
    w = Workshop(bot, slack).start()
    w.control(ids.NEXT_PHASE)
    eventually(lambda: w.phase_index() == 1)
    w.add_notes("U0ANA", "Too slow")
    w.control(ids.END)
    w.settle()
    [summary] = [c.args for c in slack.calls_to("chat.postMessage") if "Summary of" in c.args["text"]]
    assert "under a minute" in texts_of(summary["blocks"]) and "0 min" not in texts_of(summary["blocks"])


def test_exports_name_people_date_things_in_the_readers_zone_and_come_as_csv(bot: Bot, slack: FakeSlack) -> None:
    w = _played(Workshop(bot, slack).start())
    slack.users[w.facilitator] = {"tz": "Europe/Paris"}
    uploads = len(slack.calls_to("files.completeUploadExternal"))
    w.click(ids.EXPORT, w.facilitator, f"{w.session_id}:md")
    w.click(ids.EXPORT_CSV, w.facilitator, f"{w.session_id}:csv")
    calls = slack.wait_for("files.completeUploadExternal", uploads + 2)[uploads:]
    contents = [slack.uploads[f["id"]].decode() for c in calls for f in as_dict(c.args["files"])]
    markdown = next(c for c in contents if c.startswith("# Empathy map"))
    table = next(c for c in contents if c.startswith("section,"))
    assert "**Facilitator:** u0facil" in markdown and "(by u0ben)" in markdown
    assert "**Started:** 23 Nov 2026, 10:00 CET" in markdown, "in the reader's zone, as people write dates"
    assert "U0BEN" not in markdown and "+00:00" not in markdown
    lines = table.splitlines()
    assert lines[0] == "section,note,votes,author,basis,heard_from,grouped"
    assert "Says,Where is my order?,4,u0ben,,," in lines


def test_a_private_channels_sessions_export_only_to_its_members(bot: Bot, slack: FakeSlack) -> None:
    w = _played(Workshop(bot, slack).start())
    slack.channels[w.channel] = {"is_private": True, "members": [w.facilitator, "U0ANA"]}
    uploads = len(slack.calls_to("files.completeUploadExternal"))
    bot.http.command(payloads.slash_command("/empathy", f"export {w.session_id} json", user="U0MALLORY",
                                            channel="C0ELSEWHERE"))
    eventually(lambda: any("Only members of" in t for t in w.ephemerals("U0MALLORY")))
    w.click(ids.EXPORT_JSON, "U0ANA", f"{w.session_id}:json")
    slack.wait_for("files.completeUploadExternal", uploads + 1)
    w.settle()
    assert len(slack.calls_to("files.completeUploadExternal")) == uploads + 1, "the outsider got nothing"


def test_an_anonymous_export_lists_people_alphabetically_not_in_the_order_they_joined(bot: Bot) -> None:
    session = EmpathySession(id=1, team_id="T", channel_id="C", facilitator_id="UF", subject="s", goal="g",
                             canvas="classic", duration_minutes=30, anonymous=True, votes_per_person=5,
                             created_at=datetime(2026, 1, 1, tzinfo=UTC))
    notes = [VotedNote(id=i, quadrant="says", text=f"n{i}", author_id=a, votes=0, visibility=NoteVisibility.VISIBLE)
             for i, a in enumerate(["UZED", "UALF"])]
    document = build_export(bot.deps.prompts, session=session, notes=notes, participants=["UZED", "UALF"],
                            names={"UZED": "Zed", "UALF": "Alf"})
    assert [p["name"] for p in document["participants"]] == ["Alf", "Zed"]
    assert "UZED" not in json.dumps(document["sections"]) and "Zed" not in json.dumps(document["sections"])


def test_an_export_slack_cannot_deliver_is_explained_in_plain_words(bot: Bot, slack: FakeSlack) -> None:
    w = Workshop(bot, slack).start()
    w.add_notes("U0ANA", "a note in the intro")
    slack.fail_next("conversations.open", "user_disabled")
    bot.http.command(payloads.slash_command("/empathy", f"export {w.session_id} json", user="U0ANA",
                                            channel=w.channel))
    eventually(lambda: any("couldn't send you the export" in t and "deactivated" in t
                           for t in w.ephemerals("U0ANA")))
    bot.settle()
    assert not slack.calls_to("files.completeUploadExternal")
