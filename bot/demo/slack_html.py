"""Block Kit and Slack's mrkdwn as plain HTML: a readable page, not a pixel copy of Slack.

Only the shapes the bot sends are drawn (headers, sections with fields and accessories,
context, actions, images, dividers, inputs in modals); anything else shows its type, so a new
block never breaks the page. Every piece of text is HTML-escaped after Slack's own entities
(`&amp;`, `&lt;`, `&gt;`) are decoded, so what people typed shows as they typed it.
"""

from __future__ import annotations

import html
import json
import re
from collections.abc import Callable
from typing import Any

_TOKEN = re.compile(r"<([^<>]+)>")
_STYLES = [(re.compile(r"```(.+?)```", re.S), r"<pre>\1</pre>"), (re.compile(r"`([^`\n]+)`"), r"<code>\1</code>"),
           (re.compile(r"(?<![\w*])\*([^*\n]+)\*(?![\w*])"), r"<b>\1</b>"),
           (re.compile(r"(?<![\w_])_([^_\n]+)_(?![\w_])"), r"<i>\1</i>"),
           (re.compile(r"(?<![\w~])~([^~\n]+)~(?![\w~])"), r"<s>\1</s>")]
Names = Callable[[str], str]
_EMOJI_CODE = re.compile(r":([a-z0-9_+-]+):")
# The emoji our prompts use, as characters (an unknown one stays as its :code:, as Slack shows it)
EMOJI = {"warning": "⚠️", "white_check_mark": "✅", "busts_in_silhouette": "👥", "bust_in_silhouette": "👤",
         "wave": "👋", "ballot_box_with_ballot": "🗳️", "zzz": "💤", "world_map": "🗺️", "sparkles": "✨",
         "outbox_tray": "📤", "hourglass": "⌛", "file_cabinet": "🗄️", "checkered_flag": "🏁", "white_square": "⬜",
         "stopwatch": "⏱️", "speech_balloon": "💬", "rotating_light": "🚨", "pencil2": "✏️", "memo": "📝",
         "double_vertical_bar": "⏸️", "confused": "😕", "white_circle": "⚪", "twisted_rightwards_arrows": "🔀",
         "thought_balloon": "💭", "test_tube": "🧪", "stop_sign": "🛑", "star-struck": "🤩",
         "slightly_smiling_face": "🙂", "see_no_evil": "🙈", "scissors": "✂️", "runner": "🏃", "paperclip": "📎",
         "page": "📄", "no_entry_sign": "🚫", "neutral_face": "😐", "mega": "📣", "mag": "🔍", "link": "🔗",
         "large_green_circle": "🟢", "information_source": "ℹ️", "hourglass_flowing_sand": "⏳",
         "heavy_plus_sign": "➕", "heart": "❤️", "eyes": "👀", "envelope": "✉️", "ear": "👂", "disappointed": "😞",
         "arrows_counterclockwise": "🔄", "arrow_forward": "▶️", "calendar": "📅", "bulb": "💡", "tada": "🎉"}


