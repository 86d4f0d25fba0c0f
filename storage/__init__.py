"""Persistence: SQLModel tables and plain repository functions. Knows nothing of Slack."""
