"""Export: `/persona export NAME` sends Markdown and JSON; the CLI prints either."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from bot.personas import lifecycle
from tests.harness import Bot, eventually
from tests.persona_helpers import make_persona
from tests.slack_fake import FakeSlack, payloads

ROOT = Path(__file__).resolve().parents[1]


def test_slash_export_uploads_markdown_and_json_to_the_dm(bot: Bot, slack: FakeSlack) -> None:
    maya = make_persona(bot, name="Maya & Co <x>")
    lifecycle.add_evidence(bot.deps, team_id="T0001", persona_id=maya.id, user_id="U0OWNER", text="Fees hurt",
                           permalink="https://example.slack.com/archives/C1/p1", author_id="U0C", source_key="C1:1")
    lifecycle.add_evidence(bot.deps, team_id="T0001", persona_id=maya.id, user_id="U0OWNER",
                           text="<img src=x onerror=alert(1)>", permalink="javascript:alert(1)", author_id="",
                           source_key="typed:1")
    ack = bot.http.command(payloads.slash_command("/persona", "export Maya &amp; Co &lt;x&gt;", user="U0ME")).json()
    assert "Markdown and JSON" in ack["text"]
    eventually(lambda: len(slack.uploads) == 2)
    files = {f["name"]: slack.uploads[f["id"]].decode() for f in slack.workspace.files.values()}
    markdown = next(text for name, text in files.items() if name.endswith(".md"))
    data = json.loads(next(text for name, text in files.items() if name.endswith(".json")))
    assert markdown.startswith("# Maya &amp; Co &lt;x&gt;"), "a Markdown viewer shows it as typed, never as HTML"
    assert "<x>" not in markdown and "<img" not in markdown and "Proto-persona: hypothesis" in markdown
    assert "&lt;img src=x onerror=alert(1)&gt;" in markdown and "(javascript:" not in markdown
    assert "- Finish checkout fast" in markdown and "Fees hurt ([source](https://example.slack.com" in markdown
    assert "**Owner:** u0owner" in markdown and "by u0c" in markdown, "people by name, not id"
    assert "U0OWNER" not in markdown and "+00:00" not in markdown and "23 Nov 2026, " in markdown
    assert data["name"] == "Maya & Co <x>" and data["goals"] == ["Finish checkout fast"]
    assert [r["version"] for r in data["revisions"]] == [3, 2, 1] and data["evidence"][0]["author_id"] == "U0C"
    assert data["evidence"][1]["text"] == "<img src=x onerror=alert(1)>", "JSON keeps what was typed"
    eventually(lambda: all(f.get("channel") == "DU0ME" for f in slack.workspace.files.values()))
    missing = bot.http.command(payloads.slash_command("/persona", "export Nobody")).json()
    assert "no active persona called *Nobody*" in missing["text"]


def test_cli_exports_a_persona_by_name_or_id(bot: Bot, tmp_path: Path) -> None:
    maya = make_persona(bot, name="Maya")
    url = str(bot.engine.url)

    def cli(*args: str) -> subprocess.CompletedProcess[str]:
        env = {"PATH": "/usr/bin:/bin", "PYTHONPATH": str(ROOT), "DATABASE_URL": url}
        return subprocess.run([sys.executable, "-m", "bot.cli", "export", "persona", *args], cwd=tmp_path, env=env,
                              capture_output=True, text=True, timeout=60)

    markdown = cli("maya")
    assert markdown.returncode == 0 and markdown.stdout.startswith("# Maya")
    as_json = cli(str(maya.id), "--format", "json")
    assert as_json.returncode == 0 and json.loads(as_json.stdout)["role"] == "First-time buyer on mobile"
    missing = cli("Nobody")
    assert missing.returncode == 1 and "no persona called" in missing.stderr
