"""`workshop-bot demo`: the real bot on the shipped local Slack, one scripted workshop, one HTML page.

Run as a person runs it: its own process, no Slack tokens and no database in the environment, in
an empty folder; a team's PROMPTS_DIR changes what the simulated people type. Also the Block Kit
to HTML rendering on its own (escaping, mentions, links, dates, emoji).
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from bot.demo.slack_html import blocks, mrkdwn
from prompts import DEFAULT_DIR

ROOT = Path(__file__).resolve().parent.parent


def test_the_demo_writes_the_whole_workshop_as_a_page_without_slack(tmp_path: Path) -> None:
    custom = tmp_path / "our-prompts" / "demo"
    custom.mkdir(parents=True)
    script = (DEFAULT_DIR / "demo" / "script.j2").read_text()
    assert "Where is my order?" in script
    (custom / "script.j2").write_text(script.replace("Where is my order?", "Wo ist meine Bestellung?"))
    env = {k: v for k, v in os.environ.items()
           if not k.startswith("SLACK_") and k not in ("DATABASE_URL", "PROMPTS_DIR", "TOKEN_ENCRYPTION_KEY")}
    env.update(PYTHONPATH=str(ROOT), PROMPTS_DIR=str(custom.parent), SLACK_API_URL="http://127.0.0.1:9/api/")
    work = tmp_path / "work"
    work.mkdir()
    result = subprocess.run([sys.executable, "-m", "bot.cli", "demo"], cwd=work, env=env, capture_output=True,
                            text=True, timeout=180)
    assert result.returncode == 0, result.stderr
    page_path = work / "demo" / "index.html"
    assert page_path.resolve().as_uri() in result.stdout
    assert list(work.iterdir()) == [work / "demo"], "nothing else left behind (the database was temporary)"
    page = page_path.read_text()
    for seen in ("Empathy map: First-time buyer on mobile", "Wo ist meine Bestellung?",  # board, the team's words
                 "What we found", "Create proto-persona from this", "data:image/png;base64,",  # wrap-up and image
                 "Your votes", "Question 1 of 15", "is saved as a proto-persona",  # ballot, DM conversation
                 "Proto-persona: hypothesis", "they'll see it tomorrow at 10:00 their time",
                 "Time to review", "90-day review is due",
                 "My reviews due", "@Sam", "#cx-research"):
        assert seen in page, seen
    assert "Where is my order?" not in page
    assert "<@U" not in page and "<!date" not in page and ":stopwatch:" not in page


def test_block_kit_becomes_readable_html_with_peoples_text_escaped() -> None:
    names = {"U0ANA": "Ana", "C0X": "research"}.get
    text = mrkdwn("*Says (1)* • &lt;script&gt;alert(1)&lt;/script&gt; by <@U0ANA> in <#C0X> "
                  "due <!date^1700000000^{date_short}|Nov 14> <https://example.com/a?b=1&amp;c=2|the doc> :mag:",
                  lambda u: names(u) or u)
    assert "<b>Says (1)</b>" in text and "&lt;script&gt;alert(1)&lt;/script&gt;" in text and "<script>" not in text
    assert '@Ana</span>' in text and "#research</span>" in text and "due Nov 14" in text and "🔍" in text
    assert '<a href="https://example.com/a?b=1&amp;c=2">the doc</a>' in text
    page = blocks([{"type": "header", "text": {"type": "plain_text", "text": "A <b> header"}},
                   {"type": "actions", "elements": [{"type": "button", "style": "primary", "action_id": "a",
                                                     "text": {"type": "plain_text", "text": "Join"}}]},
                   {"type": "image", "image_url": "https://example.com/x.png", "alt_text": "map"},
                   {"type": "rich_text", "elements": []}], lambda u: u)
    assert "<h3>A &lt;b&gt; header</h3>" in page and '<span class="button primary">Join</span>' in page
    assert '<img src="https://example.com/x.png" alt="map">' in page and "[rich_text]" in page
