"""Taking a group made by mistake back apart in the Group phase, played through the local Slack:
the Split button beside each group in the grouping modal, who may press it, retries, and why a
group stays once voting has started."""

from __future__ import annotations

from typing import Any

from sqlmodel import Session

from bot.empathy import ids
from storage import empathy_notes
from tests.harness import Bot, eventually
from tests.slack_fake import FakeSlack, payloads
from tests.test_empathy_support import Workshop, as_dict, texts_of


def _notes(w: Workshop) -> tuple[int, int, int, int]:
    w.to_phase("section")
    w.add_notes("U0ANA", "Checkout is too slow")
    w.add_notes("U0BEN", "Paying takes forever")
    w.add_notes("U0CAROL", "It is slow to pay\nShipping costs surprise me")
    w.to_phase("group")
    return tuple(n.id for n in w.notes())  # type: ignore[return-value]


def _group(w: Workshop, view: dict[str, Any], user: str, keep: int, merge: list[int]) -> dict[str, Any]:
    """Submit the grouping modal `view` (opened earlier); returns the modal's next state."""
    values = {ids.KEEP_BLOCK: {"value": payloads.input_static_select(str(keep))},
              ids.MERGE_BLOCK: {"value": {"type": "multi_static_select", "selected_options": [
                  {"text": {"type": "plain_text", "text": str(n)}, "value": str(n)} for n in merge]}}}
    answer = w.bot.http.interactive(payloads.view_submission(
        ids.GROUPING_MODAL, values, private_metadata=view["private_metadata"], user=user, view_id=view["id"],
        team=w.team))
    assert answer.json()["response_action"] == "update", answer.body_text
    return answer.json()["view"]


def _split(w: Workshop, view: dict[str, Any], user: str, head: int) -> dict[str, Any]:
    """Press Split beside a group in the open grouping modal; returns the modal as redrawn."""
    updates = len(w.slack.calls_to("views.update"))
    assert w.bot.http.interactive(payloads.block_actions(
        ids.SPLIT_GROUP, value=str(head), user=user, view=view, team=w.team)).status == 200
    call = w.slack.wait_for("views.update", updates + 1)[updates]
    assert call.args["view_id"] == view["id"], "the modal the person has open"
    return as_dict(call.args["view"])


def _split_buttons(view: dict[str, Any]) -> dict[str, str]:
    """Each group's block id → the value of its Split button."""
    return {b["block_id"]: b["accessory"]["value"] for b in view["blocks"]
            if (b.get("accessory") or {}).get("action_id") == ids.SPLIT_GROUP}


def _board(w: Workshop) -> str:
    """The board once the refreshes a click asked for (after its ack) have gone out."""
    w.bot.settle()
    w.settle()
    w.bot.settle()
    return w.board_text()


def _note_block(view: dict[str, Any], note_id: int) -> str:
    return texts_of([b for b in view["blocks"] if b.get("block_id") == f"note:{note_id}"])


