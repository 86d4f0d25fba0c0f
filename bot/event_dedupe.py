"""Process each Events API event once: Slack redelivers on timeouts and Bolt does not dedupe."""

from __future__ import annotations

from collections.abc import Callable

from slack_bolt import BoltRequest, BoltResponse

from storage import events


def drop_redelivered_events(deps: object) -> Callable[..., BoltResponse | None]:
    def middleware(req: BoltRequest, resp: BoltResponse, next: Callable[[], None]) -> BoltResponse | None:
        body = req.body or {}
        event_id = body.get("event_id") if body.get("type") == "event_callback" else None
        if event_id and not events.claim_event(
            deps.engine, event_id=event_id, team_id=body.get("team_id") or "", now=deps.clock.now()  # type: ignore[attr-defined]
        ):
            return BoltResponse(status=200, body="")
        return next()

    return middleware
