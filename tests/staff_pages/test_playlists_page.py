"""An intake employee makes a playlist on the page from published scenes: sees which do not fit
and why, adds, orders, sets a photo's seconds and the wait at its end, renames, is refused a
misfit forced through the form with the reason, and deletes a playlist after confirming."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from catalog import playlists, queries


@pytest.fixture(scope="module")
def scenes(site):
    common = {"script": "de-linde-ouderenzorg", "category": "ouderenzorg"}
    return {
        "huiskamer": site.bundle(scene="huiskamer", title="Een ochtend op de huiskamer", **common),
        "tuin": site.bundle(scene="tuin", title="De tuin", photo=True, contexts=("intake", "werkveldorientatie"),
                            audience={"routes": ["BOL", "BBL"], "levels": [2, 3, 4]}, **common),
        "avond": site.bundle(scene="avond", title="Avonddienst", contexts=("sollicitatie",), **common),
        "nacht": site.bundle(scene="nacht", title="Nachtdienst", audience={"routes": ["BBL"], "levels": [4]}, **common),
    }


def test_intake_makes_orders_renames_and_deletes_a_playlist(site, scenes, open_as, shoot):
    page = open_as("intake")
    page.locator(".tiles").get_by_role("link", name="Afspeellijsten").click()  # offered on the start page
    expect(page.get_by_role("heading", name="Afspeellijsten", exact=True)).to_be_visible()
    expect(page.get_by_label("Voor").locator("option")).to_have_text(["Intake"])  # only the context they run
    page.get_by_label("Naam").fill("Intake ouderenzorg")
    page.get_by_label("Leerweg").select_option("BOL")
    page.get_by_role("button", name="Afspeellijst maken").click()
    expect(page.get_by_role("status")).to_have_text("Afspeellijst Intake ouderenzorg gemaakt; voeg er scènes aan toe.")

    misfits = page.get_by_role("list", name="Past niet bij deze afspeellijst")
    expect(misfits.get_by_role("listitem")).to_have_count(2)
    expect(misfits).to_contain_text("«Avonddienst» past niet bij Intake: de scène is gemaakt voor Sollicitatie")
    expect(misfits).to_contain_text("«Nachtdienst» is voor BBL-leerlingen, deze afspeellijst voor BOL")

    page.get_by_role("button", name="Toevoegen Een ochtend op de huiskamer").click()
    expect(page.get_by_role("status")).to_have_text("Een ochtend op de huiskamer toegevoegd.")
    titles = page.locator("table.playlist-items .item-title")
    expect(page.get_by_role("button", name="Toevoegen Een ochtend op de huiskamer")).to_have_count(0)  # it is in

    # a misfit forced through the add form (its scene id put in a fitting row's form) is refused, with the reason
    avond = page.locator("[data-misfit]").filter(has_text="Avonddienst").get_attribute("data-misfit")
    tuin_row = page.locator("tr[data-scene]").filter(has_text="De tuin")
    tuin_row.locator("input[name=scene_id]").evaluate("(el, id) => { el.value = id; }", avond)
    tuin_row.get_by_role("button").click()
    expect(page.get_by_role("alert")).to_have_text(
        "Niet toegevoegd: «Avonddienst» past niet bij Intake: de scène is gemaakt voor Sollicitatie")
    expect(titles).to_have_text(["Een ochtend op de huiskamer"])

    page.get_by_role("button", name="Toevoegen De tuin").click()
    expect(page.get_by_role("status")).to_have_text("De tuin toegevoegd.")
    expect(titles).to_have_text(["Een ochtend op de huiskamer", "De tuin"])
    expect(page.get_by_label("Weergaveduur van Een ochtend op de huiskamer")).to_have_count(0)  # a video has its length

    page.get_by_role("button", name="Omhoog De tuin").click()
    expect(titles).to_have_text(["De tuin", "Een ochtend op de huiskamer"])
    page.get_by_label("Weergaveduur van De tuin").fill("20")
    page.get_by_label("Aan het eind van De tuin").select_option(label="wachten op begeleider")
    page.get_by_role("button", name="Opslaan voor De tuin").click()
    expect(page.get_by_role("status")).to_have_text("De tuin: opgeslagen.")
    expect(page.get_by_label("Weergaveduur van De tuin")).to_have_value("20")
    expect(page.get_by_label("Aan het eind van De tuin")).to_have_value("wachten")

    page.get_by_label("Nieuwe naam").fill("Intake BOL ouderenzorg")
    page.get_by_role("button", name="Naam wijzigen").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Intake BOL ouderenzorg")

    shoot(page, "playlist-intake")

    with site.catalog.session() as db:
        [made] = [p for p in playlists.list_playlists(db) if p.name == "Intake BOL ouderenzorg"]
        assert [(i.scene.slug, i.photo_seconds, i.wait_for_staff) for i in made.items] == [
            ("tuin", 20.0, True), ("huiskamer", None, None)]
        assert made.route == "BOL" and playlists.start_items(made)[0]["photo_seconds"] == 20.0

    page.get_by_role("link", name="Alle afspeellijsten").click()
    page.get_by_label("Naam").fill("Proefje")
    page.get_by_role("button", name="Afspeellijst maken").click()
    page.get_by_role("link", name="Afspeellijst verwijderen…").click()
    expect(page.get_by_role("heading", name="Afspeellijst Proefje verwijderen?")).to_be_visible()
    shoot(page, "playlist-delete-confirm")
    page.get_by_role("button", name="Ja, verwijder Proefje").click()
    expect(page.get_by_role("status")).to_have_text("Afspeellijst Proefje verwijderd.")
    expect(page.get_by_role("list", name="Afspeellijsten voor Intake").get_by_role("listitem")).to_have_text(
        ["Intake BOL ouderenzorg · 2 scènes · BOL · alle niveaus"])
    shoot(page, "playlists-intake")


def test_a_teacher_does_not_open_an_intake_playlist(site, scenes, open_as):
    with site.catalog.session() as db:
        other = playlists.create_playlist(db, name="Intake van een ander", context="intake").id
    page = open_as("teacher")
    expect(page.get_by_role("navigation", name="Hoofdmenu").get_by_role("link", name="Afspeellijsten")).to_be_visible()
    response = page.goto(f"{site.base_url}/afspeellijsten/{other}")
    assert response.status == 403
    page.goto(f"{site.base_url}/afspeellijsten")
    expect(page.get_by_label("Voor").locator("option")).to_have_text(["Werkveldoriëntatie"])
    expect(page.get_by_text("Intake van een ander")).to_have_count(0)


def test_a_scene_republished_for_another_context_is_flagged_in_the_playlist(site, scenes, open_as, shoot):
    key = site.bundle(script="de-linde-ouderenzorg", scene="keuken", title="De oude keuken", category="ouderenzorg")
    with site.catalog.session() as db:
        version = queries.scene_version_by_bundle_key(db, key)
        made = playlists.create_playlist(db, name="Intake keuken", context="intake", scenes=[version.scene]).id
        version.manifest = version.manifest.model_copy(update={"contexts": ["sollicitatie"]})  # as a new version would say
    page = open_as("intake", viewport=(820, 1180))  # on a tablet
    page.goto(f"{site.base_url}/afspeellijsten/{made}")
    expect(page.locator("tr[data-item]")).to_contain_text(
        "past niet meer: «De oude keuken» past niet bij Intake: de scène is gemaakt voor Sollicitatie")
    shoot(page, "playlist-misfit-tablet")
    page.get_by_role("button", name="Weghalen De oude keuken").click()
    expect(page.get_by_role("status")).to_have_text("De oude keuken: uit de afspeellijst gehaald.")
    expect(page.locator("tr[data-item]")).to_have_count(0)
