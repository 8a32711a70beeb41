"""Intake staff, HR and teachers run sessions from the page: pick a playlist and a headset, start,
follow the headset live with the scene's conversation prompts, write a note, pause and stop."""

from __future__ import annotations

import json

import pytest
from playwright.sync_api import expect
from websockets.sync.client import connect

PROMPTS = [{"text": {"nl": "Wat viel je op aan hoe de zorgverlener de bewoner aansprak?"}, "contexts": ["intake"]},
           {"text": {"nl": "Zou jij in een avonddienst willen werken?"}, "contexts": ["sollicitatie"]}]


@pytest.fixture(scope="module")
def room(site):
    key = site.bundle(script="de-linde-ouderenzorg", scene="huiskamer", title="Een ochtend op de huiskamer",
                      category="ouderenzorg", prompts=PROMPTS,
                      contexts=("intake", "sollicitatie", "werkveldorientatie"))
    site.playlist("Intake ouderenzorg", "intake", [key])
    site.playlist("Sollicitatie ouderenzorg", "sollicitatie", [key])
    headset_id, token = site.enrol("Quest 01", "Intakekar", ["Intake ouderenzorg", "Sollicitatie ouderenzorg"])
    return {"key": key, "headset_id": headset_id, "token": token}


def headset_socket(site, token):
    url = site.base_url.replace("http://", "ws://") + "/api/device/ws"
    return connect(url, additional_headers={"Authorization": f"Bearer {token}"}, open_timeout=5)


def test_intake_starts_follows_notes_and_stops_a_session(site, room, open_as, shoot):
    page = open_as("intake")
    expect(page.get_by_role("heading", name="Goedendag, Ilse Intake")).to_be_visible()
    shoot(page, "start-intake")
    with headset_socket(site, room["token"]) as ws:
        page.get_by_role("link", name="Intakesessie starten").click()
        page.get_by_label("Afspeellijst").select_option(label="Intake ouderenzorg (1 scènes)")
        page.get_by_role("checkbox", name="Quest 01").check()
        page.get_by_role("textbox", name="Leerlingcode voor Quest 01").fill("K7F2")
        page.get_by_role("button", name="Start", exact=True).click()
        expect(page.get_by_role("status")).to_have_text("Sessie gestart.")
        start = json.loads(ws.recv(timeout=5))
        assert start["command"] == "start" and start["payload"]["scenes"] == [room["key"]]
        session_id = start["session_id"]
        assert f"/sessies/{session_id}?" in page.url
        # the headset reports where it is; the page follows without a reload
        ws.send(json.dumps({"type": "status", "state": "playing", "session_id": session_id,
                            "bundle_key": room["key"], "position_s": 75}))
        expect(page.locator("dd[data-live-time]")).to_have_text("1:15", timeout=6000)
        expect(page.locator("dd[data-live-scene]")).to_have_text("Een ochtend op de huiskamer")
        prompts = page.locator("#prompts li")
        expect(prompts).to_have_text(["Wat viel je op aan hoe de zorgverlener de bewoner aansprak?"])  # not HR's
        page.get_by_role("textbox", name="Notitie").fill("Vroeg veel over de nachtdienst.")
        page.get_by_role("button", name="Notitie bewaren").click()
        expect(page.locator("#notities")).to_contain_text("Vroeg veel over de nachtdienst.")
        shoot(page, "session-intake")
        page.get_by_role("button", name="Pauzeer").click()
        assert json.loads(ws.recv(timeout=5))["command"] == "pause"
        expect(page.locator("dd[data-session-state]")).to_have_text("gepauzeerd")
        page.get_by_role("button", name="Hercentreer").click()
        assert json.loads(ws.recv(timeout=5))["command"] == "recenter"
        page.get_by_role("button", name="Stop").click()
        assert json.loads(ws.recv(timeout=5))["command"] == "stop"
        expect(page.locator("dd[data-session-state]")).to_have_text("gestopt")
        expect(page.locator("#tijdlijn ~ ol")).to_contain_text("notitie")


def test_a_teacher_starts_the_class_together(site, room, open_as, shoot):
    site.playlist("Oriëntatie ouderenzorg", "werkveldorientatie", [room["key"]])
    _, token2 = site.enrol("Quest 02", "Klas 1A", ["Oriëntatie ouderenzorg"])
    _, token3 = site.enrol("Quest 03", "Klas 1A", [])
    with headset_socket(site, token2), headset_socket(site, token3):  # both switched on
        start_the_class(page=open_as("teacher", viewport=(820, 1180)), shoot=shoot)


def start_the_class(page, shoot):
    page.get_by_role("link", name="Klasoverzicht").click()
    page.get_by_label("Groep").select_option(label="Klas 1A")
    page.get_by_role("button", name="Toon").click()
    page.get_by_label("Afspeellijst").select_option(label="Oriëntatie ouderenzorg · Werkveldoriëntatie")
    page.get_by_role("button", name="Start voor de hele groep").click()
    expect(page.get_by_role("status")).to_have_text("2 sessies gestart.")
    expect(page.locator(".headset-tile")).to_have_count(2)
    shoot(page, "class-teacher-tablet")
    page.get_by_role("button", name="Stop").click()
    expect(page.get_by_role("status")).to_have_text("Stop: naar 2 headsets verstuurd.")


def test_a_form_without_its_csrf_token_is_refused(site, room, open_as):
    page = open_as("intake")
    page.goto(f"{site.base_url}/sessies")
    response = page.request.post(f"{site.base_url}/sessies/start", form={"playlist_id": "1", "headset_ids": "1"})
    assert response.status == 403 and "formulier" in response.json()["error"]["message"]


