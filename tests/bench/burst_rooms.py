"""A session of the benchmark, in the workspace it belongs to.

`Workshop` (the empathy tests' driver) plays everything in one workspace; here sessions can be
spread over several (`--teams`), since all boards of a workspace share one chat.update budget.
"""

from __future__ import annotations

from typing import Any

from bot.empathy import ids
from tests.harness import eventually
from tests.slack_fake import payloads
from tests.test_empathy_support import Workshop, start_form


class Room(Workshop):
    """A Workshop whose requests name `team`."""

    def __init__(self, bot: Any, slack: Any, *, team: str, channel: str, facilitator: str) -> None:
        super().__init__(bot, slack, channel=channel, facilitator=facilitator)
        self.team = team

    def start(self, **form: Any) -> Room:
        opened = len(self.slack.calls_to("views.open"))
        self.bot.http.command(payloads.slash_command("/empathy", "start", channel=self.channel,
                                                     user=self.facilitator, team=self.team))
        self.slack.wait_for("views.open", opened + 1)
        before = {s.id for s in self.sessions()}
        answer = self.bot.http.interactive(payloads.view_submission(
            ids.START_MODAL, start_form(**form), private_metadata=self.channel, user=self.facilitator,
            team=self.team))
        assert answer.status == 200 and not answer.body_text
        row = eventually(lambda: [s for s in self.sessions() if s.id not in before and s.board_ts], timeout=30)[0]
        self.session_id, self.board_ts = row.id, row.board_ts
        return self

    def click(self, action_id: str, user: str, value: str | None = None) -> int:
        value = value if value is not None else str(self.session_id)
        status = self.bot.http.interactive(payloads.block_actions(
            action_id, value=value, user=user, channel=self.channel, message_ts=self.board_ts,
            team=self.team)).status
        assert status == 200
        return status
