"""Templates: each care category's example lints clean on any day, and new_script fills it in."""

from __future__ import annotations

from datetime import date

import pytest

from scripts_vr import TEMPLATE_CATEGORIES, ScriptExists, lint_file, load_script, new_script, volatile_facts, write_script
from scripts_vr.templates import EXAMPLES, TEMPLATE_DIR, add_months


def test_every_category_but_custom_has_a_template():
    assert set(TEMPLATE_CATEGORIES) == set(EXAMPLES) == {p.stem for p in TEMPLATE_DIR.glob("*.yaml")}
    assert "custom" not in TEMPLATE_CATEGORIES


@pytest.mark.parametrize("category", TEMPLATE_CATEGORIES)
@pytest.mark.parametrize("today", [date(2026, 1, 31), date(2031, 8, 15)], ids=["2026-01-31", "2031-08-15"])
def test_every_template_lints_clean(write, category, today):
    path = write(new_script(category, today=today), f"{category}.yaml")
    assert lint_file(path) == []


@pytest.mark.parametrize("category", TEMPLATE_CATEGORIES)
def test_every_template_shows_what_the_format_can_do(write, category):
    script = load_script(write(new_script(category, today=date(2026, 11, 24))))
    assert script.care_category == category
    assert 2 <= len(script.scenes) <= 3
    assert {h.kind for s in script.scenes for h in s.hotspots} == {"info", "person", "question"}
    assert all(s.captions and s.prompts for s in script.scenes)
    assert any(s.privacy.keep_unblurred or s.privacy.blur_regions for s in script.scenes)
    facts = list(volatile_facts(script))
    assert len(facts) >= 3
    assert all(fact.review_by > date(2026, 11, 24) for _, fact in facts)


def test_new_script_fills_in_names_safely_and_dates_from_today(write):
    odd = 'Zorg: "De Es" # 1'
    text = new_script("ggz", organisation=odd, team="Team 2B", today=date(2026, 11, 30))
    assert "${" not in text
    script = load_script(write(text))
    assert script.organisation.name == odd and script.team.name == "Team 2B"
    assert sorted({fact.review_by for _, fact in volatile_facts(script)}) == [
        date(2027, 2, 28), date(2027, 5, 30), date(2027, 11, 30)]


def test_new_script_without_names_uses_the_example():
    assert '"Kliniek De Brug"' in new_script("ggz")


@pytest.mark.parametrize(("day", "months", "expected"), [
    (date(2026, 1, 31), 1, date(2026, 2, 28)),
    (date(2026, 11, 24), 3, date(2027, 2, 24)),
    (date(2028, 8, 31), 6, date(2029, 2, 28)),
    (date(2026, 12, 1), 12, date(2027, 12, 1)),
], ids=["month-end", "over-new-year", "leap-to-normal", "whole-year"])
def test_add_months(day, months, expected):
    assert add_months(day, months) == expected


def test_write_script_refuses_to_overwrite_unless_forced(tmp_path):
    path = tmp_path / "s.yaml"
    write_script("een", path)
    with pytest.raises(ScriptExists, match="bestaat al"):
        write_script("twee", path)
    assert path.read_text() == "een"
    write_script("drie", path, force=True)
    assert path.read_text() == "drie"
    assert [p.name for p in tmp_path.iterdir()] == ["s.yaml"]  # no temporary files left behind
