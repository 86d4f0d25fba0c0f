"""A proto-persona's review nudge: what changed since the last review, and "Still our best guess"
with one line of what we learned (through the real app and the local Slack, FakeClock time)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from bot.governance import ids
from bot.personas import lifecycle
from storage import personas as store
from storage.states import EvidenceStance
from tests.governance_kit import dms, review_block, review_rows, text_of
from tests.harness import Bot, FakeClock, eventually
from tests.persona_helpers import make_persona, q, view_of
from tests.slack_fake import FakeSlack, payloads

OWNER = "U0OWNER"
MONDAY_NOON = datetime(2026, 11, 23, 12, 0, tzinfo=UTC)


def _evidence(bot: Bot, persona_id: int, key: str, text: str, stance: EvidenceStance, tests: str) -> None:
    lifecycle.add_evidence(bot.deps, team_id="T0001", persona_id=persona_id, user_id=OWNER, text=text,
                           permalink="", author_id="U0C", source_key=key, stance=stance, assumption=tests)


def _click(bot: Bot, nudge: dict) -> None:
    block = review_block(nudge)
    button = next(e for e in block["elements"] if e["action_id"] == ids.STILL_ACCURATE)
    assert button["text"]["text"] == "Still our best guess", "a hypothesis is not confirmed as accurate"
    assert bot.http.interactive(payloads.block_actions(
        ids.STILL_ACCURATE, value=button["value"], block_id=block["block_id"], user=OWNER, channel="D" + OWNER,
        message_ts=nudge["ts"], response_url=bot.slack.response_url("actions"))).status == 200


def _nudges(slack: FakeSlack) -> list[dict]:
    return [{**c.args, "ts": c.response["ts"]} for c in slack.calls_to("chat.postMessage")
            if c.args.get("channel") in (OWNER, "D" + OWNER) and c.response.get("ok")]


def test_the_nudge_says_what_changed_and_the_answer_keeps_what_we_learned(
        bot: Bot, slack: FakeSlack, clock: FakeClock) -> None:
    clock.set(MONDAY_NOON - timedelta(days=30))
    persona = make_persona(bot, owner=OWNER, cadence_days=30)
    clock.advance(days=2)
    _evidence(bot, persona.id, "a", "8 of 10 compared prices in tabs", EvidenceStance.SUPPORTS, "behaviors")
    _evidence(bot, persona.id, "b", "Nobody asked about <delivery> dates", EvidenceStance.CHALLENGES, "needs")
    now = q(bot.engine, store.get_persona, team_id="T0001", persona_id=persona.id)
    lifecycle.edit(bot.deps, team_id="T0001", persona_id=persona.id, expected_version=now.version,
                   values={"context": "Shops on the train"}, user_id=OWNER)
    clock.set(MONDAY_NOON)
    bot.tick()
    [nudge] = _nudges(slack)
    shown = text_of(nudge)
    assert "Since it was created" in shown
    assert "2 new pieces of evidence: 1 supports, 1 challenges" in shown
    assert "_supports Behaviors_: 8 of 10 compared prices in tabs" in shown
    assert "_challenges Needs_: Nobody asked about &lt;delivery&gt; dates" in shown, "user text escaped"
    assert "Edited 1 time: Context." in shown
    assert "Assumptions still open: Role, Goals, Needs, Frustrations and pains (1 of 5 supported" in shown

    _click(bot, nudge)
    opened = view_of(slack.wait_for("views.open")[0].args)
    assert opened["callback_id"] == ids.LEARNED_MODAL and "What did we learn" in text_of(opened)
    assert [r.state for r in review_rows(bot.engine, persona.id)] == ["sent"]
    empty = bot.http.interactive(payloads.view_submission(
        ids.LEARNED_MODAL, {ids.LEARNED_BLOCK: {"value": "  "}}, user=OWNER,
        private_metadata=opened["private_metadata"])).json()
    assert "One line of what we learned" in empty["errors"][ids.LEARNED_BLOCK]
    learned = "Price comparing holds; delivery dates may not matter"
    bot.http.interactive(payloads.view_submission(
        ids.LEARNED_MODAL, {ids.LEARNED_BLOCK: {"value": learned}}, user=OWNER,
        private_metadata=opened["private_metadata"]))
    update = eventually(lambda: slack.calls_to("chat.update"))[0].args
    assert update["ts"] == nudge["ts"] and f"kept it as our best guess: _{learned}_" in text_of(update)
    assert "Still accurate" not in text_of(update) and "still accurate" not in text_of(update)
    reviewed = q(bot.engine, store.get_persona, team_id="T0001", persona_id=persona.id)
    assert reviewed.last_reviewed_at is not None and reviewed.kind == "proto"
    [latest, *_] = q(bot.engine, store.list_revisions, team_id="T0001", persona_id=persona.id)
    assert latest.note == learned and set(latest.changes) == {"last_reviewed_at", "next_review_at"}
    bot.settle()  # the next cadence review is scheduled by the outbox, right after the commit
    assert [r.state for r in review_rows(bot.engine, persona.id)] == ["done", "pending"]

    clock.advance(days=30)
    bot.tick()
    second = text_of(_nudges(slack)[-1])
    assert len(dms(slack, OWNER)) == 2 and "Since the last review" in second and "No new evidence." in second
    assert "Edited" not in second, "the review itself is no edit"
