"""workshop-bot: Slack-facing code. Nothing here runs at import time."""
