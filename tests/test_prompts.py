"""Prompts: every value is escaped for Slack, teams can override templates one by one."""

from __future__ import annotations

import pytest
from jinja2 import UndefinedError

from prompts import Prompts, escape_slack, link, mention


def test_user_text_cannot_ping_anyone(tmp_path):
    (tmp_path / "t.j2").write_text("Note: {{ text }}")
    rendered = Prompts(tmp_path).render("t", text="<!channel> hi <@U123> & <https://x|y>")
    assert "<!channel>" not in rendered and "<@U123>" not in rendered
    assert rendered == "Note: &lt;!channel&gt; hi &lt;@U123&gt; &amp; &lt;https://x|y&gt;"


def test_quotes_are_not_html_escaped():
    assert escape_slack('She said "don\'t"') == 'She said "don\'t"'


def test_mentions_only_for_real_user_ids():
    assert mention("U12345") == "<@U12345>"
    assert mention("<!channel>") == "&lt;!channel&gt;"


def test_link_labels_and_urls_cannot_break_out():
    assert link("https://a.example/x>y|z", "<b>") == "<https://a.example/x%3Ey%7Cz|&lt;b&gt;>"


def test_a_team_overrides_one_template_and_keeps_the_rest(tmp_path):
    (tmp_path / "help.j2").write_text("Our own help")
    prompts = Prompts(tmp_path)
    assert prompts.render("help", commands=[], unknown=None, command=None) == "Our own help"
    assert "no longer active" in prompts.render("errors/stale_action")


def test_a_missing_variable_is_an_error_not_a_blank():
    with pytest.raises(UndefinedError):
        Prompts().render("help")
