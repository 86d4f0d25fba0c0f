"""Action, callback and block ids of the personas feature (the only place they are spelled)."""

NEW_SHORTCUT = "persona_new"
EVIDENCE_SHORTCUT = "persona_add_evidence"
NEW_FROM_HOME = "persona_new_from_home"
FROM_SESSION = "persona_from_session"

EDIT = "persona_edit"
ADD_EVIDENCE = "persona_evidence"
HISTORY = "persona_history"
RETIRE = "persona_retire"
SHARE = "persona_share"
SHOW = "persona_show"
SUGGEST = "persona_suggest_button"

FORM_MODAL = "persona_form"
SUGGEST_MODAL = "persona_suggest"
EVIDENCE_MODAL = "persona_evidence_form"
HISTORY_MODAL = "persona_history_view"
INFO_MODAL = "persona_info"

PERSONA_BLOCK = "persona"
EVIDENCE_TEXT_BLOCK = "evidence_text"
EVIDENCE_LINK_BLOCK = "evidence_link"
EVIDENCE_STANCE_BLOCK = "evidence_stance"
EVIDENCE_ASSUMPTION_BLOCK = "evidence_assumption"
WHOLE_PERSONA = "whole"  # the assumption option for evidence about the persona as a whole
SUGGESTION_BLOCK = "suggestion"