def _plain(text: str) -> str:
    """Slack text (entities decoded, emoji codes as characters) as HTML text."""
    text = _EMOJI_CODE.sub(lambda m: EMOJI.get(m[1], m[0]), text)
    return html.escape(text.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&"), quote=False)


def _token(inner: str, names: Names) -> str:
    target, _, label = inner.partition("|")
    if target.startswith("@"):
        return f'<span class="mention">@{html.escape(names(target[1:]))}</span>'
    if target.startswith("#"):
        return f'<span class="mention">#{html.escape(label or names(target[1:]))}</span>'
    if target.startswith("!date"):
        return _plain(label)
    if target.startswith("!"):
        return f'<span class="mention">@{html.escape(label or target[1:].split("^")[0])}</span>'
    url = target.replace("&amp;", "&")
    shown = _plain(label) if label else html.escape(url)
    if url.startswith(("http://", "https://", "mailto:")):
        return f'<a href="{html.escape(url)}">{shown}</a>'
    return f"<u>{shown}</u>"


def mrkdwn(text: str, names: Names) -> str:
    """Slack mrkdwn (mentions, links, *bold*, _italic_, ~strike~, `code`, line breaks) as HTML."""
    out, last = [], 0
    for match in _TOKEN.finditer(text):
        out.append(_styled(_plain(text[last:match.start()])))
        out.append(_token(match[1], names))
        last = match.end()
    out.append(_styled(_plain(text[last:])))
    return "".join(out).replace("\n", "<br>")


def _styled(escaped: str) -> str:
    for pattern, replacement in _STYLES:
        escaped = pattern.sub(replacement, escaped)
    return escaped


def text_object(obj: dict[str, Any] | None, names: Names) -> str:
    if not obj:
        return ""
    if obj.get("type") == "mrkdwn":
        return mrkdwn(str(obj.get("text", "")), names)
    return _plain(str(obj.get("text", ""))).replace("\n", "<br>")


def _element(element: dict[str, Any], names: Names) -> str:
    kind = element.get("type", "")
    if kind == "button":
        style = f" {element['style']}" if element.get("style") in ("primary", "danger") else ""
        return f'<span class="button{style}">{text_object(element.get("text"), names)}</span>'
    if kind == "image":
        return f'<img class="thumb" src="{html.escape(str(element.get("image_url", "")))}" alt="">'
    if kind in ("mrkdwn", "plain_text"):
        return f"<span>{text_object(element, names)}</span>"
    if kind == "overflow":
        return '<span class="button">⋯</span>'
    if kind == "checkboxes":
        chosen = {o.get("value") for o in element.get("initial_options", [])}
        return "<br>".join(f'{"☑" if o.get("value") in chosen else "☐"} {text_object(o.get("text"), names)}'
                           for o in element.get("options", []))
    label = element.get("initial_option", {}).get("text") or element.get("placeholder")
    shown = text_object(label, names) if label else ""
    initial = element.get("initial_value") or element.get("initial_channel") or element.get("initial_conversation") \
        or element.get("initial_user")
    if kind in ("plain_text_input", "number_input"):
        area = "textarea" if element.get("multiline") else "input"
        return f'<span class="{area}">{_plain(str(initial)) if initial else shown}</span>'
    if initial and kind.endswith("_select"):
        shown = html.escape(("#" if kind.startswith(("channels", "conversations")) else "@") + names(str(initial)))
    return f'<span class="select">{shown} ▾</span>'


def _section(block: dict[str, Any], names: Names) -> str:
    parts = [f'<div class="text">{text_object(block.get("text"), names)}</div>'] if block.get("text") else []
    if block.get("fields"):
        fields = "".join(f"<div>{text_object(f, names)}</div>" for f in block["fields"])
        parts.append(f'<div class="fields">{fields}</div>')
    accessory = f'<div class="accessory">{_element(block["accessory"], names)}</div>' \
        if block.get("accessory") else ""
    return f'<div class="section"><div>{"".join(parts)}</div>{accessory}</div>'


def block(item: dict[str, Any], names: Names) -> str:
    kind = item.get("type")
    if kind == "header":
        return f"<h3>{text_object(item.get('text'), names)}</h3>"
    if kind == "section":
        return _section(item, names)
    if kind == "context":
        return f'<div class="context">{" ".join(_element(e, names) for e in item.get("elements", []))}</div>'
    if kind == "actions":
        return f'<div class="actions">{"".join(_element(e, names) for e in item.get("elements", []))}</div>'
    if kind == "divider":
        return "<hr>"
    if kind == "image":
        title = f"<figcaption>{text_object(item.get('title'), names)}</figcaption>" if item.get("title") else ""
        alt = html.escape(str(item.get("alt_text", "")))
        return f'<figure><img src="{html.escape(str(item.get("image_url", "")))}" alt="{alt}">{title}</figure>'
    if kind == "input":
        hint = f'<div class="context">{text_object(item.get("hint"), names)}</div>' if item.get("hint") else ""
        return (f'<div class="input"><label>{text_object(item.get("label"), names)}</label>'
                f'{_element(item.get("element", {}), names)}{hint}</div>')
    return f'<div class="context">[{html.escape(str(kind))}]</div>'


def blocks(items: Any, names: Names) -> str:
    """A message's or view's blocks (a list, or the JSON string slack_sdk sends) as HTML."""
    if isinstance(items, str):
        items = json.loads(items)
    return "\n".join(block(item, names) for item in items or [])
