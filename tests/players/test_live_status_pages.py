"""Status that tells the truth, in real browsers against the real service: a headset page that is
closed shows offline on the sessions page within 20 s (and its session "onderbroken") while the
other headset goes on; a paused headset shows "Gepauzeerd"; two members of staff on one session
both see a pause within about a second; battery and storage come from the headset's browser."""

from __future__ import annotations

import time
from datetime import timezone

import pytest
from playwright.sync_api import expect

from catalog import fleet, session_control

PASSWORD = "correct-paard-batterij"  # tests/headset_service/conftest.py's staff


@pytest.fixture
def contexts(browser):
    """``contexts()``: a new browser context, closed after the test (a headset page left running
    keeps drawing and slows every other test)."""
    made = []

    def make(**kw):
        made.append(browser.new_context(**kw))
        return made[-1]

    yield make
    for context in made:
        context.close()


def staff_page(contexts, harness, role: str):
    harness.staff(role)  # the account exists
    context = contexts(viewport={"width": 1280, "height": 800}, locale="nl-NL")
    page = context.new_page()
    page.set_default_timeout(15000)
    page.goto(f"{harness.base_url}/")
    page.get_by_label("Gebruikersnaam").fill(f"{role}-test")
    page.get_by_label("Wachtwoord").fill(PASSWORD)
    page.get_by_role("button", name="Inloggen").click()
    page.wait_for_url(f"{harness.base_url}/")
    return context, page


def headset_page(contexts, harness, code: str):
    context = contexts(viewport={"width": 800, "height": 600})
    page = context.new_page()
    page.set_default_timeout(30000)  # pairing and syncing on a loaded test machine
    page.errors = []
    page.on("pageerror", lambda e: page.errors.append(str(e)))
    page.goto(f"{harness.base_url}/headset")
    page.get_by_label("Koppelcode").fill(code)
    page.get_by_role("button", name="Koppelen").click()
    page.get_by_text("Wacht op de begeleider…").wait_for(timeout=45000)
    return context, page


def showing(page, key: str) -> bool:
    return page.evaluate("k => window.zorgblik.scene?.key === k && window.zorgblik.player.frames > 0", key)


def test_a_closed_headset_page_is_offline_within_20_s_while_the_other_goes_on(harness, photo_scene, contexts):
    admin, intake = harness.staff("admin"), harness.staff("intake")
    key = photo_scene("huiskamer")
    playlist = harness.playlist("Intake VVT", [key])
    group = admin.post("/api/groups", json={"name": harness.unique("Intakekar")}).json()["id"]
    admin.put(f"/api/groups/{group}/playlists", json={"playlist_ids": [playlist]}).raise_for_status()
    names = [harness.unique("Quest"), harness.unique("Quest")]
    codes = [admin.post("/api/headsets/pairing-codes", json={"name": n, "profile": "quest2", "group_id": group}).json()["code"]
             for n in names]
    (gone_context, gone), (_, stays) = [headset_page(contexts, harness, c) for c in codes]
    ids = {h["name"]: h["id"] for h in admin.get("/api/headsets").json()}
    gone_id, stays_id = ids[names[0]], ids[names[1]]
    sessions = {s["headset_id"]: s["id"] for s in intake.post(
        f"/api/groups/{group}/sessions", json={"context": "intake", "playlist_id": playlist}).json()}
    for page in (gone, stays):  # shown, and in this class (a group's sessions share a run) started together
        page.wait_for_function("k => window.zorgblik.scene?.key === k && window.zorgblik.player.frames > 0"
                               " && (!window.zorgblik.session?.run || window.zorgblik.session.at != null)", arg=key)

    # the headset's browser told its battery and storage (or why not), stored beside the headset
    with harness.catalog.session() as db:
        h = fleet.get_headset(db, gone_id)
        assert h.free_bytes is not None and h.free_bytes > 0
        assert h.battery is not None or h.device_info.get("battery_reason")

    # paused: the headset says so, in 2D and as a panel for VR; resumed: gone again
    intake.post(f"/api/sessions/{sessions[gone_id]}/commands", json={"command": "pause"}).raise_for_status()
    expect(gone.locator("#paused")).to_be_visible()
    expect(gone.locator("#paused")).to_contain_text("Gepauzeerd")
    # still shown once the class's start moment has passed (a pause that came between the cue and
    # that moment lost its VR notice when the scene was shown)
    gone.wait_for_function("() => !window.zorgblik.session.run || window.zorgblik.session.started === window.zorgblik.session.index")
    assert gone.evaluate("window.zorgblik.player.noticeShown && window.zorgblik.player.renderer.panelGeometry[1] !== null")
    intake.post(f"/api/sessions/{sessions[gone_id]}/commands", json={"command": "resume"}).raise_for_status()
    expect(gone.locator("#paused")).to_be_hidden()

    _, staff = staff_page(contexts, harness, "intake")
    staff.goto(f"{harness.base_url}/sessies")
    row = {hid: staff.locator(f'tr[data-session="{sessions[hid]}"]') for hid in (gone_id, stays_id)}
    for hid in (gone_id, stays_id):
        expect(row[hid].locator(f'[data-live-online="{hid}"]')).to_have_text("online")
        expect(row[hid].locator(f'[data-session-state="{sessions[hid]}"]')).to_have_text("loopt")

    gone_context.close()
    closed = time.monotonic()
    expect(row[gone_id].locator(f'[data-live-online="{gone_id}"]')).to_have_text("offline", timeout=20000)
    assert time.monotonic() - closed <= 20
    expect(row[gone_id].locator(f'[data-session-state="{sessions[gone_id]}"]')).to_have_text("onderbroken", timeout=20000)
    # the other one goes on: online, playing, its session running
    expect(row[stays_id].locator(f'[data-live-online="{stays_id}"]')).to_have_text("online")
    expect(row[stays_id].locator(f'[data-session-state="{sessions[stays_id]}"]')).to_have_text("loopt")
    assert showing(stays, key) and stays.evaluate("window.zorgblik.session !== null")
    assert stays.errors == []

    staff.goto(f"{harness.base_url}/sessies/{sessions[gone_id]}")
    timeline = staff.locator("ol.timeline")
    expect(timeline).to_contain_text("gepauzeerd door intake")
    expect(timeline).to_contain_text("hervat door intake")
    expect(timeline).to_contain_text("onderbroken: headset niet meer gehoord")


