"""Scripts made in the browser and approved by school and practice, in a real Chromium: a team
member creates a script for a category of their own from a template, fills it in section by
section, sees lint at the field it belongs to, fixes and saves it (the YAML keeps the template's
comments); a teacher approves for the school and the trainer for the practice; then the author
builds and publishes; an intake for BBL level 3 then shows the new team's welcome and its BBL level
3 expectations on a headset page, and the session page leads to the team profile and its A4 handout.
Two people saving the same section: the second is told, nothing is lost."""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest
from playwright.sync_api import expect

from sqlalchemy import select

from catalog import approvals, queries
from catalog.models import ScriptSave
from scripts_vr.digest import profile_sha256_of_text
from scripts_vr.templates import minimal_script
from support import ROOM_PHOTO, approve_profile, handout_pngs

ROOT = Path(__file__).resolve().parents[2]
PHOTO = ROOM_PHOTO
TEMPLATE_COMMENT = "  # Leerprofiel van het team. Leervoorkeuren: kunst_afkijken, participeren, kennis_verwerven,"


def photo_scenes(path: Path) -> None:
    """What the author does in their editor: the scenes (YAML only) point at a real photo."""
    text = path.read_text(encoding="utf-8")
    scenes = (f"scenes:\n  - id: gang\n    title: De gang\n    footage: {os.path.relpath(PHOTO, path.parent)}\n"
              "    contexts: [intake]\n    audience: {routes: [BOL, BBL], levels: [3]}\n")
    path.write_text(text[:text.index("\nscenes:") + 1] + scenes, encoding="utf-8")


def new_script(page, base_url: str, name: str) -> None:
    page.goto(f"{base_url}/scripts")
    new = page.locator("details.new-script")
    if new.get_attribute("open") is None:
        new.locator("summary").click()
    page.get_by_label("Zorgcategorie").select_option("custom")
    page.get_by_label("Naam van de eigen categorie").fill("Revalidatie")
    page.get_by_label("Organisatie", exact=True).fill("Revalidatiecentrum Het Anker")
    page.get_by_label("Team", exact=True).fill("Team Zeezicht")
    page.get_by_label("Bestandsnaam").fill(name)
    page.get_by_role("button", name="Script maken").click()
    expect(page).to_have_url(re.compile(rf"/scripts/{name}/bewerken"))


