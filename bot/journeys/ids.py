"""Action and callback ids of the journeys feature (the only place they are spelled).

Other features put buttons with these ids on their own messages and views (Home: NEW_FROM_HOME;
persona card: LINK_PERSONA with the persona id as value; empathy wrap-up: LINK_NOTES with the
session id as value); the handlers are registered here.
"""

NEW_SHORTCUT = "journey_new"  # global shortcut callback id (manifest.yml)
NEW_FROM_HOME = "journey_new_from_home"
LINK_PERSONA = "journey_link_persona"
LINK_NOTES = "journey_link_notes"

FILTER = "journey_filter"
DIFFER = "journey_differ"
EDIT_STAGES = "journey_edit_stages"
EDIT_DETAILS = "journey_edit_details"
FILL = "journey_fill"
EXPORT_MD = "journey_export_md"
EXPORT_CSV = "journey_export_csv"
EXPORT_JSON = "journey_export_json"
EXPORTS = {EXPORT_MD: "md", EXPORT_CSV: "csv", EXPORT_JSON: "json"}

CREATE_MODAL = "journey_create"
STAGES_MODAL = "journey_stages"
DETAILS_MODAL = "journey_details"
STAGES_CONFIRM_MODAL = "journey_stages_confirm"
PICK_MODAL = "journey_fill_pick"
FILL_MODAL = "journey_fill_stage"
LINK_PERSONA_MODAL = "journey_link_persona_pick"
LINK_NOTES_PICK_MODAL = "journey_link_notes_pick"
LINK_NOTES_MODAL = "journey_link_notes_stages"
LINK_NOTES_STEP_MODAL = "journey_link_notes_step"
INFO_MODAL = "journey_info"

NAME_BLOCK = "name"
GOAL_BLOCK = "goal"
OWNER_BLOCK = "owner"
CADENCE_BLOCK = "cadence"
TEMPLATE_BLOCK = "template"
TYPED_BLOCK = "typed_stages"
STATE_BLOCK = "state"
SCOPE_START_BLOCK = "scope_start"
SCOPE_END_BLOCK = "scope_end"
SCOPE_WHY_BLOCK = "scope_why"
BACKSTAGE_BLOCK = "backstage"
ADD_STAGES_BLOCK = "add_stages"
STAGE_NAME_PREFIX = "stage_name:"
STAGE_POS_PREFIX = "stage_pos:"
LAYER_BLOCK = "layer"
SEGMENT_BLOCK = "segment"
STAGE_BLOCK = "stage"
HOW_BLOCK = "how"
JOURNEY_BLOCK = "journey"
LINK_OWNER_BLOCK = "link_owner"
FIELD_PREFIX = "field:"
NOT_PART_BLOCK = "not_part"
NOT_PART = "not_part"
EMOTION_WORD_BLOCK = "emotion_word"
NOTE_PREFIX = "note:"
