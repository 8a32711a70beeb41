"""The coordinator's effect page: outcomes recorded per learner code (by form and by CSV), and
dropout for learners with and without a VR session, per cohort and care category, with n shown
and small groups flagged."""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import expect

from catalog import outcomes, session_control


@pytest.fixture
def learners(site):
    """Four learners of 2026-2027 ouderenzorg: VR1 and VR2 had a VR intake, GEEN1 and GEEN2 did not."""
    with site.catalog.session() as db:
        for code in ("VR1", "VR2"):
            session_control.start_session(db, context="intake", learner_code=code)
        for code, enrolled in (("VR1", True), ("GEEN1", False), ("GEEN2", True)):
            outcomes.record_outcome(db, learner_code=code, cohort="2026-2027", care_category="ouderenzorg",
                                    started=True, enrolled_after=enrolled, period_months=6)


def test_report_counts_and_flags_small_groups():
    cell = outcomes.Cell(n=4, dropped=1)
    assert (cell.rate, cell.small) == (0.25, True) and not outcomes.Cell(n=10).small


def test_coordinator_records_outcomes_and_reads_dropout_with_counts(site, learners, open_as, shoot, tmp_path):
    page = open_as("admin")
    page.get_by_role("navigation", name="Hoofdmenu").get_by_role("link", name="Effect").click()
    page.get_by_label("Leerlingcode").fill("VR2")
    page.get_by_label("Cohort (schooljaar van de start)").fill("2026-2027")
    page.get_by_label("Zorgcategorie van de opleiding").select_option("ouderenzorg")
    page.get_by_label("Periode (maanden na de start)").fill("6")
    page.get_by_label("nee, uitgevallen").check()
    page.get_by_role("button", name="Vastleggen").click()
    expect(page.get_by_role("status")).to_have_text("Uitkomst van VR2 vastgelegd.")

    row = page.locator("tr[data-cohort='2026-2027'][data-category='ouderenzorg']")
    cells = row.locator("td.num")
    expect(cells.nth(0)).to_have_text("2")  # with VR: n
    expect(cells.nth(1)).to_contain_text("1 (50%)")  # with VR: VR2 dropped out
    expect(cells.nth(2)).to_have_text("2")  # without VR: n
    expect(cells.nth(3)).to_contain_text("1 (50%)")
    expect(row.get_by_text("kleine groep")).to_have_count(2)
    expect(page.get_by_role("note")).to_contain_text("trek er geen conclusies uit")

    csv = tmp_path / "uitkomsten.csv"
    csv.write_text("leerlingcode;cohort;zorgcategorie;gestart;ingeschreven;periode\n"
                   "GHZ1;2026-2027;gehandicaptenzorg;ja;nee;6\nGHZ2;2026-2027;gehandicaptenzorg;nee;;6\n", encoding="utf-8")
    page.get_by_label("CSV-bestand", exact=True).set_input_files(str(csv))
    page.get_by_role("button", name="Inlezen").click()
    expect(page.get_by_role("status")).to_have_text("2 uitkomsten ingelezen.")
    ghz = page.locator("tr[data-category='gehandicaptenzorg'] td.num")
    expect(ghz.nth(2)).to_have_text("1")
    expect(ghz.nth(4)).to_have_text("1")  # GHZ2 did not start
    shoot(page, "effect-1280")
    page.set_viewport_size({"width": 820, "height": 1180})
    shoot(page, "effect-820")

    bad = Path(tmp_path / "fout.csv")
    bad.write_text("leerlingcode;cohort;zorgcategorie;gestart;ingeschreven\nX1;2026;ggz;misschien;ja\n", encoding="utf-8")
    page.get_by_label("CSV-bestand", exact=True).set_input_files(str(bad))
    page.get_by_role("button", name="Inlezen").click()
    expect(page.get_by_role("alert")).to_contain_text("regel 2: 'misschien' is geen ja of nee")


def test_only_the_coordinator_opens_the_effect_page(site, open_as):
    assert open_as("teacher").goto(f"{site.base_url}/effect").status == 403
