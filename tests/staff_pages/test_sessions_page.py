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
        page.get_by_label("Quest 01").check()
        page.get_by_label("Leerlingcode").fill("K7F2")
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
    site.enrol("Quest 02", "Klas 1A", ["Oriëntatie ouderenzorg"])
    site.enrol("Quest 03", "Klas 1A", [])
    page = open_as("teacher", viewport=(820, 1180))
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
