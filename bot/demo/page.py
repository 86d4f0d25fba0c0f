"""The demo's page: the transcript as HTML, through prompts/demo/page.html.j2.

Blocks become HTML here (slack_html.py); the page's own words and layout are the template's,
so a team's PROMPTS_DIR can reword it. Images the bot uploaded (the empathy map) are embedded,
so the page is one file that opens anywhere without a server.
"""

from __future__ import annotations

import base64
from pathlib import Path
from typing import Any

from markupsafe import Markup

from bot.demo import slack_html
from bot.demo.transcript import Item, Scene
from prompts import html_environment

PNG = b"\x89PNG"
TEXT_PREVIEW = 1500


def _file(name: str, content: bytes) -> dict[str, Any]:
    if content.startswith(PNG):
        return {"name": name, "image": "data:image/png;base64," + base64.b64encode(content).decode()}
    return {"name": name, "preview": content[:TEXT_PREVIEW].decode("utf-8", "replace")}


def _item(item: Item, names: slack_html.Names) -> dict[str, Any]:
    view = item.view or {}
    return {
        "kind": item.kind, "place": item.place, "who": item.who,
        "text": Markup(slack_html.mrkdwn(item.text, names)) if item.kind == "person" or not item.blocks
        else Markup(""),
        "blocks": Markup(slack_html.blocks(item.blocks, names)),
        "title": Markup(slack_html.text_object(view.get("title"), names)),
        "submit": Markup(slack_html.text_object(view.get("submit"), names)),
        "files": [_file(name, content) for name, content in item.files],
    }


def write_page(path: Path, scenes: list[Scene], *, names: dict[str, str], prompts_dir: Path | None) -> Path:
    """Write the page to `path` (its folder is created) and return it."""
    def name_of(user_id: str) -> str:
        return names.get(user_id, user_id)

    template = html_environment(prompts_dir).get_template("demo/page.html.j2")
    page = template.render(scenes=[{
        "title": Markup(slack_html.mrkdwn(scene.title, name_of)),
        "text": Markup(slack_html.mrkdwn(scene.text, name_of)),
        "items": [_item(item, name_of) for item in scene.items]} for scene in scenes])
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(page, encoding="utf-8")
    return path
