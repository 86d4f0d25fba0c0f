"""`workshop-bot demo`: the real bot against the local Slack, a scripted workshop, one HTML page.

Most companies need an admin's approval to install a Slack app; this lets a person see what
the bot does first, with no tokens and no network: stage.py runs the app, script.py plays the
people, transcript.py keeps what Slack received, page.py renders it.
"""
