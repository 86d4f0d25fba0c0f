"""Proto-personas: conversational capture, cards, revisions, evidence and quality checks."""
