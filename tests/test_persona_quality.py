"""Quality warnings (warn, never block) on the card and in `/persona list`."""

from __future__ import annotations

from bot.personas import ids, lifecycle, quality
from storage import personas as store
from tests.harness import Bot, FakeClock, eventually
from tests.persona_helpers import blocks_text, make_persona, q
from tests.slack_fake import FakeSlack, payloads


def _card(bot: Bot, name: str) -> str:
    return blocks_text(bot.http.command(payloads.slash_command("/persona", f"show {name}")).json()["blocks"])


def _list(bot: Bot) -> str:
    return blocks_text(bot.http.command(payloads.slash_command("/persona", "list")).json()["blocks"])


def test_demographic_only_and_too_similar_personas_are_flagged_with_the_overlap(bot: Bot, slack: FakeSlack) -> None:
    make_persona(bot, name="Dora", role="Woman, 35, urban", goals=[], behaviors=[], frustrations=[], needs=[])
    make_persona(bot, name="Maya")
    make_persona(bot, name="Mia", goals=["Finish the checkout fast"], context="On the train")
    make_persona(bot, name="Ben", role="IT admin at a small company", goals=["Fewer tickets"],
                 behaviors=["Scripts everything"], needs=["Bulk import"], frustrations=["Manual onboarding"])

    dora = _card(bot, "Dora")
    assert "*Dora* has no goals, behaviors or frustrations" in dora
    maya = _card(bot, "Maya")
    assert "*Mia* and *Maya* look alike" in maya or "*Maya* and *Mia* look alike" in maya
    assert "Role, Goals, Behaviors, Needs, Frustrations and pains overlap" in maya
    ben = _card(bot, "Ben")
    assert ":warning:" not in ben, "a distinct, behavioral persona gets no warning"
    listed = _list(bot)
    assert "4 active personas" in listed and "look alike" in listed and "has no goals" in listed
    assert "There are" not in listed, "four personas are not too many"


def test_more_than_five_active_personas_warns_everywhere(bot: Bot, slack: FakeSlack) -> None:
    for n, role in enumerate(["Nurse", "Driver", "Teacher", "Farmer", "Pilot", "Baker"]):
        make_persona(bot, name=f"P{n}", role=role, goals=[f"goal {role}"], behaviors=[f"does {role}"],
                     needs=[f"needs {role}"], frustrations=[f"hates {role}"])
    assert "There are 6 active personas" in _list(bot)
    assert "There are 6 active personas" in _card(bot, "P0")
    p5 = q(bot.engine, store.find_personas, team_id="T0001", name="P5")[0]
    bot.http.interactive(payloads.block_actions(ids.RETIRE, value=str(p5.id), user="U0OWNER",
                                                response_url=slack.response_url("actions")))
    eventually(lambda: q(bot.engine, store.count_active, team_id="T0001") == 5)
    assert "There are" not in _list(bot)


def test_the_core_personas_rule_counts_per_product_or_area(bot: Bot, slack: FakeSlack) -> None:
    def make(n: int, area: str) -> None:
        role = f"Role{n}"
        make_persona(bot, name=f"A{n}", role=role, area=area, goals=[f"goal {role}"], behaviors=[f"does {role}"],
                     needs=[f"needs {role}"], frustrations=[f"hates {role}"])

    for n in range(3):
        make(n, "Checkout")
    for n in range(3, 7):
        make(n, "Onboarding")
    assert "There are" not in _list(bot), "seven personas over two areas: each area has its 3-5 core ones"
    make(7, " checkout ")
    make(8, "CHECKOUT")
    make(9, "Checkout")
    listed = _list(bot)
    assert "There are 6 active personas for *Checkout*" in listed and "Onboarding*" not in listed
    assert "There are 6 active personas for *Checkout*" in _card(bot, "A9"), "the card of a Checkout persona"
    assert "There are" not in _card(bot, "A3"), "an Onboarding persona is not one too many"


