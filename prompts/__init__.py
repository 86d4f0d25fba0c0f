"""Every sentence users read, as Jinja2 templates beside this file.

A team rewords the facilitation by pointing `PROMPTS_DIR` at a folder with its own copies of
any of these templates; templates it does not override fall back to ours. Every `{{ value }}`
is escaped for Slack (`&`, `<`, `>`) unless it is `SlackMarkup`, so user text can never
mention `@channel` or a user through the bot.
"""

from __future__ import annotations

import logging
import re
import weakref
from pathlib import Path
from typing import Any

from jinja2 import ChoiceLoader, Environment, FileSystemLoader, StrictUndefined, UndefinedError

DEFAULT_DIR = Path(__file__).parent
log = logging.getLogger(__name__)
_USER_ID = re.compile(r"^[UWB][A-Z0-9]{2,}$")
_CHANNEL_ID = re.compile(r"^[CGD][A-Z0-9]{2,}$")


class SlackMarkup(str):
    """Text that is already Slack markup (a mention, a link) and must not be escaped again."""


def escape_slack(text: object) -> str:
    """Escape the three characters Slack decodes; quotes stay as they are."""
    return str(text).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def unescape_slack(text: str) -> str:
    """Slack sends `&`, `<`, `>` typed by a person as entities; store what they typed."""
    return text.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")


def _finalize(value: object) -> object:
    if value is None:
        return ""
    if isinstance(value, SlackMarkup):
        return value
    return escape_slack(value)


def escaped(text: object) -> SlackMarkup:
    """A macro's output inside another template: already escaped once, so not again."""
    return SlackMarkup(str(text))


def mention(user_id: str | None) -> SlackMarkup:
    """`<@U123>` for a real-looking user id; anything else is shown escaped, never as markup."""
    if user_id and _USER_ID.match(user_id):
        return SlackMarkup(f"<@{user_id}>")
    return SlackMarkup(escape_slack(user_id or "someone"))


def mentions(user_ids: list[str]) -> SlackMarkup:
    return SlackMarkup(", ".join(mention(u) for u in user_ids))


def channel_link(channel_id: str | None) -> SlackMarkup:
    if channel_id and _CHANNEL_ID.match(channel_id):
        return SlackMarkup(f"<#{channel_id}>")
    return SlackMarkup(escape_slack(channel_id or ""))


def link(url: str, label: str) -> SlackMarkup:
    """A Slack link; the label is escaped and `|` and `>` cannot break out of the url."""
    safe_url = url.replace("|", "%7C").replace(">", "%3E").replace("<", "%3C")
    return SlackMarkup(f"<{safe_url}|{escape_slack(label)}>")


def html_environment(custom_dir: Path | None = None) -> Environment:
    """Templates of HTML pages (the demo's): HTML-escaped, with the same `PROMPTS_DIR` override."""
    loaders = [FileSystemLoader(str(DEFAULT_DIR))]
    if custom_dir is not None:
        loaders.insert(0, FileSystemLoader(str(custom_dir)))
    return Environment(loader=ChoiceLoader(loaders), undefined=StrictUndefined, trim_blocks=True,
                       lstrip_blocks=True, autoescape=True)


class Prompts:
    """Renders templates by name, e.g. `prompts.render("help", command="/empathy")`.

    A team's copy (`PROMPTS_DIR`) wins; where it cannot serve (a macro added in a later version,
    a macro called with arguments it no longer names, a variable it expects that is gone) ours
    speaks instead, with one warning per template and macro, so an upgrade never turns a
    rewording into an error for the people clicking."""

    def __init__(self, custom_dir: Path | None = None) -> None:
        self.env = self._environment([custom_dir, DEFAULT_DIR] if custom_dir is not None else [DEFAULT_DIR])
        self._ours = self._environment([DEFAULT_DIR]) if custom_dir is not None else self.env
        self._modules: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()
        self._warned: set[tuple[str, str]] = set()

    @staticmethod
    def _environment(folders: list[Path]) -> Environment:
        env = Environment(
            loader=ChoiceLoader([FileSystemLoader(str(folder)) for folder in folders]),
            undefined=StrictUndefined,
            trim_blocks=True,
            lstrip_blocks=True,
            keep_trailing_newline=False,
            autoescape=False,
            finalize=_finalize,
            # Templates are read once: checking every file's mtime on each render was ~4% of a
            # click burst's CPU. Edited templates take effect on restart.
            auto_reload=False,
        )
        env.filters.update(mention=mention, mentions=mentions, channel=channel_link, link=link, escaped=escaped)
        return env

    def render(self, name: str, /, **context: object) -> str:
        """A whole template, e.g. a facilitation prompt or a nudge."""
        try:
            return self.env.get_template(f"{name}.j2").render(**context).strip()
        except (TypeError, UndefinedError) as exc:
            if self._ours is self.env:
                raise
            self._warn(name, "", exc)
            return self._ours.get_template(f"{name}.j2").render(**context).strip()

    def part(self, name: str, macro: str, /, **context: object) -> str:
        """One macro of a template: short texts (labels, buttons) of one view live in one file."""
        found = getattr(self._module(self.env, name), macro, None)
        if found is not None:
            try:
                return str(found(**context)).strip()
            except (TypeError, UndefinedError) as exc:
                if self._ours is self.env:
                    raise
                self._warn(name, macro, exc)
        elif self._ours is self.env:
            raise AttributeError(f"{name}.j2 has no macro {macro!r}")
        return str(getattr(self._module(self._ours, name), macro)(**context)).strip()

    def _module(self, env: Environment, name: str) -> Any:
        template = env.get_template(f"{name}.j2")
        module = self._modules.get(template)
        if module is None:
            module = self._modules[template] = template.make_module()
        return module

    def _warn(self, name: str, macro: str, error: Exception) -> None:
        if (name, macro) not in self._warned:
            self._warned.add((name, macro))
            log.warning("PROMPTS_DIR's %s.j2%s does not fit this version (%s): using the built-in text",
                        name, f" ({macro})" if macro else "", error)
