"""Play the demo and write its page: what `workshop-bot demo` calls.

Nothing leaves the machine: the local Slack listens on 127.0.0.1, the database is a SQLite
file in a temporary folder (deleted afterwards), and the settings are the demo's own, whatever
the environment says, except `PROMPTS_DIR` and `DEFAULT_TIMEZONE`, so a team can preview its
own wording.
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from bot.demo import script
from bot.demo.page import write_page
from bot.demo.stage import Stage
from bot.demo.transcript import Recorder
from prompts import Prompts

START = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)  # a Monday morning in Europe


def run_demo(out: Path, *, prompts_dir: Path | None = None, default_timezone: str = "UTC") -> Path:
    """Play the scripted workshop against the local Slack and write the page to `out`."""
    stage = Stage(start=START, prompts_dir=prompts_dir, default_timezone=default_timezone)
    try:
        prompts = Prompts(prompts_dir)
        names = {user: name for user, (name, _tz) in script.PEOPLE.items()} | {
            "UBOT": "workshop-bot", script.CHANNEL: prompts.part(script.SCRIPT, "channel_name")}
        recorder = Recorder(stage.slack, names)
        script.play(stage, prompts, recorder)
        recorder.collect()
        stage.slack.assert_no_block_kit_errors()
    finally:
        stage.close()
    return write_page(out, recorder.scenes, names=names, prompts_dir=prompts_dir)
