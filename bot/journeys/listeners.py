"""The journeys feature's listeners, in one table: which Slack id goes to which handler."""

from __future__ import annotations

from slack_bolt import App

from bot import conversation, outbox
from bot.deps import Deps
from bot.journeys import (
    card,
    create,
    evidence,
    export,
    filling,
    home,
    ids,
    image,
    layers,
    listing,
    note_linking,
    notes,
    people,
    scope,
    stages,
    subject,
    voting,
)

ACTIONS = {
    ids.NEW_FROM_HOME: create.handle_new,
    ids.FILTER: card.handle_filter,
    ids.DIFFER: card.handle_differ,
    ids.EDIT_STAGES: stages.handle_edit,
    ids.EDIT_DETAILS: scope.handle_edit,
    ids.ADD_EVIDENCE: evidence.handle_add,
    ids.VOTE: voting.handle_vote,
    ids.VOTE_RESULTS: voting.handle_results,
    ids.TO_PERSONA: people.handle_to_persona,
    ids.EMPATHY_AT_STAGE: people.handle_empathy,
    ids.FILL: layers.handle_fill,
    ids.LINK_PERSONA: layers.handle_link_persona,
    ids.LINK_NOTES: notes.handle_link_notes,
    **{action_id: export.handle_export for action_id in ids.EXPORTS},
}
VIEWS = {
    ids.CREATE_MODAL: create.handle_create_submission,
    ids.STAGES_MODAL: stages.handle_submission,
    ids.STAGES_CONFIRM_MODAL: stages.handle_confirm,
    ids.DETAILS_MODAL: scope.handle_submission,
    ids.EVIDENCE_MODAL: evidence.handle_submission,
    ids.VOTE_MODAL: voting.handle_vote_submission,
    ids.RESULTS_MODAL: voting.handle_results_submission,
    ids.TO_PERSONA_MODAL: people.handle_to_persona_submission,
    ids.EMPATHY_PICK_MODAL: people.handle_empathy_pick,
    ids.PICK_MODAL: layers.handle_pick,
    ids.FILL_MODAL: layers.handle_fill_submission,
    ids.LINK_PERSONA_MODAL: layers.handle_link_persona_submission,
    ids.LINK_NOTES_PICK_MODAL: notes.handle_pick_journey,
    ids.LINK_NOTES_MODAL: notes.handle_link_submission,
    ids.LINK_NOTES_STEP_MODAL: note_linking.handle_step,
}
SHORTCUTS = {ids.NEW_SHORTCUT: create.handle_new}
OUTBOX = {
    card.CARD_KIND: outbox.Kind(card.send_card, refused=card.card_refused),
    image.IMAGE_KIND: outbox.Kind(image.send_image),
}


def register(app: App, deps: Deps) -> None:
    for action_id, handler in ACTIONS.items():
        app.action(action_id)(handler)
    for callback_id, handler in VIEWS.items():
        app.view(callback_id)(handler)
    for callback_id, handler in SHORTCUTS.items():
        app.shortcut(callback_id)(handler)
    help_text = "journeys/help"
    deps.commands.add("/journey", "new", create.handle_new_command, summary=deps.prompts.part(help_text, "new"))
    deps.commands.add("/journey", "list", listing.handle_list_command, usage="[PAGE]",
                      summary=deps.prompts.part(help_text, "list"))
    deps.commands.add("/journey", "show", card.handle_show_command, usage="NAME",
                      summary=deps.prompts.part(help_text, "show"))
    deps.outbox_senders.update(OUTBOX)
    deps.subjects[subject.KIND] = subject.JourneySubject(deps)
    deps.home_sections.append(home.build_section)
    conversation.register(app, deps).flows[filling.NAME] = filling.build_flow(deps)