def test_create_lint_fix_save_approve_build_and_publish(site, open_as, browser, shoot, tmp_path):
    author = open_as("author")
    new_script(author, site.base_url, "het-anker")
    path = site.settings.scripts_path / "het-anker.yaml"
    assert 'custom_category: "Revalidatie"' in path.read_text(encoding="utf-8")
    photo_scenes(path)
    author.reload()

    # one section at a time; a mistake shows at its field after saving (saving a draft is allowed)
    expect(author.get_by_role("heading", name="Organisatie", level=2)).to_be_visible()
    website = author.locator("#f-organisation-website")
    website.fill("www.hetanker.nl")
    author.get_by_role("button", name="Opslaan", exact=True).click()
    expect(author.get_by_role("status")).to_contain_text("Opgeslagen")
    expect(website).to_have_attribute("aria-invalid", "true")
    expect(author.locator("#err-f-organisation-website")).to_contain_text("https://")
    expect(website).to_have_attribute("aria-describedby", re.compile("err-f-organisation-website"))
    expect(author.get_by_role("navigation", name="Onderdelen van het profiel")).to_contain_text("1 fout")
    shoot(author, "script-form-error-1280")
    assert "website: www.hetanker.nl" in path.read_text(encoding="utf-8")

    website.fill("https://www.hetanker.nl/leren")
    author.get_by_role("button", name="Opslaan", exact=True).click()
    expect(author.get_by_role("status")).to_contain_text("Opgeslagen")
    expect(website).not_to_have_attribute("aria-invalid", "true")
    expect(author.get_by_text("Geen fouten in het script")).to_be_visible()

    # team & day: a list grows by one moment; a fact is marked as going stale, with a date
    author.get_by_role("navigation", name="Onderdelen van het profiel").get_by_role("link", name="Team en dag").click()
    author.get_by_role("button", name="+ Toevoegen aan: Een dag uit het leven").click()
    expect(author.get_by_role("status")).to_contain_text("Nog niet opgeslagen")
    author.locator("#f-team-day-4-time").fill("16:00")
    author.locator("#f-team-day-4-activity").fill("Samen de dag afsluiten")
    size = author.locator("#f-team-size")
    size.fill("12")
    author.locator("#f-team-size--review_by").fill("2027-09-01")
    department = author.locator("[data-field='team.department']")
    department.locator("summary").click()  # a stable fact becomes one that goes stale
    department.get_by_label("Wie kijkt het na").fill("Teamleider")
    department.get_by_label("Nakijken vóór").fill("2027-06-01")
    author.get_by_role("button", name="Opslaan", exact=True).click()
    expect(author.get_by_role("status")).to_contain_text("Opgeslagen")
    expect(author.locator("#f-team-day-4-activity")).to_have_value("Samen de dag afsluiten")
    shoot(author, "script-form-team-1280")
    author.set_viewport_size({"width": 820, "height": 1180})
    shoot(author, "script-form-team-820")
    author.set_viewport_size({"width": 1280, "height": 800})

    text = path.read_text(encoding="utf-8")
    assert TEMPLATE_COMMENT in text, "the template's comment survives a save from the form"
    assert "# Het team: wie jullie zijn, een dag uit het leven en de diensten." in text
    assert "website: https://www.hetanker.nl/leren" in text
    assert "size: {value: 12, owner: Sanne Visser, review_by: 2027-09-01}" in text
    assert "  department: {value: Afdeling of locatie, owner: Teamleider, review_by: 2027-06-01}" in text
    assert '- {time: "07:30", activity: Overdracht}' in text, "untouched lines keep their style"
    assert re.search(r"- \{time: '?\"?16:00'?\"?, activity: Samen de dag afsluiten\}", text)
    assert text.index("care_category:") < text.index("client_groups:") < text.index("scenes:"), "key order kept"
    with site.catalog.session() as db:
        saves = list(db.scalars(select(ScriptSave).where(ScriptSave.script_name == "het-anker")))
        assert [s.saved_by for s in saves] == ["Anouk Opleider"] * 4  # made, then three saves
        assert saves[-1].base_sha256 == saves[-2].sha256

    # build; publishing waits for the privacy sign-off and then for both approvals
    author.goto(f"{site.base_url}/scripts/het-anker")
    expect(author.locator(".save-history li")).to_have_count(4)
    author.get_by_role("button", name="Bouwen").click()
    expect(author.locator("#bouwstatus")).to_have_text("klaar", timeout=40_000)
    author.get_by_role("link", name="Naar de scènes").click()
    author.get_by_role("button", name=re.compile("aftekenen")).click()
    expect(author.get_by_role("status")).to_contain_text("Afgetekend")
    author.get_by_role("button", name=re.compile("^Publiceren")).click()
    expect(author.get_by_role("alert")).to_contain_text(
        "zonder goedkeuring van de opleiding (school) en de praktijk (zorgorganisatie)")

    teacher = open_as("teacher")  # the school side
    teacher.get_by_role("navigation", name="Hoofdmenu").get_by_role("link", name="Goedkeuren").click()
    row = teacher.get_by_role("row", name=re.compile("het-anker"))
    expect(row.locator("[data-side=opleiding]")).to_contain_text("nog niet")
    shoot(teacher, "approvals-1280")
    row.get_by_role("link", name="het-anker").click()
    profile = teacher.get_by_role("region", name="Het profiel zoals het nu is")
    expect(profile.get_by_text("Revalidatiecentrum Het Anker").first).to_be_visible()
    expect(profile).to_contain_text("Wensen")  # format 2's parts show without an edit here
    expect(teacher.get_by_label("opleiding (school)")).to_be_checked()
    teacher.get_by_label("Rol").fill("docent zorg")
    teacher.get_by_role("button", name="Profiel goedkeuren").click()
    expect(teacher.get_by_role("status")).to_contain_text("Goedgekeurd namens de opleiding (school)")
    shoot(teacher, "script-approve-1280")

    author.goto(f"{site.base_url}/scripts/het-anker/goedkeuren")
    expect(author.get_by_label("praktijk (zorgorganisatie)")).to_be_checked()
    author.get_by_label("Rol").fill("praktijkopleider")
    author.get_by_role("button", name="Profiel goedkeuren").click()
    expect(author.get_by_text("Beide kanten hebben dit profiel goedgekeurd")).to_be_visible()

    author.goto(f"{site.base_url}/scripts/het-anker")
    approvals_card = author.locator("section.approvals")
    expect(approvals_card.locator("[data-side=opleiding]")).to_contain_text("Tess Docent (docent zorg)")
    expect(approvals_card.locator("[data-side=praktijk]")).to_contain_text("Anouk Opleider (praktijkopleider)")
    author.get_by_role("button", name=re.compile("^Publiceren")).click()
    expect(author.get_by_role("status")).to_contain_text("Gepubliceerd: De gang (versie 1)")
    shoot(author, "script-published-1280")
    author.get_by_role("link", name="Teamprofiel en beroepsbeeld").click()  # what intake and HR read: made together
    together = author.get_by_role("region", name="Samen gemaakt")
    expect(together).to_contain_text("goedgekeurd door Tess Docent (docent zorg)")
    expect(together).to_contain_text("goedgekeurd door Anouk Opleider (praktijkopleider)")
    shoot(author, "team-profile-approved-1280")
    with site.catalog.session() as db:
        [published] = [v for v in queries.published_scene_versions(db) if v.scene.script.name == "het-anker"]
        assert published.title == "De gang"
    an_intake_shows_the_new_profile(site, open_as, browser, shoot, tmp_path)

    # a later change of the profile withdraws both approvals, with the reason
    author.goto(f"{site.base_url}/scripts/het-anker/bewerken?deel=team")
    author.locator("#f-team-name").fill("Team Zeezicht en Duin")
    author.get_by_role("button", name="Opslaan", exact=True).click()
    expect(author.get_by_role("status")).to_contain_text("goedkeuring van opleiding en praktijk is ingetrokken")
    with site.catalog.session() as db:
        history = approvals.history(db, "het-anker")
        assert len(history) == 2 and all(a.withdrawn_reason == "profiel gewijzigd op de pagina door Anouk Opleider"
                                         for a in history)
    author.goto(f"{site.base_url}/scripts/het-anker")
    expect(author.locator("section.approvals [data-side=opleiding]")).to_contain_text("nog niet")