def test_demographic_text_in_the_behavioral_fields_is_flagged(bot: Bot, slack: FakeSlack) -> None:
    make_persona(bot, name="Gina", goals=["Earns $80k a year", "Finish checkout fast"],
                 behaviors=["35 years old", "Lives in Berlin", "Compares prices in three tabs"])
    card = _card(bot, "Gina")
    assert "*Gina* describes people by income, age, location where its behaviors should be" in card
    assert '\\"Earns $80k a year\\", \\"35 years old\\", \\"Lives in Berlin\\"' in card
    assert "has no goals" not in card, "the fields are filled: the warning says what is in them"
    make_persona(bot, name="Ben", role="IT admin", goals=["Fewer tickets from the manager"],
                 behaviors=["Scripts everything", "Manages 50 laptops"], needs=["Bulk import"],
                 frustrations=["Manual onboarding of every new man or woman"])
    assert "describes people by gender" in _card(bot, "Ben"), "words, as typed"
    assert quality.demographics.kinds_in("Commutes 2 years into the job; manager; humane") == ("age",)
    assert quality.demographics.kinds_in("Uses the manager app, romance novels, Germany trips") == ()


def test_an_old_hypothesis_without_evidence_is_flagged_until_evidence_arrives(
        bot: Bot, slack: FakeSlack, clock: FakeClock) -> None:
    maya = make_persona(bot, name="Maya", cadence_days=30)
    assert ":warning:" not in _card(bot, "Maya")
    clock.advance(days=31)
    assert "31-day-old hypothesis with no evidence" in _card(bot, "Maya")
    lifecycle.add_evidence(bot.deps, team_id="T0001", persona_id=maya.id, user_id="U0OWNER", text="Quote",
                           permalink="", author_id="U0C", source_key="C1:1")
    assert ":warning:" not in _card(bot, "Maya")


def test_the_similarity_check_stays_bounded(bot: Bot, slack: FakeSlack, clock: FakeClock) -> None:
    """Many near-identical personas: only the newest are compared, so the pairs stay few."""
    for n in range(quality.COMPARED_NEWEST + 10):
        clock.advance(minutes=1)
        make_persona(bot, name=f"Clone {n}")
    found = q(bot.engine, quality.workspace_warnings, team_id="T0001", now=clock.now())
    similar = [w for w in found if w.kind == "too_similar"]
    assert len(similar) == quality.COMPARED_NEWEST * (quality.COMPARED_NEWEST - 1) // 2
    oldest = q(bot.engine, store.find_personas, team_id="T0001", name="Clone 0")[0]
    assert all(oldest.id not in w.persona_ids for w in similar)
    listed = bot.http.command(payloads.slash_command("/persona", "list")).json()
    assert "40 active personas" in listed["text"] and "20 more" in blocks_text(listed["blocks"])


def test_app_home_shows_the_quality_warnings(bot: Bot, slack: FakeSlack) -> None:
    import json

    make_persona(bot, name="Dora <b>", role="Woman, 35, urban", goals=[], behaviors=[], frustrations=[], needs=[])
    for n, role in enumerate(["Nurse", "Driver", "Teacher", "Farmer", "Pilot"]):
        make_persona(bot, name=f"P{n}", role=role, goals=[f"goal {role}"], behaviors=[f"does {role}"],
                     needs=[f"needs {role}"], frustrations=[f"hates {role}"])
    before = len(slack.calls_to("views.publish"))
    assert bot.http.event(payloads.event_callback(payloads.app_home_opened("U0OWNER"))).status == 200

    def latest_home() -> str:
        """Home refreshes queued by the creations above may land after the open: read the newest."""
        calls = [c for c in slack.calls_to("views.publish")[before:] if c.args["user_id"] == "U0OWNER"]
        view = calls[-1].args["view"] if calls else ""
        home = view if isinstance(view, str) else json.dumps(view)
        return home if "There are 6 active personas" in home else ""

    home = eventually(latest_home)
    assert "There are 6 active personas" in home and "*Dora &lt;b&gt;* has no goals" in home
    assert "<b>" not in home and slack.block_kit_errors == []
