"""The learning-workplace profile in the headset, against the real service in Chromium: an intake
for a BBL level 3 learner shows the welcome panel, the BBL level 3 expectations in the script's
own words (not the BOL ones), how a student is welcomed, then the scenes, then the questions to
take into the conversation; in 2D by keyboard, in VR with the trigger, readable and in contrast."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest

from sqlalchemy import select

from catalog import Headset, Playlist, SceneVersion, Session, playlists, queries
from support import staff_browser_page, wait_for

DEMO = Path(__file__).parents[2] / "demo" / "scripts" / "de-linde-ouderenzorg.yaml"
BBL_3 = "Je draait na de inwerkperiode zelfstandig mee in de ochtendzorg."
BOL_3 = "Je stelt je voor aan elke bewoner voordat je iets doet."
PROMPT = "Wat spreekt je aan in dit werk, en wat vind je spannend?"
PROMPT_EN = "What draws you to this work, and what do you find exciting?"




def pair(page, harness, intake) -> int:
    page.goto(f"{harness.base_url}/headset")
    page.get_by_label("Koppelcode").fill(intake["code"])
    page.get_by_role("button", name="Koppelen").click()
    page.get_by_text("Wacht op de begeleider…").wait_for(timeout=30000)
    return next(h["id"] for h in intake["admin"].get("/api/headsets").json() if h["name"] == intake["name"])


def showing(page, key: str) -> bool:
    return page.evaluate("k => window.zorgblik.scene?.key === k && window.zorgblik.player.frames > 0", key)


@pytest.fixture
def profile_intake(harness, photo_scene):
    """Two photo scenes built from the demo script of De Linde, on an intake playlist on a group."""
    admin = harness.staff("admin")
    keys = [photo_scene("huiskamer"), photo_scene("tuin")]
    # the scenes as built: the script's scene ids are the bundles' scene keys (made unique per test here)
    source = (DEMO.read_text(encoding="utf-8").replace("- id: huiskamer", f"- id: {harness.scene_of[keys[0]]}")
              .replace("- id: tuin", f"- id: {harness.scene_of[keys[1]]}"))
    with harness.catalog.session() as db:
        sv = queries.record_script_version(db, name="de-linde-ouderenzorg", organisation="Zorggroep De Linde",
                                           care_category="ouderenzorg", sha256=hashlib.sha256(source.encode()).hexdigest(),
                                           source=source)
        for key in keys:
            queries.scene_version_by_bundle_key(db, key).script_version_id = sv.id
    name = harness.unique("Intake De Linde")
    playlist = harness.playlist(name, keys)
    group = admin.post("/api/groups", json={"name": harness.unique("Intakekar")}).json()["id"]
    admin.put(f"/api/groups/{group}/playlists", json={"playlist_ids": [playlist]}).raise_for_status()
    name_headset = harness.unique("Quest")
    code = admin.post("/api/headsets/pairing-codes", json={"name": name_headset, "profile": "quest2", "group_id": group}).json()
    return {"keys": keys, "playlist": playlist, "playlist_name": name, "code": code["code"], "name": name_headset,
            "staff": harness.staff("intake"), "admin": admin}


def start(intake, headset_id: int) -> int:
    return intake["staff"].post("/api/sessions", json={"context": "intake", "headset_id": headset_id,
                                                       "playlist_id": intake["playlist"], "learner_code": "K7F2",
                                                       "route": "BBL", "level": 3}).json()["id"]


def panel_text(page) -> str:
    return page.locator("#panel").inner_text()


def panel_kind(page) -> str | None:
    return page.evaluate("document.getElementById('panel').hidden ? null : document.getElementById('panel').dataset.kind")


def test_a_bbl_level_3_intake_shows_the_profile_around_the_scenes_by_keyboard(harness, profile_intake, page):
    intake = profile_intake
    headset_id = pair(page, harness, intake)
    session_id = start(intake, headset_id)

    page.get_by_role("heading", name="Welkom bij Zorggroep De Linde").wait_for()
    assert "Team Eikenhof" in panel_text(page) and "07:00 Overdracht van de nachtdienst" in panel_text(page)
    assert page.locator("#panel").get_attribute("aria-live") == "polite"
    # the keyboard reaches "Verder": it has the focus, and Tab from the view comes back to it
    assert page.evaluate("document.activeElement.textContent") == "Verder"
    page.locator("#sphere").focus()
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.className") == "zb-panel-next"
    page.keyboard.press("Enter")

    wait_for(lambda: panel_kind(page) == "expectations", "the expectations panel")
    text = panel_text(page)
    assert BBL_3 in text and "Voor BBL niveau 3" in text
    assert BOL_3 not in text
    page.keyboard.press("Enter")  # "Verder" has the focus again

    wait_for(lambda: panel_kind(page) == "guidance", "the welcome-and-supervision panel")
    assert "Werkbegeleider: Verzorgende IG niveau 3" in panel_text(page)
    # staff's "next" moves past a panel too
    intake["staff"].post(f"/api/sessions/{session_id}/commands", json={"command": "next"}).raise_for_status()
    first, second = intake["keys"]
    wait_for(lambda: showing(page, first), "the first scene")
    assert panel_kind(page) is None

    page.get_by_role("button", name="Volgende scène").click()
    wait_for(lambda: showing(page, second), "the second scene")
    page.get_by_role("button", name="Volgende scène").click()
    wait_for(lambda: panel_kind(page) == "closing", "the closing panel")
    assert "Neem mee naar het gesprek" in panel_text(page) and PROMPT in panel_text(page)
    page.keyboard.press("Enter")
    wait_for(lambda: page.evaluate("document.body.dataset.state") == "waiting", "the end of the session")

    def told():
        events = intake["staff"].get(f"/api/sessions/{session_id}/events").json()
        return events if events and events[-1]["kind"] == "session_end" else None

    log = wait_for(told, "the whole log")
    story = [(e["kind"], e["data"].get("kind") or e["data"].get("index")) for e in log]
    assert story == [("session_start", None),
                     ("panel_show", "welcome"), ("panel_end", "welcome"),
                     ("panel_show", "expectations"), ("panel_end", "expectations"),
                     ("panel_show", "guidance"), ("panel_end", "guidance"),
                     ("scene_start", 0), ("scene_end", 0), ("scene_start", 1), ("scene_end", 1),
                     ("panel_show", "closing"), ("panel_end", "closing"), ("session_end", None)]
    ends = [e["data"]["reason"] for e in log if e["kind"] == "panel_end"]
    assert ends == ["verder door kijker", "verder door kijker", "volgende door begeleider", "verder door kijker"]
    assert page.errors == []


def test_a_session_started_in_english_on_the_page_shows_the_panels_in_english(harness, profile_intake, browser, page):
    intake = profile_intake
    pair(page, harness, intake)
    staff = staff_browser_page(browser, harness.base_url, "intake-test")
    try:
        staff.get_by_role("navigation", name="Hoofdmenu").get_by_role("link", name="Sessies").click()
        staff.get_by_label("Afspeellijst").select_option(str(intake["playlist"]))
        staff.get_by_role("checkbox", name=intake["name"]).check()
        staff.get_by_label("Leerweg").select_option("BBL")
        staff.get_by_label("Niveau").select_option("3")
        staff.get_by_label("Taal in de headset").select_option("en")
        staff.get_by_role("button", name="Start").click()
        staff.get_by_role("status").get_by_text("Sessie gestart.").wait_for()
    finally:
        staff.context.close()

    page.get_by_role("heading", name="Welcome to Zorggroep De Linde").wait_for()
    assert page.evaluate("document.documentElement.lang") == "en"
    assert page.evaluate("document.activeElement.textContent") == "Continue"
    page.keyboard.press("Enter")
    wait_for(lambda: panel_kind(page) == "expectations", "the expectations panel")
    assert "For BBL level 3" in panel_text(page) and BBL_3 in panel_text(page)  # the script's Dutch fact as written
    page.keyboard.press("Enter")
    wait_for(lambda: panel_kind(page) == "guidance", "the guidance panel")
    page.keyboard.press("Enter")
    first, second = intake["keys"]
    wait_for(lambda: showing(page, first), "the first scene")
    page.get_by_role("button", name="Volgende scène").click()
    wait_for(lambda: showing(page, second), "the second scene")
    page.get_by_role("button", name="Volgende scène").click()
    wait_for(lambda: panel_kind(page) == "closing", "the closing panel")
    assert "Take into the conversation" in panel_text(page) and PROMPT_EN in panel_text(page)
    assert PROMPT not in panel_text(page)
    page.keyboard.press("Enter")
    wait_for(lambda: page.evaluate("document.body.dataset.state") == "waiting", "the end of the session")
    assert page.evaluate("document.documentElement.lang") == "nl"  # the next session starts in Dutch again
    with harness.catalog.session() as db:
        assert db.scalar(select(Session.language).order_by(Session.id.desc()).limit(1)) == "en"
    assert page.errors == []


def _luminance(hex_colour: str) -> float:
    channels = [int(hex_colour[i:i + 2], 16) / 255 for i in (1, 3, 5)]
    r, g, b = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast(a: str, b: str) -> float:
    hi, lo = sorted((_luminance(a), _luminance(b)), reverse=True)
    return (hi + 0.05) / (lo + 0.05)


def test_in_vr_the_panel_is_readable_and_the_trigger_goes_on(harness, profile_intake, xr_page):
    page, intake = xr_page, profile_intake
    headset_id = pair(page, harness, intake)
    start(intake, headset_id)
    wait_for(lambda: page.evaluate("zorgblik.session?.panel?.queue[0].kind") == "welcome", "the welcome panel")
    page.get_by_role("button", name="Start VR").click()
    wait_for(lambda: page.evaluate("window.zorgblik.player.xr?.frames || 0") > 5, "immersive frames")
    assert page.evaluate("zorgblik.player.renderer.panelGeometry[1] !== null")  # drawn into the scene

    style = page.evaluate("import('/static/player/panels.js').then(m => m.PANEL_STYLE)")
    angles = page.evaluate("""import('/static/player/panels.js').then(m => [m.PANEL_STYLE.font, m.PANEL_STYLE.headingFont]
                              .map(px => m.textAngleDeg(px)))""")
    assert min(angles) >= 1.5, angles  # each line of text ≥ 1.5° even at the panel's corner
    assert contrast(style["text"], style["background"]) >= 4.5
    assert contrast(style["heading"], style["background"]) >= 4.5
    sizes = page.evaluate("zorgblik.session.panel.pages.map(c => [c.width, c.height])")
    assert all(w == style["canvasWidth"] and h <= w for w, h in sizes)  # no page taller than the angle test assumed

    for kind in ("welcome", "expectations", "guidance"):
        wait_for(lambda k=kind: page.evaluate("(p => p && p.queue[p.at].kind)(zorgblik.session.panel)") == k, kind)
        if kind == "expectations":
            text = page.evaluate("JSON.stringify(zorgblik.session.panel.queue[1])")
            assert BBL_3 in text and BOL_3 not in text
        pages = page.evaluate("zorgblik.session.panel.pages.length")
        for _ in range(pages):
            frames = page.evaluate("zorgblik.player.xr.frames")
            page.evaluate("xrDevice.controllers.right.updateButtonValue('trigger', 1)")
            wait_for(lambda f=frames: page.evaluate("zorgblik.player.xr.frames") > f + 2, "a frame with the trigger down")
            page.evaluate("xrDevice.controllers.right.updateButtonValue('trigger', 0)")
            wait_for(lambda f=frames: page.evaluate("zorgblik.player.xr.frames") > f + 4, "a frame with it up")
    wait_for(lambda: showing(page, intake["keys"][0]), "the first scene after the panels")
    assert page.evaluate("zorgblik.player.renderer.panelGeometry[1]") is None
    assert page.errors == []


def test_a_script_without_a_valid_profile_shows_no_panels(harness, photo_scene):
    """Older catalog rows (text that is no script) cost the headset nothing: no profile in the manifest."""
    key = photo_scene("gang")
    with harness.catalog.session() as db:
        version = queries.scene_version_by_bundle_key(db, key)
        assert isinstance(version, SceneVersion)
        playlist = playlists.create_playlist(db, name=harness.unique("Oud"), context="intake", scenes=[version.scene]).id
    headset_id, token = harness.enrol(harness.unique("Quest"))
    with harness.catalog.session() as db:
        headset = db.get(Headset, headset_id)
        headset.playlists.append(db.get(Playlist, playlist))
    manifest = harness.client(token).get("/api/device/manifest").json()
    assert key in [b["bundle_key"] for b in manifest["bundles"]]
    assert manifest["profiles"] == {}