def test_two_staff_pages_both_see_a_pause_within_a_second(harness, contexts):
    session = harness.staff("intake").post("/api/sessions", json={"context": "intake"}).json()["id"]
    _, first = staff_page(contexts, harness, "intake")
    _, second = staff_page(contexts, harness, "admin")
    for page in (first, second):
        page.goto(f"{harness.base_url}/sessies/{session}")
        expect(page.locator("dd[data-session-state]")).to_have_text("loopt")
        page.evaluate("""() => { const el = document.querySelector('dd[data-session-state]');
            new MutationObserver(() => { if (el.textContent === 'gepauzeerd' && !window.pausedSeenAt)
                window.pausedSeenAt = Date.now(); }).observe(el, {childList: true, characterData: true, subtree: true}); }""")
    first.get_by_role("button", name="Pauzeer").click()
    expect(first.locator("dd[data-session-state]")).to_have_text("gepauzeerd")
    # a function, not an expression: Playwright polls an expression with eval, which the page's CSP
    # refuses (the test failed whenever the pause was not seen at the first look, under load)
    second.wait_for_function("() => window.pausedSeenAt", timeout=5000)
    with harness.catalog.session() as db:  # the moment the service applied the pause
        applied = next(e.at for e in session_control.get_session(db, session).events if e.kind == "command")
    delay_s = second.evaluate("window.pausedSeenAt") / 1000 - applied.replace(tzinfo=timezone.utc).timestamp()
    print(f"the other staff page showed the pause {delay_s:.2f} s after the service applied it")
    assert delay_s <= 1.0
    expect(second.get_by_role("button", name="Pauzeer")).to_be_hidden()  # no pausing a paused session
    harness.staff("intake").post(f"/api/sessions/{session}/commands", json={"command": "stop"}).raise_for_status()
    expect(second.locator("dd[data-session-state]")).to_have_text("gestopt", timeout=3000)
    expect(second.get_by_role("button", name="Stop")).to_be_hidden()


def test_a_headset_that_drops_out_plays_on_and_rejoins_at_its_scene(harness, photo_scene, contexts):
    admin, intake = harness.staff("admin"), harness.staff("intake")
    keys = [photo_scene("huiskamer"), photo_scene("tuin")]
    playlist = harness.playlist("Intake VVT", keys)
    group = admin.post("/api/groups", json={"name": harness.unique("Intakekar")}).json()["id"]
    admin.put(f"/api/groups/{group}/playlists", json={"playlist_ids": [playlist]}).raise_for_status()
    name = harness.unique("Quest")
    code = admin.post("/api/headsets/pairing-codes", json={"name": name, "profile": "quest2", "group_id": group}).json()
    context, page = headset_page(contexts, harness, code["code"])
    headset_id = next(h["id"] for h in admin.get("/api/headsets").json() if h["name"] == name)
    session = intake.post("/api/sessions", json={"context": "intake", "headset_id": headset_id,
                                                 "playlist_id": playlist}).json()["id"]
    page.wait_for_function("k => window.zorgblik.scene?.key === k", arg=keys[0])

    def live():
        return admin.get(f"/api/headsets/{headset_id}").json()["live"]

    def state():
        return intake.get(f"/api/sessions/{session}").json()["state"]

    context.set_offline(True)  # the Wi-Fi goes
    page.wait_for_function("() => !window.zorgblik.commands.ws", timeout=60000)  # it noticed
    deadline = time.monotonic() + 40
    while (live()["online"] or state() != "interrupted") and time.monotonic() < deadline:
        page.wait_for_timeout(500)
    assert not live()["online"] and state() == "interrupted"
    page.get_by_role("button", name="Volgende scène").click()  # the learner plays on, offline
    page.wait_for_function("k => window.zorgblik.scene?.key === k", arg=keys[1])

    context.set_offline(False)  # back: it says where it is, the session goes on
    deadline = time.monotonic() + 30
    while (live().get("bundle_key") != keys[1] or state() != "running") and time.monotonic() < deadline:
        page.wait_for_timeout(500)
    assert live()["online"] and live()["bundle_key"] == keys[1] and live()["session_id"] == session
    assert state() == "running"