BBL_3 = "Je draait na het inwerken mee in het rooster"  # the template's words, as the team left them
BOL_3 = "Je stelt je voor aan cliënten en collega's"


def an_intake_shows_the_new_profile(site, open_as, browser, shoot, tmp_path) -> None:
    """The published script at work: an intake employee makes a playlist of its scene, pairs a
    headset and starts an intake for BBL level 3; the headset shows the new team's welcome and its
    BBL level 3 expectations; the session page leads to the team profile and its A4 handout."""
    intake = open_as("intake")
    intake.get_by_role("navigation", name="Hoofdmenu").get_by_role("link", name="Afspeellijsten").click()
    intake.get_by_label("Naam").fill("Intake Het Anker")
    intake.get_by_role("button", name="Afspeellijst maken").click()
    intake.get_by_role("button", name="Toevoegen De gang").click()
    expect(intake.locator("table.playlist-items .item-title")).to_have_text(["De gang"])

    intake.get_by_role("navigation", name="Hoofdmenu").get_by_role("link", name="Sessies").click()
    intake.get_by_label("Naam van de headset").fill("Quest Het Anker")
    intake.get_by_role("button", name="Koppelcode maken").click()
    code = re.search(r"Koppelcode voor Quest Het Anker: ([A-Z0-9]{4}-[A-Z0-9]{4})",
                     intake.get_by_role("status").inner_text()).group(1)
    headset = browser.new_context(viewport={"width": 1280, "height": 800}).new_page()
    try:
        headset.set_default_timeout(20000)
        headset.goto(f"{site.base_url}/headset")
        headset.get_by_label("Koppelcode").fill(code)
        headset.get_by_role("button", name="Koppelen").click()
        headset.get_by_text("Wacht op de begeleider…").wait_for()

        intake.reload()
        playlist = intake.locator("#playlist option", has_text="Intake Het Anker").get_attribute("value")
        intake.get_by_label("Afspeellijst").select_option(playlist)
        intake.get_by_role("checkbox", name="Quest Het Anker").check()
        intake.get_by_label("Leerweg").select_option("BBL")
        intake.get_by_label("Niveau").select_option("3")
        intake.get_by_role("button", name="Start").click()
        expect(intake.get_by_role("status")).to_contain_text("Sessie gestart.")

        headset.get_by_role("heading", name="Welkom bij Revalidatiecentrum Het Anker").wait_for()
        expect(headset.locator("#panel")).to_contain_text("Team Zeezicht")
        shoot(headset, "script-to-headset-welcome")
        headset.keyboard.press("Enter")  # "Verder" has the focus
        expect(headset.locator("#panel")).to_have_attribute("data-kind", "expectations")
        expect(headset.locator("#panel")).to_contain_text("Voor BBL niveau 3")
        expect(headset.locator("#panel")).to_contain_text(BBL_3)
        expect(headset.locator("#panel")).not_to_contain_text(BOL_3)
        shoot(headset, "script-to-headset-expectations")
    finally:
        headset.context.close()

    intake.get_by_role("link", name="Teamprofiel en beroepsbeeld").click()
    expect(intake.locator("#verwachtingen-kaart")).to_contain_text(BBL_3)
    intake.get_by_role("link", name="Beroepsbeeld om mee te geven (A4, afdrukken)").click()
    expect(intake.get_by_role("heading", level=1)).to_have_text("Beroepsbeeld: Revalidatiecentrum Het Anker")
    pngs = handout_pngs(intake, tmp_path)
    assert pngs and pngs[0].read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_two_people_saving_the_same_script_the_second_is_told_and_loses_nothing(site, open_as, shoot):
    first, second = open_as("author"), open_as("author")
    new_script(first, site.base_url, "samen")
    path = site.settings.scripts_path / "samen.yaml"
    made = path.read_text(encoding="utf-8")
    second.goto(f"{site.base_url}/scripts")
    second.locator("details.new-script summary").click()
    second.get_by_label("Organisatie", exact=True).fill("Ander")
    second.get_by_label("Team", exact=True).fill("Ander team")
    second.get_by_label("Bestandsnaam").fill("samen")
    second.get_by_role("button", name="Script maken").click()
    expect(second.get_by_role("alert")).to_contain_text("Er is al een script samen")
    assert path.read_text(encoding="utf-8") == made, "a new script never overwrites one"
    second.goto(f"{site.base_url}/scripts/samen/bewerken?deel=begeleiding")
    first.goto(f"{site.base_url}/scripts/samen/bewerken?deel=begeleiding")

    first.locator("#f-supervision-supervisor_role").fill("Verpleegkundige niveau 4")
    first.get_by_role("button", name="Opslaan", exact=True).click()
    expect(first.get_by_role("status")).to_contain_text("Opgeslagen")
    saved = path.read_text(encoding="utf-8")

    second.locator("#f-supervision-senior_supervisor").fill("Teamleider")
    second.get_by_role("button", name="Opslaan", exact=True).click()
    conflict = second.get_by_role("alert")
    expect(conflict).to_contain_text("Niet opgeslagen")
    expect(conflict).to_contain_text("Anouk Opleider heeft dit script om")
    expect(second.locator("#f-supervision-senior_supervisor")).to_have_value("Teamleider")  # nothing lost
    shoot(second, "script-form-conflict-1280")
    assert path.read_text(encoding="utf-8") == saved, "the second save overwrote nothing"

    expect(conflict.get_by_role("link", name="Laad de nieuwe versie")).to_have_attribute(
        "href", "/scripts/samen/bewerken?deel=begeleiding")

    # or, knowingly: this section as the second person filled it in, over the newer version
    second.get_by_role("button", name=re.compile("^Dit onderdeel toch opslaan met mijn invoer")).click()
    expect(second.get_by_role("status")).to_contain_text("Opgeslagen")
    text = path.read_text(encoding="utf-8")
    assert "senior_supervisor: Teamleider" in text and "Verpleegkundige niveau 4" not in text
    with site.catalog.session() as db:
        saves = list(db.scalars(select(ScriptSave).where(ScriptSave.script_name == "samen").order_by(ScriptSave.id)))
        assert saves[-1].base_sha256 == saves[-2].sha256  # it knowingly built on the first person's save


