"""Action ids of the governance feature (the only place they are spelled).

Every review's action block has the block id `review:<id>`, so selects (which carry no value
of ours) still say which review they act on.
"""

STILL_ACCURATE = "governance_still_accurate"
UPDATE_NOW = "governance_update_now"
SNOOZE = "governance_snooze"
REASSIGN = "governance_reassign"
RETIRE = "governance_retire"
ALL_ACTIONS = (STILL_ACCURATE, UPDATE_NOW, SNOOZE, REASSIGN, RETIRE)
LINK_CHECKED = "governance_link_checked"  # a persona-journey link's review: "Still true"
LINK_OPEN = "governance_link_open"  # ... "Open the layer"
LINK_REASSIGN = "governance_link_reassign"  # ... "Hand the link to…" (its keeper left, or should not keep it)
LINK_ACTIONS = (LINK_CHECKED, LINK_OPEN, SNOOZE, LINK_REASSIGN)

LEARNED_MODAL = "governance_learned"  # "Still our best guess": what did we learn?
LEARNED_BLOCK = "learned"

REVIEW_BLOCK_PREFIX = "review:"
SNOOZE_OPTIONS = {"1d": 1, "1w": 7}

NUDGE_EVENT = "workshop_review_nudge"
