"""The dot-vote: a private ballot per person, 5 votes, at most 3 on one note, changeable until
the vote ends; retries and double clicks never count twice."""

from __future__ import annotations

from typing import Any

from bot.empathy import ids
from tests.harness import Bot, eventually
from tests.slack_fake import FakeSlack, payloads
from tests.test_empathy_support import Workshop, texts_of


def _to_vote(w: Workshop) -> list[int]:
    """Three notes in Says, then straight through the Group phase to the vote (phase 9 of 10)."""
    w.control(ids.NEXT_PHASE)
    eventually(lambda: w.phase_index() == 1)
    w.add_notes("U0ANA", "slow\ncrashes")
    w.add_notes("U0BEN", "too many steps")
    w.to_phase("vote")
    return [n.id for n in w.notes()]


def test_each_participant_gets_a_private_ballot_and_spends_at_most_five(bot: Bot, slack: FakeSlack) -> None:
    w = Workshop(bot, slack).start()
    slow, crashes, steps = _to_vote(w)
    def invites() -> list[str]:
        return sorted(c.args["user"] for c in slack.calls_to("chat.postEphemeral")
                      if ids.OPEN_BALLOT in str(c.args.get("blocks")))
    w.settle()
    assert invites() == ["U0ANA", "U0BEN"]
    assert any("dot-vote" in t for t in w.thread())

    view = w.open_modal(ids.OPEN_BALLOT, "U0CAROL")
    assert all(note in texts_of(view["blocks"]) for note in ("slow", "crashes", "too many steps"))
    w.vote("U0CAROL", {slow: 3, steps: 2})
    assert w.votes() == {("U0CAROL", slow): 3, ("U0CAROL", steps): 2}
    assert "U0CAROL" in w.participants()

    answer = w.vote("U0CAROL", {slow: 3, steps: 2, crashes: 1}, wait=False)
    body = answer.json()
    assert body["response_action"] == "errors" and "you have 5" in str(body["errors"])
    assert w.votes() == {("U0CAROL", slow): 3, ("U0CAROL", steps): 2}

    saved = w.vote("U0CAROL", {slow: 9, steps: 0, crashes: 1})  # a forged 9 counts as the maximum, 3
    assert w.votes() == {("U0CAROL", slow): 3, ("U0CAROL", crashes): 1}
    assert "used 4 of 5" in texts_of(saved.json()["view"]["blocks"])


def test_a_retried_ballot_never_counts_twice_and_the_totals_show_when_the_vote_closes(
        bot: Bot, slack: FakeSlack) -> None:
    w = Workshop(bot, slack).start()
    slow, _, steps = _to_vote(w)
    view = w.open_modal(ids.OPEN_BALLOT, "U0ANA")
    values = {f"{ids.VOTE_BLOCK_PREFIX}{slow}": {"value": {"type": "static_select", "selected_option": {
        "text": {"type": "plain_text", "text": "2 votes"}, "value": "2"}}}}
    for _ in range(3):
        w.submit_ballot("U0ANA", view, values)
    w.vote("U0BEN", {slow: 1, steps: 1})
    w.settle()

    assert w.votes() == {("U0ANA", slow): 2, ("U0BEN", slow): 1, ("U0BEN", steps): 1}
    assert "votes`" not in w.board_text() and "vote`" not in w.board_text(), "hidden while people vote"
    assert "votes`" not in texts_of(w.open_modal(ids.OPEN_BALLOT, "U0CAROL")["blocks"])
    w.control(ids.NEXT_PHASE)
    eventually(lambda: w.phase_index() == 9)
    w.settle()
    assert "`3 votes`" in w.board_text()


def test_voting_closes_with_the_phase_and_earlier_votes_stay(bot: Bot, slack: FakeSlack) -> None:
    w = Workshop(bot, slack).start()
    w.click(ids.OPEN_BALLOT, "U0EARLY")
    eventually(lambda: any("Voting isn't open" in t for t in w.ephemerals("U0EARLY")))
    slow, _, _ = _to_vote(w)
    view = w.open_modal(ids.OPEN_BALLOT, "U0ANA")
    w.vote("U0ANA", {slow: 1})

    bot.clock.advance(minutes=3)
    bot.tick()
    assert w.phase_index() == 9
    answer = w.submit_ballot("U0ANA", view, {f"{ids.VOTE_BLOCK_PREFIX}{slow}": {"value": {
        "type": "static_select", "selected_option": {"text": {"type": "plain_text", "text": "3"}, "value": "3"}}}},
        wait=False)
    assert "Voting has ended" in str(answer.json()["errors"])
    assert w.votes() == {("U0ANA", slow): 1}


def test_a_long_ballot_pages_and_a_stale_page_cannot_overspend(bot: Bot, slack: FakeSlack) -> None:
    """90 notes: two pages. The ballot is checked before the ack from what the page says about
    votes on the other page; a page older than the voter's latest save is caught by the save."""
    w = Workshop(bot, slack).start()
    w.control(ids.NEXT_PHASE)
    eventually(lambda: w.phase_index() == 1)
    for part in range(2):
        w.add_notes("U0ANA", "\n".join(f"idea {part}-{n}" for n in range(45)))
    w.to_phase("vote")
    notes = [n.id for n in w.notes()]
    first_page, second_page = notes[0], notes[-1]

    def vote(note_id: int, count: int) -> dict[str, Any]:
        return {f"{ids.VOTE_BLOCK_PREFIX}{note_id}": {"value": payloads.input_static_select(str(count))}}

    def next_page(view: dict[str, Any]) -> dict[str, Any]:
        updates = len(slack.calls_to("views.update"))
        assert bot.http.interactive(payloads.block_actions(
            f"{ids.BALLOT_PAGE}_next", value=f"{w.session_id}:2", user="U0BEN", view=view)).status == 200
        return slack.wait_for("views.update", updates + 1)[updates].response["view"]

    tab_a = w.open_modal(ids.OPEN_BALLOT, "U0BEN")
    tab_b = next_page(w.open_modal(ids.OPEN_BALLOT, "U0BEN"))
    assert "Page 2 of 2" in str(tab_b["blocks"])
    w.submit_ballot("U0BEN", tab_a, vote(first_page, 3))
    refused = w.submit_ballot("U0BEN", tab_b, vote(second_page, 3), wait=False)  # believes 0 votes elsewhere
    assert "That's 6 votes; you have 5" in str(refused.json()["errors"])
    assert w.votes() == {("U0BEN", first_page): 3}

    fresh = next_page(tab_a)
    answer = w.submit_ballot("U0BEN", fresh, vote(second_page, 3), wait=False)
    assert "That's 6 votes; you have 5" in str(answer.json()["errors"])
    saved = w.submit_ballot("U0BEN", fresh, vote(second_page, 2))
    assert w.votes() == {("U0BEN", first_page): 3, ("U0BEN", second_page): 2}
    assert "used 5 of 5" in texts_of(saved.json()["view"]["blocks"])
