"""An intake employee runs a whole session from the staff pages alone, with a real headset page
beside it: makes a playlist from published scenes, pairs the headset with a code made on the
sessions page, starts (the headset fetches the playlist it did not hold, the page says how far),
pauses, files a note under a chosen scene, stops; the CSV export shows the session with its end."""

from __future__ import annotations

import csv
import io
import re
from pathlib import Path

from playwright.sync_api import expect
from support import shoot, staff_browser_page, wait_for





def test_an_intake_session_from_the_pages_alone(harness, photo_scene, browser, page):
    huiskamer, tuin = photo_scene("huiskamer"), photo_scene("tuin")
    harness.staff("intake")  # the account the coordinator made for Ilse; she only signs in
    titles = {huiskamer: f"Scène {harness.scene_of[huiskamer]}", tuin: f"Scène {harness.scene_of[tuin]}"}
    staff = staff_browser_page(browser, harness.base_url, "intake-test")
    try:

        # a playlist of the two published scenes
        staff.get_by_role("navigation", name="Hoofdmenu").get_by_role("link", name="Afspeellijsten").click()
        staff.get_by_label("Naam").fill("Intake VVT")
        staff.get_by_role("button", name="Afspeellijst maken").click()
        staff.get_by_role("button", name=f"Toevoegen {titles[huiskamer]}").click()
        staff.get_by_role("button", name=f"Toevoegen {titles[tuin]}").click()
        expect(staff.locator("table.playlist-items .item-title")).to_have_text([titles[huiskamer], titles[tuin]])
        shoot(staff, "e2e-1-playlist")

        # a pairing code for the headset, typed in on the headset's own page
        staff.get_by_role("navigation", name="Hoofdmenu").get_by_role("link", name="Sessies").click()
        staff.get_by_label("Naam van de headset").fill("Quest intake")
        staff.get_by_role("button", name="Koppelcode maken").click()
        code = re.search(r"Koppelcode voor Quest intake: ([A-Z0-9]{4}-[A-Z0-9]{4})",
                         staff.get_by_role("status").inner_text()).group(1)
        shoot(staff, "e2e-2-pairing-code")
        page.goto(f"{harness.base_url}/headset")
        page.get_by_label("Koppelcode").fill(code)
        page.get_by_role("button", name="Koppelen").click()
        page.get_by_text("Wacht op de begeleider…").wait_for(timeout=15000)
        shoot(page, "e2e-3-headset-waiting")

        # start: the headset does not hold the playlist yet; starting puts it there
        staff.reload()
        expect(staff.locator('[data-live-online]').first).to_have_text("online")
        staff.get_by_label("Afspeellijst").select_option(label="Intake VVT (2 scènes)")
        staff.get_by_role("checkbox", name="Quest intake").check()
        staff.get_by_role("textbox", name="Leerlingcode voor Quest intake").fill("K7F2")
        staff.get_by_label("Leerweg").select_option("BBL")
        staff.get_by_label("Niveau").select_option("3")
        staff.get_by_role("button", name="Start", exact=True).click()
        expect(staff.get_by_role("status")).to_have_text("Sessie gestart.")
        session_id = int(re.search(r"/sessies/(\d+)", staff.url).group(1))
        wait_for(lambda: page.evaluate("k => window.zorgblik.scene?.key === k && window.zorgblik.player.frames > 0",
                                       huiskamer), "the first scene on the headset")
        expect(staff.locator("dd[data-live-sync]")).to_have_text("klaar")
        expect(staff.locator("dd[data-live-scene]")).to_have_text(titles[huiskamer])
        shoot(staff, "e2e-4-session-running")
        shoot(page, "e2e-5-headset-playing")

        staff.get_by_role("button", name="Pauzeer").click()
        expect(staff.locator("dd[data-session-state]")).to_have_text("gepauzeerd")
        wait_for(lambda: page.evaluate("() => window.zorgblik.session?.state === 'paused'"), "the headset paused")

        staff.get_by_label("Bij scène").select_option(label=f"2. {titles[tuin]}")
        staff.get_by_role("textbox", name="Notitie").fill("Wil graag de tuin zien.")
        staff.get_by_role("button", name="Notitie bewaren").click()
        expect(staff.locator("#notities li").first).to_contain_text(titles[tuin])

        staff.get_by_role("button", name="Stop").click()
        expect(staff.locator("dd[data-session-state]")).to_have_text("gestopt")
        page.get_by_text("Wacht op de begeleider…").wait_for()
        shoot(staff, "e2e-6-session-stopped")

        # the report: the session with its end
        staff.get_by_role("navigation", name="Hoofdmenu").get_by_role("link", name="Rapportages").click()
        with staff.expect_download() as download:
            staff.get_by_role("link", name=re.compile("CSV")).click()
        rows = list(csv.DictReader(io.StringIO(Path(download.value.path()).read_text(encoding="utf-8-sig"))))
        [row] = [r for r in rows if r["session_id"] == str(session_id)]
        assert row["learner_code"] == "K7F2" and row["state"] == "stopped" and row["ended_at"].endswith("Z")
        assert page.errors == []
    finally:
        staff.context.close()
