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


def test_a_teams_copy_from_an_older_version_never_breaks_a_click(tmp_path, caplog):
    """A `PROMPTS_DIR` copy made before an upgrade: its rewording is used where it fits; a macro
    it lacks, a macro called with arguments it no longer names, or a variable it expects that is
    gone fall back to ours, with one warning each, instead of an error for the person clicking."""
    (tmp_path / "empathy").mkdir()
    (tmp_path / "empathy" / "ballot.j2").write_text(
        "{% macro title() %}Dots{% endmacro %}\n"
        "{% macro elsewhere(count, pages) %}{{ count }} on {{ pages }} pages{% endmacro %}\n")
    (tmp_path / "help.j2").write_text("Ask {{ old_variable }}")
    prompts = Prompts(tmp_path)

    assert prompts.part("empathy/ballot", "title") == "Dots"
    assert prompts.part("empathy/ballot", "submit") == "Save votes"  # not in their copy: ours
    for _ in range(2):
        assert prompts.part("empathy/ballot", "elsewhere", count=2) == "You have 2 votes on other pages."
    assert "workshop-bot" in prompts.render("help", commands=[], unknown=None, command=None)
    warnings = [r.getMessage() for r in caplog.records if r.levelname == "WARNING"]
    assert len(warnings) == 2 and all("PROMPTS_DIR" in w for w in warnings)


def test_our_own_templates_still_fail_loudly():
    with pytest.raises(AttributeError):
        Prompts().part("empathy/ballot", "no_such_macro")
    with pytest.raises(TypeError):
        Prompts().part("empathy/ballot", "elsewhere", count=2, pages=3)
