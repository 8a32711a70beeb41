"""The profile as panels: welcome, the learner's own expectations (never someone else's), how a
student is welcomed and supervised, the closing questions for the context, and the pack a headset
keeps to show them offline."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from pydantic import ValidationError

from scripts_vr.profile_view import (
    Learner,
    expectations_for,
    fact_freshness,
    headset_profile,
    profile_panels,
    prompts_for,
    script_from_text,
)

DEMO = Path(__file__).parents[2] / "demo" / "scripts" / "de-linde-ouderenzorg.yaml"
BOL_3_1 = "Je stelt je voor aan elke bewoner voordat je iets doet."
BBL_3 = "Je draait na de inwerkperiode zelfstandig mee in de ochtendzorg."


@pytest.fixture(scope="module")
def linde():
    return script_from_text(DEMO.read_text(encoding="utf-8"))


def test_the_welcome_panel_says_organisation_team_client_group_and_a_day(linde):
    welcome = profile_panels(linde).before[0]
    text = welcome.text()
    assert welcome.kind == "welcome" and welcome.title == "Welkom bij Zorggroep De Linde"
    for words in ("Team Eikenhof", "Ouderen met dementie", "07:00 Overdracht van de nachtdienst",
                  "vroege dienst: 07:00–15:30", "18 collega's"):  # 18 is a volatile fact: its value shows
        assert words in text


@pytest.mark.parametrize(("learner", "shown", "hidden"), [
    (Learner("BBL", 3), [BBL_3], [BOL_3_1]),
    (Learner("BBL", 3, 2), [BBL_3], [BOL_3_1]),
    (Learner("BOL", 3, 1), [BOL_3_1], [BBL_3]),
    (Learner("BOL", 3, 2), [], [BOL_3_1, BBL_3]),  # year 1 only
    (Learner("BOL", 2), [], [BOL_3_1, BBL_3]),
    (Learner(), [], [BOL_3_1, BBL_3]),  # nothing chosen: none, not all
], ids=["bbl3", "bbl3-year2", "bol3-year1", "bol3-year2", "bol2", "unknown"])
def test_expectations_are_only_the_learners_own(linde, learner, shown, hidden):
    panel = profile_panels(linde, learner).before[1]
    assert panel.kind == "expectations"
    text = panel.text()
    for words in shown:
        assert words in text
    for words in hidden:
        assert words not in text
    if not shown:
        assert "Vraag" in text  # says so, and what to do about it


def test_unknown_and_missing_expectations_say_different_things(linde):
    unknown = profile_panels(linde, Learner()).before[1].text()
    missing = profile_panels(linde, Learner("BOL", 2)).before[1].text()
    assert "niet gekozen" in unknown
    assert "BOL niveau 2" in missing and "geen verwachtingen" in missing
    assert expectations_for(linde, Learner(None, 3)) == []


def test_the_guidance_panel_has_acquaintance_matching_introduction_and_supervision(linde):
    text = profile_panels(linde).before[2].text()
    for words in ("Kennismaking", "Je loopt een dagdeel mee", "je leervoorkeur", "Week 1: Meelopen in de vroege dienst",
                  "Werkbegeleider: Verzorgende IG niveau 3", "Er is een studentcoach."):
        assert words in text


def test_the_closing_panel_holds_the_prompts_for_the_context(linde):
    question = "Wat spreekt je aan in dit werk, en wat vind je spannend?"
    assert profile_panels(linde, context="intake").after[0].text().endswith(question)
    assert prompts_for(linde, "werkveldorientatie") == []  # that prompt is for intake and interviews
    assert "Wat is je bijgebleven?" in profile_panels(linde, context="werkveldorientatie").after[0].text()
    assert prompts_for(linde, "intake", scene_ids=["tuin"]) == []


def test_english_where_the_script_has_it(linde):
    panels = profile_panels(linde, Learner("BBL", 3), "intake", lang="en")
    assert panels.before[0].title == "Welcome to Zorggroep De Linde"
    assert BBL_3 in panels.before[1].text()  # Dutch-only facts stay in the script's own words
    assert panels.after[0].text() == "Take into the conversation\n- What draws you to this work, and what do you find exciting?"
    dutch = profile_panels(linde, Learner("BBL", 3), "intake")
    assert dutch.after[0].text() == "Neem mee naar het gesprek\n- Wat spreekt je aan in dit werk, en wat vind je spannend?"


def test_the_headset_pack_has_a_panel_for_every_learner_with_expectations(linde):
    pack = headset_profile(linde)
    assert [p["kind"] for p in pack["before"]] == ["welcome", "expectations", "guidance"]
    assert set(pack["expectations"]) == {"BOL-3-", "BOL-3-1", "BBL-3-", "BBL-3-1", "BBL-3-2", "BBL-3-3", "BBL-3-4"}
    assert Learner.from_payload({"route": "BBL", "level": 3, "year": None}).key == "BBL-3-"
    assert Learner.from_payload(None).key == "--"
    bbl = pack["expectations"]["BBL-3-"]
    assert bbl["sections"][0]["items"] == [BBL_3]
    assert "geen verwachtingen" in pack["expectations_missing"]["sections"][0]["items"][0]
    assert set(pack["closing"]) == {"intake", "sollicitatie", "werkveldorientatie"}


def test_text_that_is_no_script_is_refused():
    with pytest.raises(ValidationError):
        script_from_text("name: de-linde-ouderenzorg")


def test_fact_freshness_puts_the_stale_first_with_owner_and_date(linde):
    facts = fact_freshness(linde, date(2027, 3, 15), days=30)
    assert [(f.path, f.status, f.owner, f.review_by.isoformat()) for f in facts] == [
        ("supervision.frequency", "verlopen", "Anouk de Vries", "2027-03-01"),
        ("team.size", "actueel", "Anouk de Vries", "2027-06-01"),
        ("places.1.count", "actueel", "Anouk de Vries", "2027-06-01")]  # the places the team offers (format 2)
    assert [f.status for f in fact_freshness(linde, date(2027, 5, 10), days=30)] == ["verlopen", "binnenkort", "binnenkort"]


def test_a_build_kept_in_the_previous_format_still_gives_its_panels():
    from pathlib import Path

    from scripts_vr.profile_view import script_from_text

    text = (Path(__file__).parent / "format1" / "ouderenzorg.yaml").read_text(encoding="utf-8")
    assert "zorgblik-vr-script/1" in text
    assert script_from_text(text).format == "zorgblik-vr-script/2"
