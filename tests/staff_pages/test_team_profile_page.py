"""The team profile page in Chromium: opened from the script's page, the expectations for the
candidate's route and level (and a form to change them), a stale fact with its owner and since
when, the prompts for the context, the scenes; and its A4 handout printed to PDF, rendered to PNG
with poppler, one or two pages with the organisation's name and no staff-only facts."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest
from playwright.sync_api import expect
from support import handout_pngs

DEMO = Path(__file__).parents[2] / "demo" / "scripts" / "de-linde-ouderenzorg.yaml"
NAME = "de-linde-ouderenzorg"
BBL_3 = "Je draait na de inwerkperiode zelfstandig mee in de ochtendzorg."
BOL_3 = "Je stelt je voor aan elke bewoner voordat je iets doet."
PROMPT = "Wat spreekt je aan in dit werk, en wat vind je spannend?"


@pytest.fixture(scope="module")
def profile(site):
    """The demo script in the scripts folder, its supervision frequency overdue since 2026-01-15,
    and its first scene published."""
    folder = site.settings.scripts_path
    folder.mkdir(parents=True, exist_ok=True)
    text = DEMO.read_text(encoding="utf-8").replace("review_by: 2027-03-01", "review_by: 2026-01-15")
    (folder / f"{NAME}.yaml").write_text(text, encoding="utf-8")
    site.bundle(script=NAME, scene="huiskamer", title="Een ochtend op de huiskamer", category="ouderenzorg")
    return folder / f"{NAME}.yaml"


def test_the_team_profile_for_a_bbl_level_3_intake(site, profile, open_as, shoot):
    page = open_as("author")
    page.goto(f"{site.base_url}/scripts/{NAME}")
    page.get_by_role("link", name="Teamprofiel en beroepsbeeld").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Teamprofiel: Zorggroep De Linde")

    page = open_as("intake")  # who runs the session opens it with the candidate filled in
    page.goto(f"{site.base_url}/teamprofiel/{NAME}?route=BBL&niveau=3&context=intake")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Zorggroep De Linde")
    for words in ("Team Eikenhof", "Ouderen met dementie", "07:00 Overdracht van de nachtdienst", "vroege dienst: 07:00–15:30",
                  "Kennismaking", "Werkbegeleider: Verzorgende IG niveau 3", "Apeldoorn"):
        expect(page.locator("main")).to_contain_text(words)
    expectations = page.locator("#verwachtingen-kaart")
    expect(expectations).to_contain_text(BBL_3)
    expect(expectations).not_to_contain_text(BOL_3)
    expect(page.locator("section[data-kind=closing]")).to_contain_text(PROMPT)
    stale = page.locator("table.facts tr[data-status=verlopen]")
    expect(stale).to_contain_text("supervision.frequency")
    expect(stale).to_contain_text("verlopen sinds 2026-01-15")
    expect(stale).to_contain_text("eigenaar: Anouk de Vries")
    scenes = page.get_by_role("region", name="Scènes")
    expect(scenes.locator("li", has_text="Een ochtend op de huiskamer")).to_contain_text("gepubliceerd")
    expect(scenes.locator("li", has_text="Buiten in de belevingstuin")).to_contain_text("niet gepubliceerd")
    shoot(page, "teamprofiel-1280")

    # the form: another candidate, another context
    page.get_by_label("Leerweg").select_option("BOL")
    page.get_by_label("Leerjaar").select_option("1")
    page.get_by_label("Soort gesprek").select_option("werkveldorientatie")
    page.get_by_role("button", name="Toon").click()
    expect(expectations).to_contain_text(BOL_3)
    expect(expectations).not_to_contain_text(BBL_3)
    expect(page.locator("section[data-kind=closing]")).not_to_contain_text(PROMPT)  # that one is for intake and interviews


def test_the_handout_prints_on_one_or_two_a4_pages(site, profile, open_as, tmp_path):
    if shutil.which("pdftoppm") is None or shutil.which("pdftotext") is None:
        pytest.skip("pdftoppm ontbreekt: ./setup.sh installeert poppler-utils")
    page = open_as("hr")
    page.goto(f"{site.base_url}/teamprofiel/{NAME}?route=BBL&niveau=3&context=intake")
    page.get_by_role("link", name="Beroepsbeeld om mee te geven (A4, afdrukken)").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Beroepsbeeld: Zorggroep De Linde")
    pngs = handout_pngs(page, tmp_path)
    pdf = tmp_path / "beroepsbeeld.pdf"
    assert 1 <= len(pngs) <= 2
    assert pngs[0].read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    raw = subprocess.run(["pdftotext", str(pdf), "-"], check=True, capture_output=True, text=True).stdout
    text = " ".join(raw.split())  # the columns break lines anywhere
    assert "Zorggroep De Linde" in text and "Team Eikenhof" in text
    assert BBL_3 in text and BOL_3 not in text  # BBL level 3 only, in the script's own words
    for staff_only in ("Anouk de Vries (praktijkopleider)", "verlopen", "eigenaar", "Terug naar", "Afdrukken"):
        assert staff_only not in text
    keep = Path("/tmp/profileview-handout")
    keep.mkdir(exist_ok=True)
    for png in pngs:
        shutil.copy(png, keep / png.name)


def test_roles_that_run_no_sessions_and_write_no_scripts_do_not_get_it(site, profile, open_as):
    page = open_as("comms")
    response = page.goto(f"{site.base_url}/teamprofiel/{NAME}")
    assert response.status == 403


def test_an_unknown_script_is_a_dutch_404(site, open_as):
    page = open_as("teacher")
    response = page.goto(f"{site.base_url}/teamprofiel/bestaat-niet")
    assert response.status == 404
    assert "geen leesbaar profiel" in page.content()
