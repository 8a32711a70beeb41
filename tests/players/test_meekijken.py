"""Meekijken: the staff session page renders the scene the headset plays from its own copy of the
bundle and turns it with the head direction the headset reports (no video stream). Only when the
session records head direction, and never in a sollicitatie. The latency of a head turn reaching
the staff view is printed here (bench/class_sync.py measures it properly)."""

from __future__ import annotations

import pytest
from players.classrig import SESSION_COOKIE, wait_for
from playwright.sync_api import expect

TURN_WITHIN_MS = 5000  # loose: software GL on a busy shared machine; the 250 ms target is measured by the bench


@pytest.fixture
def intake(harness, photo_scene):
    admin = harness.staff("admin")
    key = photo_scene("huiskamer", contexts=["intake", "sollicitatie"])
    playlists = {c: harness.playlist(f"Meekijken {c}", [key], context=c) for c in ("intake", "sollicitatie")}
    group = admin.post("/api/groups", json={"name": harness.unique("Intakekar")}).json()["id"]
    admin.put(f"/api/groups/{group}/playlists", json={"playlist_ids": list(playlists.values())}).raise_for_status()
    name = harness.unique("Quest")
    code = admin.post("/api/headsets/pairing-codes", json={"name": name, "profile": "quest2", "group_id": group}).json()
    return {"key": key, "playlists": playlists, "code": code["code"], "name": name, "admin": admin}


def small_page(browser, width: int, height: int):
    """Small pages: software GL draws every turn, and the machine running the suite is shared."""
    context = browser.new_context(viewport={"width": width, "height": height})
    page = context.new_page()
    page.errors = []
    page.on("pageerror", lambda e: page.errors.append(str(e)))
    return page


@pytest.fixture
def headset(browser):
    page = small_page(browser, 320, 240)
    try:
        yield page
    finally:
        page.context.close()


def staff_page(browser, harness, role: str):
    context = browser.new_context(viewport={"width": 480, "height": 700})
    context.add_cookies([{"name": SESSION_COOKIE, "value": harness.staff(role).headers["authorization"][7:],
                          "url": harness.base_url}])
    page = context.new_page()
    page.errors = []
    page.on("pageerror", lambda e: page.errors.append(str(e)))
    return page


def pair(page, harness, intake) -> int:
    page.goto(f"{harness.base_url}/headset")
    page.get_by_label("Koppelcode").fill(intake["code"])
    page.get_by_role("button", name="Koppelen").click()
    page.get_by_text("Wacht op de begeleider…").wait_for(timeout=15000)
    return next(h["id"] for h in intake["admin"].get("/api/headsets").json() if h["name"] == intake["name"])


def start(harness, intake, headset_id: int, context: str, **extra) -> int:
    role = {"intake": "intake", "sollicitatie": "hr"}[context]
    return harness.staff(role).post("/api/sessions", json={"context": context, "headset_id": headset_id,
                                                          "playlist_id": intake["playlists"][context], **extra}).json()["id"]


def test_the_staff_page_turns_with_the_headset(harness, intake, headset, browser):
    page = headset
    headset_id = pair(page, harness, intake)
    session_id = start(harness, intake, headset_id, "intake")
    wait_for(lambda: page.evaluate("k => zorgblik.scene?.key === k && zorgblik.player.frames > 0", intake["key"]),
             "the scene on the headset")
    staff = staff_page(browser, harness, "intake")
    try:
        staff.goto(f"{harness.base_url}/sessies/{session_id}")
        expect(staff.get_by_role("heading", name="Meekijken")).to_be_visible()
        wait_for(lambda: staff.evaluate("k => window.zorgblikMeekijken?.scene?.key === k", intake["key"]),
                 "the staff page's own copy of the scene")
        latencies = []
        for yaw, pitch in [(90, 10), (-120, -20), (0, 0)]:
            t0 = page.evaluate("([y, p]) => { zorgblik.player.look(y, p); return Date.now(); }", [yaw, pitch])
            shown = wait_for(lambda: staff.evaluate(
                "([y, p]) => { const h = zorgblikMeekijkenHead, v = zorgblikMeekijken.player;"
                " return h.yaw === y && h.pitch === p && Math.abs(((v.yaw - y + 540) % 360) - 180) < 2"
                " && Math.abs(v.pitch - p) < 2 && h.reached; }",
                [yaw, pitch]), f"the staff view turned to {yaw}°")
            latencies.append(shown - t0)
        print("meekijken head turn → staff view (ms):", latencies)
        assert max(latencies) < TURN_WITHIN_MS, latencies
        live = intake["admin"].get(f"/api/headsets/{headset_id}").json()["live"]
        assert live["yaw"] == 0 and live["pitch"] == 0
        assert staff.errors == [] and page.errors == []
    finally:
        staff.context.close()


def test_no_meekijken_in_sollicitatie_nor_without_head_direction(harness, intake, headset, browser):
    page = headset
    headset_id = pair(page, harness, intake)
    staff = staff_page(browser, harness, "hr")
    try:
        session_id = start(harness, intake, headset_id, "sollicitatie")
        wait_for(lambda: page.evaluate("zorgblik.session?.id") == session_id, "the interview on the headset")
        page.evaluate("zorgblik.player.look(45, 0); zorgblik.reportStatus()")
        staff.goto(f"{harness.base_url}/sessies/{session_id}")
        expect(staff.locator("[data-meekijken]")).to_contain_text("Meekijken kan niet in een sollicitatiegesprek.")
        assert staff.locator("#meekijk").count() == 0
        assert harness.staff("hr").get(f"/sessies/{session_id}/meekijken.json").json()["on"] is False
        live = wait_for(lambda: (v := intake["admin"].get(f"/api/headsets/{headset_id}").json()["live"])
                        .get("session_id") == session_id and v, "the headset's status")
        assert "yaw" not in live and "pitch" not in live  # no head direction leaves the headset

        session_id = start(harness, intake, headset_id, "intake", record_head_direction=False)
        wait_for(lambda: page.evaluate("zorgblik.session?.id") == session_id, "the intake on the headset")
        staff.context.add_cookies([{"name": SESSION_COOKIE, "value": harness.staff("intake").headers["authorization"][7:],
                                    "url": harness.base_url}])
        staff.goto(f"{harness.base_url}/sessies/{session_id}")
        expect(staff.locator("[data-meekijken]")).to_contain_text("Meekijken staat uit")
        assert harness.staff("intake").get(f"/sessies/{session_id}/meekijken.json").json()["on"] is False
    finally:
        staff.context.close()
