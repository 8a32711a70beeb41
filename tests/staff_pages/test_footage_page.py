"""The communications team uploads a real 360° photo from the browser (tus, in pieces), sees how
it was classified and why, and records who is filmed and their consent."""

from __future__ import annotations


from playwright.sync_api import expect
from support import ROOM_PHOTO

PHOTO = ROOM_PHOTO


def test_comms_uploads_sees_classification_and_records_consent(site, open_as, shoot):
    page = open_as("comms")
    page.get_by_role("link", name="Beeldmateriaal uploaden").click()
    page.get_by_label("Bestand").set_input_files(str(PHOTO))
    page.get_by_label("Zorgcategorie").select_option("ouderenzorg")
    page.get_by_label("Locatie").fill("De Linde, afdeling Zonnebloem")
    page.get_by_role("button", name="Uploaden").click()
    page.wait_for_url("**/beeldmateriaal/*?bericht=upload-klaar", timeout=20000)
    expect(page.get_by_role("heading", name="testroom_2048x1024.jpg")).to_be_visible()
    expect(page.locator(".facts")).to_contain_text("360° (equirectangulair)")
    expect(page.get_by_text("geen toestemming vastgelegd")).to_be_visible()
    page.get_by_label("Persoonsreferentie").fill("F-2026-017")
    page.get_by_label("Rol").select_option(label="cliënt")
    page.get_by_label("Toestemming", exact=True).select_option(label="gegeven")
    page.get_by_label("Formulierreferentie").fill("FORM-88")
    page.get_by_role("button", name="Vastleggen").click()
    expect(page.get_by_role("status")).to_have_text("Toestemming van F-2026-017 vastgelegd.")
    expect(page.get_by_text("iedereen heeft toestemming gegeven")).to_be_visible()
    shoot(page, "footage-item-comms")
    page.get_by_role("button", name="Intrekken voor F-2026-017").click()
    expect(page.get_by_text("vervagen nodig")).to_be_visible()
    page.get_by_role("link", name="← Alle opnames").click()
    expect(page.get_by_role("table").first).to_contain_text("klaar")
    expect(page.get_by_role("table").nth(1)).to_contain_text("testroom_2048x1024.jpg")
    shoot(page, "footage-comms")


def test_an_author_does_not_get_the_upload_page(site, open_as):
    page = open_as("author")
    assert page.goto(f"{site.base_url}/beeldmateriaal").status == 403


def test_an_upload_goes_on_where_it_was_after_the_page_is_reloaded(site, open_as, tmp_path):
    """tus-js-client remembers the upload in the browser: the same file, chosen again after a
    reload, goes on from what the server already has instead of from 0 (#18)."""
    import cv2
    import numpy as np

    big = tmp_path / "gang_3000x1500.png"  # the test room, enlarged, with grain: over two 8 MiB pieces
    room = cv2.resize(cv2.imread(str(PHOTO)), (3000, 1500), interpolation=cv2.INTER_CUBIC).astype(np.int16)
    grain = np.random.default_rng(7).integers(-40, 40, room.shape, dtype=np.int16)
    grain[:, -32:] = grain[:, :32]  # the edges still meet, as a 360° picture's do
    cv2.imwrite(str(big), np.clip(room + grain, 0, 255).astype(np.uint8))
    assert big.stat().st_size > 8 * 1024 * 1024
    page = open_as("comms")
    page.goto(f"{site.base_url}/beeldmateriaal")
    offsets: list[int] = []
    blocked = {"on": True}

    def patches(route, request):
        if request.method != "PATCH":
            return route.continue_()
        offsets.append(int(request.headers["upload-offset"]))
        if len(offsets) >= 2 and blocked["on"]:
            return route.abort("connectionreset")  # the network goes, and stays gone until the reload
        return route.continue_()

    page.context.route("**/api/uploads/*", patches)
    page.get_by_label("Bestand").set_input_files(str(big))
    page.get_by_role("button", name="Uploaden").click()
    expect(page.get_by_role("status")).to_contain_text("opnieuw proberen", timeout=20000)
    assert offsets[0] == 0 and offsets[1] == 8 * 1024 * 1024
    page.reload()
    blocked["on"] = False
    before = len(offsets)
    page.get_by_label("Bestand").set_input_files(str(big))
    page.get_by_role("button", name="Uploaden").click()
    page.wait_for_url("**/beeldmateriaal/*?bericht=upload-klaar", timeout=30000)
    assert offsets[before] == 8 * 1024 * 1024, f"after the reload the upload started at {offsets[before]}, not where it was"
    expect(page.get_by_role("heading", name=big.name)).to_be_visible()
