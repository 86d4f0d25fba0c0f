"""Reviews that changes trigger: someone else's evidence, suggestion or edit nudges the owner once;
the owner's own update completes what was due; linked items review together; review-all asks all."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from bot.personas import lifecycle
from bot.review_subjects import SubjectChange, announce_change
from storage import personas as persona_store
from tests.governance_kit import add_journey, dms, install, review_rows, text_of
from tests.harness import Bot, FakeClock, eventually
from tests.persona_helpers import make_persona
from tests.slack_fake import FakeSlack, payloads

OWNER, OTHER = "U0OWNER", "U0OTHER"
MONDAY_NOON = datetime(2026, 11, 23, 12, 0, tzinfo=UTC)


def _evidence(bot: Bot, persona_id: int, user: str, key: str) -> None:
    lifecycle.add_evidence(bot.deps, team_id="T0001", persona_id=persona_id, user_id=user,
                           text=f"Interview {key}: fees surprise her", permalink=f"https://x/{key}",
                           author_id="U0CUSTOMER", source_key=key)


def test_new_evidence_from_someone_else_nudges_the_owner_once(bot: Bot, slack: FakeSlack, clock: FakeClock) -> None:
    clock.set(MONDAY_NOON)
    persona = make_persona(bot, owner=OWNER)
    _evidence(bot, persona.id, OWNER, "own")
    bot.tick()
    assert dms(slack, OWNER) == [], "the owner's own evidence needs no nudge"

    _evidence(bot, persona.id, OTHER, "a")
    _evidence(bot, persona.id, OTHER, "b")
    bot.tick()
    clock.advance(hours=1)
    bot.tick()
    [nudge] = dms(slack, OWNER)
    assert "New evidence was added by <@U0OTHER>" in text_of(nudge) and "confidence still right" in text_of(nudge)
    assert [r.reason for r in review_rows(bot.engine, persona.id) if r.state == "sent"] == ["change"]


def test_a_suggestion_by_someone_else_nudges_the_owner(bot: Bot, slack: FakeSlack, clock: FakeClock) -> None:
    clock.set(MONDAY_NOON)
    persona = make_persona(bot, owner=OWNER)
    lifecycle.suggest(bot.deps, persona=persona, user_id=OTHER, text="She pays by <card> & phone")
    bot.tick()
    [nudge] = dms(slack, OWNER)
    assert "suggested a change" in text_of(nudge) and "&lt;card&gt; &amp; phone" in text_of(nudge)


def test_the_owners_own_update_completes_the_due_review_and_updates_the_nudge(
        bot: Bot, slack: FakeSlack, clock: FakeClock) -> None:
    clock.set(MONDAY_NOON - timedelta(days=90))
    persona = make_persona(bot, owner=OWNER)
    clock.set(MONDAY_NOON)
    bot.tick()
    [nudge] = dms(slack, OWNER)
    assert "Maya" in text_of(nudge)

    lifecycle.edit(bot.deps, team_id="T0001", persona_id=persona.id, expected_version=persona.version,
                   values={"quote": "Show me the total first."}, user_id=OWNER)
    update = slack.wait_for("chat.update")[0].args
    assert "updated it; review done" in text_of(update)
    stored = persona_store.get_persona(bot.engine, team_id="T0001", persona_id=persona.id)
    assert stored.next_review_at == MONDAY_NOON + timedelta(days=90)
    assert [(r.state, r.due_at) for r in review_rows(bot.engine, persona.id)] == [
        ("done", MONDAY_NOON), ("pending", MONDAY_NOON + timedelta(days=90))]


def test_a_change_on_one_side_nudges_the_owners_of_linked_items(bot: Bot, slack: FakeSlack, clock: FakeClock) -> None:
    clock.set(MONDAY_NOON)
    journeys = install(bot.deps)
    persona = make_persona(bot, owner=OWNER)
    journey_id = add_journey(bot.engine, name="Checkout journey", owner=OTHER, due=MONDAY_NOON + timedelta(days=90),
                             created=MONDAY_NOON)
    journeys.linked = lambda team_id, subject_id: [("persona", persona.id)]  # the journeys feature's link table

    announce_change(bot.deps.on_change, SubjectChange("T0001", "journey", journey_id, "edited", OTHER, clock.now(),
                                                      "stage 2 reordered"))
    bot.tick()
    [nudge] = dms(slack, OWNER)
    assert "Checkout journey" in text_of(nudge) and "review them together" in text_of(nudge)


def test_review_all_asks_every_owner_once_per_reason(bot: Bot, slack: FakeSlack, clock: FakeClock) -> None:
    clock.set(MONDAY_NOON)
    make_persona(bot, owner=OWNER, name="Maya")
    make_persona(bot, owner=OWNER, name="Ben")
    make_persona(bot, owner=OTHER, name="Ines")

    def review_all() -> str:
        before = len(slack.calls_to("response_url"))
        reply = bot.http.command(payloads.slash_command("/persona", 'review-all "New product launch"',
                                                        user=OWNER, response_url=slack.response_url()))
        assert reply.status == 200
        return eventually(lambda: slack.calls_to("response_url")[before:])[0].args["text"]

    assert "Asked 2 owners to review 3 items because of *New product launch*" in review_all()
    bot.tick()
    bot.tick()
    assert len(dms(slack, OWNER)) == 2 and len(dms(slack, OTHER)) == 1
    assert all("New product launch" in text_of(m) for m in dms(slack, OWNER) + dms(slack, OTHER))

    assert "already asked" in review_all()
    bot.tick()
    assert len(dms(slack, OWNER)) == 2 and len(dms(slack, OTHER)) == 1


def test_review_all_needs_a_reason(bot: Bot) -> None:
    reply = bot.http.command(payloads.slash_command("/persona", "review-all"))
    assert "Say why" in reply.json()["text"]