def test_the_facilitator_splits_a_group_made_by_mistake_back_into_its_notes(bot: Bot, slack: FakeSlack) -> None:
    w = Workshop(bot, slack).start()
    slow, forever, slow_pay, fees = _notes(w)
    view = w.open_modal(ids.OPEN_GROUPING, w.facilitator)
    assert _split_buttons(view) == {}, "no group yet, nothing to split"
    grouped = _group(w, view, w.facilitator, slow, [forever, slow_pay, fees])  # fees is no duplicate
    assert _split_buttons(grouped) == {f"group:{slow}": str(slow)}
    assert "↳ Shipping costs surprise me" in texts_of(grouped["blocks"])
    board = _board(w)
    assert "(+3 grouped)" in board and "*Says* (1)" in board and "Paying takes forever" not in board

    redrawn = _split(w, view, w.facilitator, slow)
    assert "Split “Checkout is too slow” back into 4 notes" in texts_of(redrawn["blocks"])
    assert _split_buttons(redrawn) == {} and redrawn["callback_id"] == ids.GROUPING_MODAL
    assert [n.merged_into_id for n in w.notes()] == [None, None, None, None]
    assert [n.author_id for n in w.notes()] == ["U0ANA", "U0BEN", "U0CAROL", "U0CAROL"]
    board = _board(w)
    assert "grouped)" not in board and "*Says* (4)" in board and "Paying takes forever" in board
    listed = w.open_modal(ids.ALL_NOTES, "U0ANA")
    assert "<@U0BEN>" in _note_block(listed, forever) and "<@U0ANA>" not in _note_block(listed, forever)
    assert "<@U0ANA>" in _note_block(listed, slow) and "<@U0BEN>" not in _note_block(listed, slow), "credit back"

    regrouped = _group(w, view, w.facilitator, slow, [forever, slow_pay])  # the group it should have been
    assert _split_buttons(regrouped) == {f"group:{slow}": str(slow)}
    first = _split(w, view, w.facilitator, slow)
    again = _split(w, view, w.facilitator, slow)  # a double click, or Slack retrying the first
    assert "back into 3 notes" in texts_of(first["blocks"]) and "already split" in texts_of(again["blocks"])
    assert [n.merged_into_id for n in w.notes()] == [None, None, None, None]
    _group(w, view, w.facilitator, fees, [slow_pay])
    assert "already split" in texts_of(_split(w, view, w.facilitator, slow)["blocks"])
    assert [n.merged_into_id for n in w.notes()] == [None, None, fees, None], "another group is left alone"


def test_only_those_who_may_group_may_split(bot: Bot, slack: FakeSlack) -> None:
    w = Workshop(bot, slack).start()
    slow, forever, _, _ = _notes(w)
    view = w.open_modal(ids.OPEN_GROUPING, w.facilitator)
    _group(w, view, w.facilitator, slow, [forever])
    refused = _split(w, view, "U0ANA", slow)
    assert "Only the facilitator (<@U0FACIL>) groups notes" in texts_of(refused["blocks"])
    assert [n.merged_into_id for n in w.notes()] == [None, slow, None, None]

    anyone = Workshop(bot, slack, channel="C0ANYONE").start(open_grouping=True)
    slow, forever, _, _ = _notes(anyone)
    theirs = anyone.open_modal(ids.OPEN_GROUPING, "U0BEN")
    _group(anyone, theirs, "U0BEN", slow, [forever])
    assert "back into 2 notes" in texts_of(_split(anyone, theirs, "U0CAROL", slow)["blocks"])
    assert [n.merged_into_id for n in anyone.notes()] == [None, None, None, None]


def test_once_voting_starts_a_group_stays_with_its_votes(bot: Bot, slack: FakeSlack) -> None:
    w = Workshop(bot, slack).start()
    slow, forever, slow_pay, fees = _notes(w)
    view = w.open_modal(ids.OPEN_GROUPING, w.facilitator)
    _group(w, view, w.facilitator, slow, [forever, slow_pay])
    w.to_phase("vote")
    w.vote("U0BEN", {slow: 3, fees: 1})

    refused = _split(w, view, w.facilitator, slow)  # the grouping modal was left open
    assert "Voting has started, so the groups stay as they are" in texts_of(refused["blocks"])
    assert "submit" not in refused and _split_buttons(refused) == {}
    assert [n.merged_into_id for n in w.notes()] == [None, slow, slow, None]
    assert w.votes() == {("U0BEN", slow): 3, ("U0BEN", fees): 1}
    ballot = w.open_modal(ids.OPEN_BALLOT, "U0CAROL")
    assert {b["block_id"] for b in ballot["blocks"] if b.get("block_id", "").startswith(ids.VOTE_BLOCK_PREFIX)} == {
        f"{ids.VOTE_BLOCK_PREFIX}{slow}", f"{ids.VOTE_BLOCK_PREFIX}{fees}"}, "still one choice per group"
    assert "(+2 grouped)" in _board(w)

    with Session(bot.engine) as db:  # storage refuses too, whatever the phase: votes were cast for the group
        assert empathy_notes.split_group(db, team_id=w.team, session_id=w.session_id, head_id=slow) == 0
        db.commit()
    assert [n.merged_into_id for n in w.notes()] == [None, slow, slow, None]
    eventually(lambda: w.votes() == {("U0BEN", slow): 3, ("U0BEN", fees): 1})
