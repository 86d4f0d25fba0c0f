"""The `workshop-bot` command as an admin runs it: a real process on this checkout, its own folder.

Shared by the CLI tests and the crash tests: start it, wait until it serves, stop it.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import urllib.request
from pathlib import Path

from tests.harness import APP_TOKEN, BOT_TOKEN, SIGNING_SECRET, eventually
from tests.slack_fake import FakeSlack

ROOT = Path(__file__).resolve().parents[1]
SLACK_VARS = ("SLACK_BOT_TOKEN", "SLACK_APP_TOKEN", "SLACK_SIGNING_SECRET", "SLACK_CLIENT_ID",
              "SLACK_CLIENT_SECRET", "SLACK_API_URL", "DATABASE_URL")


def env_for(tmp_path: Path, **values: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in SLACK_VARS}
    env["PYTHONPATH"] = str(ROOT)
    env["DATABASE_URL"] = f"sqlite:///{tmp_path}/workshop.db"
    env.update(values)
    return env


def cli(tmp_path: Path, *args: str, **env: str) -> subprocess.CompletedProcess[str]:
    """Run from an empty folder (no .env, no manifest.yml): what a user's shell gives it."""
    return subprocess.run([sys.executable, "-m", "bot.cli", *args], cwd=tmp_path, env=env_for(tmp_path, **env),
                          capture_output=True, text=True, timeout=60)


def slack_env(slack: FakeSlack) -> dict[str, str]:
    return {"SLACK_BOT_TOKEN": BOT_TOKEN, "SLACK_APP_TOKEN": APP_TOKEN,
            "SLACK_SIGNING_SECRET": SIGNING_SECRET, "SLACK_API_URL": slack.base_url}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start(running: list[subprocess.Popen[str]], tmp_path: Path, *args: str, logs: Path | None = None,
          **env: str) -> subprocess.Popen[str]:
    """Started in `tmp_path`; its output piped (read it with `stop`), or appended to `logs` for a
    process that writes much and is never stopped politely."""
    out = logs.open("a") if logs else subprocess.PIPE
    process = subprocess.Popen([sys.executable, "-m", "bot.cli", *args], cwd=tmp_path,
                               env=env_for(tmp_path, **env), stdout=out, stderr=out, text=True)
    running.append(process)
    return process


def healthy(port: int) -> None:
    """Wait until the process answers `/healthz` (it is serving Slack's requests)."""

    def answers() -> bool:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=1) as reply:
                return reply.status == 200
        except OSError:
            return False

    eventually(answers, timeout=30)


def stop(process: subprocess.Popen[str]) -> tuple[int, str]:
    process.send_signal(signal.SIGTERM)
    _, stderr = process.communicate(timeout=30)
    return process.returncode, stderr
