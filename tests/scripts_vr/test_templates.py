"""Templates: each care category's example lints clean on any day, and new_script fills it in."""

from __future__ import annotations

from datetime import date

import pytest

from scripts_vr import TEMPLATE_CATEGORIES, ScriptExists, lint_file, load_script, new_script, volatile_facts, write_script
from scripts_vr.templates import EXAMPLES, TEMPLATE_DIR, add_months


ALL = (*TEMPLATE_CATEGORIES, "custom")


def fill(category: str, **names) -> str:
    """``new_script`` with the extra name a custom category needs."""
    return new_script(category, name="Revalidatie" if category == "custom" else None, **names)


def test_every_category_has_a_template_and_custom_a_general_one():
    assert set(ALL) == set(EXAMPLES) == {p.stem for p in TEMPLATE_DIR.glob("*.yaml")}
    assert "custom" not in TEMPLATE_CATEGORIES


@pytest.mark.parametrize("category", ALL)
@pytest.mark.parametrize("today", [date(2026, 1, 31), date(2031, 8, 15)], ids=["2026-01-31", "2031-08-15"])
def test_every_template_lints_clean(write, category, today):
    path = write(fill(category, today=today), f"{category}.yaml")
    assert lint_file(path) == []


@pytest.mark.parametrize("category", ALL)
def test_every_template_shows_what_the_format_can_do(write, category):
    script = load_script(write(fill(category, today=date(2026, 11, 24))))
    assert script.format == "zorgblik-vr-script/2"
    assert script.care_category == category
    assert 2 <= len(script.scenes) <= 3
    assert {h.kind for s in script.scenes for h in s.hotspots} == {"info", "person", "question"}
    assert all(s.captions and s.prompts for s in script.scenes)
    assert any(s.privacy.keep_unblurred or s.privacy.blur_regions for s in script.scenes)
    facts = list(volatile_facts(script))
    assert len(facts) >= 3
    assert all(fact.review_by > date(2026, 11, 24) for _, fact in facts)
    # the whole learning-workplace profile, format 2's parts included
    assert script.team.learning_profile and script.team.learning_profile.learning_preferences
    assert script.places and script.supervision.supervisor and script.not_yet_available and script.wishes
    assert script.capacities and all(c.self_assessment and c.development_point for c in script.capacities)


@pytest.mark.parametrize("category", ALL)
def test_organisation_and_team_fill_every_place_the_template_shows_them(write, category):
    example = EXAMPLES[category]
    text = fill(category, organisation="Zorg Anders", team="Team Elders")
    for name in (example.organisation, example.team):  # the example's names, and their telling part
        assert name not in text and name.split(" ", 1)[1] not in text, name
    script = load_script(write(text))
    assert (script.organisation.name, script.team.name) == ("Zorg Anders", "Team Elders")
    template = (TEMPLATE_DIR / f"{category}.yaml").read_text(encoding="utf-8")
    assert text.count('"Zorg Anders"') == template.count("${organisation}") >= 1
    assert text.count('"Team Elders"') == template.count("${team}") >= 1


def test_custom_fills_in_its_own_category_name(write):
    script = load_script(write(new_script("custom", name='Revalidatie: "na" # een beroerte')))
    assert (script.care_category, script.custom_category) == ("custom", 'Revalidatie: "na" # een beroerte')


@pytest.mark.parametrize(("category", "name", "message"), [
    ("custom", None, "bij de categorie custom hoort de naam"), ("custom", "  ", "bij de categorie custom hoort de naam"),
    ("ggz", "Revalidatie", "hoort alleen bij de categorie custom"),
])
def test_a_custom_name_goes_with_custom_only(category, name, message):
    with pytest.raises(ValueError, match=message):
        new_script(category, name=name)


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