def test_hr_cannot_open_the_class_page_for_intake_sessions_it_does_not_run(site, room, open_as):
    page = open_as("comms")
    response = page.goto(f"{site.base_url}/sessies")
    assert response.status == 403
    expect(page.get_by_role("heading", name="Geen toegang")).to_be_visible()


def test_a_headset_that_is_off_is_named_and_the_others_still_start(site, room, open_as, shoot):
    _, on = site.enrol("Quest 11", "Intakekar 2", [])
    site.enrol("Quest 12", "Intakekar 2", [])  # never switched on
    page = open_as("intake")
    page.goto(f"{site.base_url}/sessies")
    with headset_socket(site, on) as ws:
        page.get_by_label("Afspeellijst").select_option(label="Intake ouderenzorg (1 scènes)")
        page.get_by_role("checkbox", name="Quest 11").check()
        page.get_by_role("checkbox", name="Quest 12").check()
        page.get_by_role("button", name="Start", exact=True).click()
        expect(page.get_by_role("status")).to_have_text("Sessie gestart.")
        expect(page.get_by_role("alert")).to_contain_text("Quest 12 is offline")
        shoot(page, "start-one-offline")
        start = json.loads(ws.recv(timeout=5))
        # Quest 11 did not hold the playlist: starting put it there, so its sync fetches the scene
        assert start["command"] == "start" and start["payload"]["scenes"] == [room["key"]]
        with site.device(on) as device:
            manifest = device.get("/api/device/manifest").json()
        assert [b["bundle_key"] for b in manifest["bundles"]] == [room["key"]]
        page.get_by_role("button", name="Stop").click()
        assert json.loads(ws.recv(timeout=5))["command"] == "stop"


def test_head_direction_follows_the_box_and_never_in_an_interview(site, room, open_as):
    page = open_as("admin")
    page.goto(f"{site.base_url}/sessies")
    box = page.get_by_label("Kijkrichting vastleggen")
    page.get_by_label("Afspeellijst").select_option(label="Sollicitatie ouderenzorg (1 scènes)")
    expect(box).not_to_be_checked()
    expect(box).to_be_disabled()
    page.get_by_label("Afspeellijst").select_option(label="Intake ouderenzorg (1 scènes)")
    expect(box).to_be_checked()
    box.uncheck()  # the begeleider says no: nothing of where the student looks is kept
    _, token = site.enrol("Quest 21", "Intakekar 3", [])
    page.reload()
    page.get_by_label("Afspeellijst").select_option(label="Intake ouderenzorg (1 scènes)")
    page.get_by_label("Kijkrichting vastleggen").uncheck()
    with headset_socket(site, token) as ws:
        page.get_by_role("checkbox", name="Quest 21").check()
        page.get_by_role("button", name="Start", exact=True).click()
        expect(page.get_by_role("status")).to_have_text("Sessie gestart.")
        start = json.loads(ws.recv(timeout=5))
        assert start["payload"]["record_head_direction"] is False
        page.get_by_role("button", name="Stop").click()
        assert json.loads(ws.recv(timeout=5))["command"] == "stop"
    with site.catalog.session() as db:
        from catalog import session_control

        assert session_control.get_session(db, start["session_id"]).record_head_direction is False


def test_pairing_codes_are_made_listed_and_withdrawn_on_the_sessions_page(site, open_as, shoot):
    page = open_as("hr")
    page.goto(f"{site.base_url}/sessies")
    page.get_by_label("Naam van de headset").fill("Quest HR")
    page.get_by_role("button", name="Koppelcode maken").click()
    expect(page.get_by_role("status")).to_contain_text("Koppelcode voor Quest HR:")
    codes = page.get_by_role("list", name="Openstaande koppelcodes")
    expect(codes).to_contain_text("Quest HR")
    expect(codes).to_contain_text("minuten geldig")
    shoot(page, "pairing-code-sessions")
    codes.get_by_role("listitem").filter(has_text="Quest HR").get_by_role("button", name="Intrekken").click()
    expect(page.get_by_role("status")).to_have_text("De koppelcode voor Quest HR is ingetrokken.")
    expect(page.get_by_role("list", name="Openstaande koppelcodes")).to_have_count(0)


def test_a_note_is_filed_under_the_scene_the_begeleider_picks(site, room, open_as):
    second = site.bundle(script="de-linde-ouderenzorg", scene="medicatie", title="De medicijnronde",
                         category="ouderenzorg", contexts=("intake",))
    site.playlist("Intake twee scènes", "intake", [room["key"], second])
    _, token = site.enrol("Quest 31", "Intakekar 4", [])
    page = open_as("intake")
    page.goto(f"{site.base_url}/sessies")
    with headset_socket(site, token) as ws:
        page.get_by_label("Afspeellijst").select_option(label="Intake twee scènes (2 scènes)")
        page.get_by_role("checkbox", name="Quest 31").check()
        page.get_by_role("button", name="Start", exact=True).click()
        session_id = json.loads(ws.recv(timeout=5))["session_id"]
        ws.send(json.dumps({"type": "status", "state": "playing", "session_id": session_id,
                            "bundle_key": room["key"], "position_s": 3}))
        page.get_by_label("Bij scène").select_option(label="2. De medicijnronde")
        page.get_by_role("textbox", name="Notitie").fill("Schrok van de medicijnkar.")
        page.get_by_role("button", name="Notitie bewaren").click()
        expect(page.locator("#notities li").first).to_contain_text("De medicijnronde")
        page.get_by_role("button", name="Stop").click()
        assert json.loads(ws.recv(timeout=5))["command"] == "stop"
    with site.catalog.session() as db:
        from catalog import reports, session_control

        assert [n.bundle_key for n in reports.notes_of(db, session_control.get_session(db, session_id))] == [second]
