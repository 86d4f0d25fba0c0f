"""Facilitator controls, the private ballot and exports.

Facilitator buttons carry `session:phase`: only the facilitator may use them (others get a
polite no) and a button from an earlier phase is answered as stale instead of acting twice.
A ballot submission replaces the voter's whole choice, so retries never double-count.
"""

from __future__ import annotations

from typing import Any

from slack_bolt import Ack, App
from slack_sdk import WebClient

from bot.deps import Deps
from bot.empathy import ballot_view, ids, wrapup
from bot.empathy.interaction import NOTES, action_value, is_live, load, load_recent, tell, user_of
from bot.empathy.session_flow import VOTES_PER_NOTE, SessionFlow
from bot.render.empathy_export import FORMATS
from storage import empathy as store
from storage import empathy_notes as notes_store
from storage import empathy_votes as votes_store
from storage.models import EmpathySession

BALLOT = ballot_view.BALLOT


def register(app: App, deps: Deps, flow: SessionFlow) -> None:
    def t(template: str, macro: str, **kw: object) -> str:
        return deps.prompts.part(template, macro, **kw)

    def control(act: str) -> Any:
        def handle(ack: Ack, body: dict[str, Any], client: WebClient) -> None:
            ack()
            flow.later(run, body, client)

        def run(body: dict[str, Any], client: WebClient) -> None:
            """A phase change posts prompts, invitations or the wrap-up: off Bolt's few threads."""
            session, phase_index = load(deps, body, action_value(body))
            user = user_of(body)
            if not is_live(session):
                tell(client, body, t(NOTES, "session_over"))
            elif user != session.facilitator_id:
                tell(client, body, t(NOTES, "facilitator_only", facilitator=session.facilitator_id))
            elif phase_index != session.phase_index or not flow.control(session, act, by=user):
                tell(client, body, t(NOTES, "stale_phase"))
        return handle

    def ballot(session: EmpathySession, user: str, page: int) -> dict:
        notes = notes_store.list_voted_notes(deps.engine, team_id=session.team_id, session_id=session.id)
        notes.sort(key=lambda n: (flow.sections(session).index(n.quadrant)
                                  if n.quadrant in flow.sections(session) else 99, n.id))
        mine = votes_store.get_ballot(deps.engine, team_id=session.team_id, session_id=session.id, user_id=user)
        return ballot_view.build_ballot(deps.prompts, session=session, notes=notes, ballot=mine, page=page,
                                        per_note=VOTES_PER_NOTE)

    def voting(session: EmpathySession | None) -> bool:
        return is_live(session) and flow.phase(session).kind == "vote"

    def handle_open_ballot(ack: Ack, body: dict[str, Any], client: WebClient) -> None:
        ack()
        flow.later(open_ballot, body, client, urgent=True)

    def open_ballot(body: dict[str, Any], client: WebClient) -> None:
        session, _ = load(deps, body, action_value(body))
        if not voting(session):
            tell(client, body, t(BALLOT, "not_open"))
            return
        client.views_open(trigger_id=body["trigger_id"], view=ballot(session, user_of(body), 1))
        notes_store.join(deps.engine, team_id=session.team_id, session_id=session.id, user_id=user_of(body),
                         now=deps.clock.now())

    def handle_ballot_page(ack: Ack, body: dict[str, Any], client: WebClient) -> None:
        ack()
        session, page = load(deps, body, action_value(body))
        if voting(session):
            client.views_update(view_id=body["view"]["id"], view=ballot(session, user_of(body), page or 1))

    def handle_ballot_submission(ack: Ack, body: dict[str, Any], client: WebClient) -> None:
        """Checked without the database when the ballot says how many votes the voter had on other
        pages (everyone submits at once); the save checks again in its transaction."""
        view, user = body["view"], user_of(body)
        metadata = view.get("private_metadata") or ""
        session = load_recent(flow.recent, body, metadata)
        votes = ballot_view.read_ballot(view["state"]["values"], VOTES_PER_NOTE)
        first = next(iter(view["state"]["values"]), ids.VOTE_BLOCK_PREFIX)
        if not voting(session):
            ack(response_action="errors", errors={first: t(BALLOT, "error_closed")})
            return
        rules = dict(team_id=session.team_id, session_id=session.id, user_id=user, votes=votes,
                     budget=session.votes_per_person, per_note=VOTES_PER_NOTE)
        kept = ballot_view.votes_elsewhere(metadata)
        try:
            if kept is None or not votes_store.counts_fit(votes, kept=kept, budget=session.votes_per_person,
                                                          per_note=VOTES_PER_NOTE):
                votes_store.check_ballot(deps.engine, **rules)  # the page's count may be stale: ask the database
        except votes_store.BallotError as exc:
            ack(response_action="errors", errors={first: ballot_error(session, user, votes, exc)})
            return
        ack()
        flow.later(save_ballot, session, rules, body, client)

    def ballot_error(session: EmpathySession, user: str, votes: dict[int, int], exc: Exception) -> str:
        if str(exc) != "budget":
            return t(BALLOT, "error_gone")
        current = votes_store.get_ballot(deps.engine, team_id=session.team_id, session_id=session.id, user_id=user)
        kept = sum(count for note_id, count in current.items() if note_id not in votes)
        return t(BALLOT, "error_budget", votes=session.votes_per_person, spent=kept + sum(votes.values()))

    def save_ballot(session: EmpathySession, rules: dict, body: dict[str, Any], client: WebClient) -> None:
        """Re-checked in the write (two tabs of one person may race), and against the session as it
        is now (the ack trusted a recent read): a loser is told, not counted."""
        if not voting(store.get_session(deps.engine, team_id=session.team_id, session_id=session.id)):
            tell(client, body, t(BALLOT, "error_closed"), channel=session.channel_id)
            return
        try:
            spent = votes_store.set_ballot(deps.engine, **rules)
        except votes_store.BallotError as exc:
            tell(client, body, ballot_error(session, rules["user_id"], rules["votes"], exc),
                 channel=session.channel_id)
            return
        tell(client, body, t(BALLOT, "saved", spent=spent, votes=session.votes_per_person),
             channel=session.channel_id)
        flow.changed(session)

    def handle_export(ack: Ack, body: dict[str, Any], client: WebClient) -> None:
        ack()
        session, _ = load(deps, body, action_value(body).split(":")[0])
        fmt = action_value(body).rpartition(":")[2]
        if session is None or session.status == "starting" or fmt not in FORMATS:
            tell(client, body, t(wrapup.SUMMARY, "export_not_found"))
            return
        wrapup.send_export(deps, client, session, user_id=user_of(body), fmt=fmt)
        tell(client, body, t(wrapup.SUMMARY, "exported", format=t(wrapup.SUMMARY, "format_name", fmt=fmt)))

    def handle_export_command(call: Any) -> None:
        call.ack()
        raw = call.args[0] if call.args else ""
        fmt = call.args[1] if len(call.args) > 1 else "md"
        session = (store.get_session(deps.engine, team_id=call.team_id, session_id=int(raw))
                   if raw.isdigit() else None)
        if session is None or session.status == "starting" or fmt not in FORMATS:
            tell(call.client, call.body, t(wrapup.SUMMARY, "export_not_found"), channel=call.channel_id)
            return
        wrapup.send_export(deps, call.client, session, user_id=call.user_id, fmt=fmt)
        tell(call.client, call.body, t(wrapup.SUMMARY, "exported", format=t(wrapup.SUMMARY, "format_name", fmt=fmt)),
             channel=call.channel_id)

    for act, action_id in (("next", ids.NEXT_PHASE), ("extend", ids.EXTEND), ("pause", ids.PAUSE),
                           ("end", ids.END)):
        app.action(action_id)(control(act))
    app.action(ids.OPEN_BALLOT)(handle_open_ballot)
    app.action(ids.BALLOT_PAGE)(handle_ballot_page)
    app.action(f"{ids.BALLOT_PAGE}_next")(handle_ballot_page)
    app.view(ids.BALLOT_MODAL)(handle_ballot_submission)
    app.action(ids.EXPORT)(handle_export)
    app.action(ids.EXPORT_JSON)(handle_export)
    deps.commands.add("/empathy", "export", handle_export_command, usage="SESSION [md|json]",
                      summary=deps.prompts.part("empathy/help", "export"))
