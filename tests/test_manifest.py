"""manifest.yml: valid for Slack, and in step with what the app really handles."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
import yaml

from bot.scopes import BOT_SCOPES

ROOT = Path(__file__).resolve().parents[1]
SCHEMA = ROOT.parent / "shared" / "slack" / "manifest.schema.1.0.0.json"
MANIFEST = yaml.safe_load((ROOT / "manifest.yml").read_text())


def _declared() -> dict[str, set[str]]:
    features = MANIFEST.get("features", {})
    return {
        "commands": {c["command"] for c in features.get("slash_commands", [])},
        "shortcuts": {s["callback_id"] for s in features.get("shortcuts", [])},
        "events": set(MANIFEST["settings"]["event_subscriptions"]["bot_events"]),
    }


def _handled(app) -> dict[str, set[str]]:
    """What the Bolt app's listeners match, read from Bolt's built-in matchers."""
    found: dict[str, set[str]] = {"commands": set(), "shortcuts": set(), "events": set()}
    for listener in app._listeners:
        for matcher in listener.matchers:
            func = getattr(matcher, "func", None)
            if func is None or not func.__closure__:
                continue
            contents = (c.cell_contents for c in func.__closure__)
            cells = dict(zip(func.__code__.co_freevars, contents, strict=True))
            if "command" in cells and isinstance(cells["command"], str):
                found["commands"].add(cells["command"])
            elif "event_type" in cells and isinstance(cells["event_type"], str):
                found["events"].add(cells["event_type"])
            elif isinstance(cells.get("constraints"), dict) and "type" in cells["constraints"]:
                event_type = cells["constraints"]["type"]
                found["events"].add(event_type)
            elif "shortcut" in func.__qualname__ and ("constraints" in cells or "callback_id" in cells):
                value = cells.get("callback_id", cells.get("constraints"))  # Bolt names the cell callback_id
                if isinstance(value, dict):
                    value = value.get("callback_id")
                if isinstance(value, str):
                    found["shortcuts"].add(value)
    return found



def test_manifest_is_valid_against_slacks_schema():
    if not SCHEMA.is_file():
        pytest.skip(f"Slack's manifest schema is not beside this checkout ({SCHEMA})")
    import jsonschema

    validator = jsonschema.Draft7Validator(json.loads(SCHEMA.read_text()))
    errors = [f"{'/'.join(map(str, e.path))}: {e.message}" for e in validator.iter_errors(MANIFEST)]
    assert errors == []


def test_manifest_respects_slacks_documented_limits():
    assert 1 <= len(MANIFEST["display_information"]["name"]) <= 35
    for command in MANIFEST["features"].get("slash_commands", []):
        assert re.fullmatch(r"/[a-z0-9_-]{1,31}", command["command"])
    shortcuts = MANIFEST["features"].get("shortcuts", [])
    assert len(shortcuts) <= 10 and all(len(s["name"]) <= 24 for s in shortcuts)
    assert MANIFEST["settings"]["interactivity"]["is_enabled"] is True
    assert MANIFEST["settings"]["socket_mode_enabled"] is True


def test_scopes_in_code_match_the_manifest():
    assert sorted(MANIFEST["oauth_config"]["scopes"]["bot"]) == sorted(BOT_SCOPES)


def test_everything_declared_is_handled_and_everything_handled_is_declared(bot):
    declared, handled = _declared(), _handled(bot.app)
    assert declared["commands"] == handled["commands"]
    assert declared["shortcuts"] == handled["shortcuts"]
    manifest_events = {e.split(".")[0] for e in declared["events"]}
    assert manifest_events == handled["events"]
