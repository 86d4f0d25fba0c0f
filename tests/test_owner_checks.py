"""Owners are active people, on every path that chooses one: the persona form (new and Edit),
the persona conversation's owner question, a journey's owner field and Reassign on a review.
A bot (workshop-bot itself included), a deactivated account or an id Slack knows as no user is
refused with an inline error or a plain reply, and nothing is stored."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest

from bot.governance import ids as governance_ids
from bot.journeys import ids as journey_ids
from bot.personas import ids
from storage import personas as store
from tests.governance_kit import add_journey, dms, install, journey, review_block
from tests.harness import Bot, FakeClock, eventually
from tests.journey_kit import Journeys
from tests.persona_helpers import Dm, form_values, make_persona, q
from tests.slack_fake import FakeSlack, payloads
from tests.slack_fake.ids import BOT_USER_ID

GONE, NOBODY, OTHER_BOT = "U0GONE", "U0NOBODY", "U0HELPER"
REFUSED = {BOT_USER_ID: "a bot", OTHER_BOT: "a bot", GONE: "deactivated", NOBODY: "doesn't know that person"}


@pytest.fixture(autouse=True)
def people(slack: FakeSlack) -> None:
    slack.users[GONE] = {"deleted": True}
    slack.users[NOBODY] = None  # users.info: user_not_found
    slack.users[OTHER_BOT] = {"is_bot": True}


@pytest.mark.parametrize("owner", list(REFUSED))
def test_the_persona_form_refuses_an_owner_who_is_not_an_active_person(bot: Bot, owner: str) -> None:
    answer = bot.http.interactive(payloads.view_submission(
        ids.FORM_MODAL, form_values(name="Lena", owner_id=owner), user="U0NEW", private_metadata="{}")).json()
    assert answer["response_action"] == "errors" and set(answer["errors"]) == {"owner_id"}
    assert REFUSED[owner] in answer["errors"]["owner_id"]
    assert q(bot.engine, store.find_personas, team_id="T0001", name="Lena") == []


def test_edit_refuses_a_bot_as_the_new_owner_and_takes_a_person(bot: Bot) -> None:
    maya = make_persona(bot, owner="U0OWNER", name="Maya")
    meta = json.dumps({"id": maya.id, "v": maya.version})

    def submit(owner: str) -> dict:
        answer = bot.http.interactive(payloads.view_submission(
            ids.FORM_MODAL, form_values(owner_id=owner), user="U0OWNER", private_metadata=meta))
        return answer.json() if answer.body_text.strip() else {}

    assert "a bot" in submit(BOT_USER_ID)["errors"]["owner_id"]
    assert submit("U0ANA") == {}
    assert q(bot.engine, store.get_persona, team_id="T0001", persona_id=maya.id).owner_id == "U0ANA"


def test_the_conversation_asks_again_for_an_owner_who_is_not_an_active_person(bot: Bot) -> None:
    dm = Dm(bot, "U0MAYA")
    bot.http.command(payloads.slash_command("/persona", "new", user="U0MAYA"))
    eventually(lambda: len(dm.posts()) >= 2)
    for answer in ("Maya", "Buyer", "skip", "On the bus", "Finish fast", "skip", "skip", "Dates", "Fees", "skip",
                   "Tell me", "Cards"):
        dm.say(answer)
    assert "Question 14 of 15" in dm.say("medium")
    for owner, why in ((BOT_USER_ID, "a bot"), (GONE, "deactivated"), (NOBODY, "doesn't know")):
        reply = dm.say(f"<@{owner}>", replies=2)  # why, then the question again
        assert "can't be the owner" in reply and why in reply and "Question 15" not in reply
    assert "Question 15 of 15" in dm.say("<@U0ANA>")


def test_a_journey_owner_must_be_an_active_person(bot: Bot, slack: FakeSlack) -> None:
    j = Journeys(bot, slack)
    errors = j.create("Checkout", owner=BOT_USER_ID).json()["errors"]
    assert set(errors) == {journey_ids.OWNER_BLOCK} and "a bot" in errors[journey_ids.OWNER_BLOCK]
    assert not j.create("Checkout", owner="U0ANA").body_text.strip()


def test_reassign_to_a_bot_is_refused_with_a_plain_reply(slack: FakeSlack, engine, clock: FakeClock) -> None:
    clock.set(datetime(2026, 11, 23, 12, 0, tzinfo=UTC))
    gov = Bot(slack=slack, engine=engine, clock=clock)
    try:
        install(gov.deps)
        journey_id = add_journey(gov.engine, name="Onboarding", owner="U0OWNER", due=clock.now(), created=clock.now())
        gov.tick()
        [nudge] = dms(slack, "U0OWNER")
        block = review_block(nudge)
        gov.http.interactive(payloads.block_actions(
            governance_ids.REASSIGN, block_id=block["block_id"], user="U0OWNER", channel="D0OWNER",
            message_ts="1.0", action_type="users_select", action_fields={"selected_user": OTHER_BOT},
            response_url=slack.response_url("actions")))
        eventually(lambda: any("can't be the owner" in c.args.get("text", "")
                               for c in slack.calls_to("response_url")))
        gov.settle()
        assert journey(gov.engine, journey_id).owner_id == "U0OWNER"
    finally:
        gov.close()