def test_a_file_edited_outside_the_page_withdraws_the_approvals_when_it_is_seen(site):
    folder = site.settings.scripts_path
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "editor.yaml"
    path.write_text(minimal_script(""), encoding="utf-8")
    approve_profile(site.catalog, path)
    site.user("author")
    with site.api("author") as author:
        author.get("/scripts/editor").raise_for_status()  # seen as it was: the approvals stand
        with site.catalog.session() as db:
            assert approvals.missing_sides(db, "editor", profile_sha256_of_text(path.read_text())) == []
        path.write_text(minimal_script("").replace("size: 10", "size: 11"), encoding="utf-8")  # in an editor
        page = author.get("/scripts/editor").raise_for_status().text
    assert page.count("nog niet") == 2 and "het profiel in het scriptbestand is gewijzigd" in page
    with site.catalog.session() as db:
        assert all(a.withdrawn_at for a in approvals.history(db, "editor"))


def test_a_colleagues_save_between_sign_in_and_script_maken_is_waited_for_not_a_500(site, open_as, monkeypatch):
    """The page reads first (the sign-in) and writes later. On SQLite a write by anyone in between
    made the page's own write fail at once ("database is locked", a 500); it must take the write
    lock before it writes, so the colleague's write waits for it instead."""
    if site.settings.database_url:
        pytest.skip("SQLite's own locking")
    import sqlite3

    import headset_service.web.script_form as script_form

    database = site.settings.data_dir / "zorgblik.db"
    colleague: list[str] = []

    def write_as_colleague() -> str:
        con = sqlite3.connect(database, timeout=0, isolation_level=None)  # no waiting: say what happens now
        try:
            con.execute("BEGIN IMMEDIATE")
            con.execute("INSERT INTO script_saves (script_name, sha256, source, saved_by, saved_at) "
                        "VALUES ('ander', 'x', '', 'collega', CURRENT_TIMESTAMP)")
            con.execute("COMMIT")
            return "saved"
        except sqlite3.OperationalError:
            return "waits"
        finally:
            con.close()

    made = script_form.new_script

    def meanwhile(*args, **kwargs):  # runs inside the page's request, after it read and before it writes
        colleague.append(write_as_colleague())
        return made(*args, **kwargs)

    monkeypatch.setattr(script_form, "new_script", meanwhile)
    page = open_as("author")
    new_script(page, site.base_url, "tussendoor")  # reaches the editor: no 500
    assert colleague == ["waits"]  # the page held the write lock ...
    assert write_as_colleague() == "saved"  # ... and let go of it when it was done
    with site.catalog.session() as db:
        assert db.scalar(select(ScriptSave).where(ScriptSave.script_name == "tussendoor")) is not None
