"""Action ids of the Home tab (the only place they are spelled).

The two start buttons belong to other features: empathy opens its start modal, personas its
new proto-persona modal; Home only shows them.
"""

START_SESSION = "empathy_start_from_home"
NEW_PERSONA = "persona_new_from_home"
REVIEWS_PREV = "home_reviews_prev"
REVIEWS_NEXT = "home_reviews_next"
