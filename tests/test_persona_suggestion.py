"""A suggestion's thanks says when it reaches the owner: their nudge waits for their working hours."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from bot.personas import ids
from bot.personas.suggestion_reply import build_text
from prompts import Prompts
from tests.harness import Bot, FakeClock, eventually
from tests.persona_helpers import Dm, make_persona
from tests.slack_fake import FakeSlack, payloads

BERLIN = ZoneInfo("Europe/Berlin")


def _suggest(bot: Bot, persona_id: int, user: str, view_id: str) -> str:
    bot.http.interactive(payloads.view_submission(
        ids.SUGGEST_MODAL, {ids.SUGGESTION_BLOCK: {"value": "She also shops on desktop at work"}}, user=user,
        private_metadata=str(persona_id), view_id=view_id))
    dm = Dm(bot, user)
    return eventually(lambda: [p["text"] for p in dm.posts() if "suggestion" in p["text"]])[-1]


def test_out_of_hours_the_suggester_is_told_when_the_owner_will_see_it(
        bot: Bot, slack: FakeSlack, clock: FakeClock) -> None:
    slack.users["U0OWNER"] = {"tz": "Europe/Berlin"}
    persona = make_persona(bot, owner="U0OWNER")
    clock.set(datetime(2026, 11, 24, 12, 0, tzinfo=BERLIN))  # a Tuesday at noon in Berlin
    assert _suggest(bot, persona.id, "U0ANA", "V1") == (
        ":envelope: Thanks! Your suggestion for *Maya* was passed on to <@U0OWNER>.")
    clock.set(datetime(2026, 11, 24, 19, 30, tzinfo=BERLIN))
    assert _suggest(bot, persona.id, "U0BEN", "V2") == (
        ":envelope: Thanks! Your suggestion for *Maya* is on its way to <@U0OWNER>. It is 19:30 for them, outside "
        "their working hours, so they'll see it tomorrow at 10:00 their time.")


def test_the_day_is_named_when_it_is_not_today_or_tomorrow() -> None:
    prompts = Prompts()

    def said(now: datetime, reaches_at: datetime) -> str:
        return build_text(prompts, name="Maya <b>", owner_id="U0OWNER", now=now, reaches_at=reaches_at, tz=BERLIN)

    friday_evening = datetime(2026, 11, 27, 18, 5, tzinfo=BERLIN)
    assert "see it on Monday at 10:00 their time" in said(friday_evening, datetime(2026, 11, 30, 10, tzinfo=BERLIN))
    early = datetime(2026, 11, 24, 7, 0, tzinfo=BERLIN)
    assert "It is 07:00 for them" in said(early, datetime(2026, 11, 24, 10, tzinfo=BERLIN))
    assert "see it at 10:00 their time" in said(early, datetime(2026, 11, 24, 10, tzinfo=BERLIN))
    assert "*Maya &lt;b&gt;*" in said(early, early.astimezone(UTC))
