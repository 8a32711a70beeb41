"""The headset page in headless Chromium against the real service: pairing, sync into Cache
Storage, a whole intake session started and stopped by staff, in VR (iwer emulating a Quest 3)
and in 2D, events that survive the Wi-Fi dropping, and a video scene played from Cache Storage."""

from __future__ import annotations

import subprocess

import pytest
from support import wait_for

TAFEL = {"id": "tafel", "kind": "info", "yaw": 30, "pitch": 0, "start": None, "end": None,
         "label": {"nl": "De tafel"}, "text": {"nl": "Hier eten de bewoners samen."}}
RAAM = {"id": "raam", "kind": "info", "yaw": 60, "pitch": 5, "start": None, "end": None,
        "label": {"nl": "Het raam"}, "text": {"nl": "Uitzicht op de tuin."}}




@pytest.fixture
def intake(harness, photo_scene):
    """An intake playlist of two photo scenes, on a group; a pairing code for a headset in it."""
    admin = harness.staff("admin")
    keys = [photo_scene("huiskamer", [TAFEL, RAAM]), photo_scene("tuin")]
    playlist = harness.playlist("Intake VVT", keys)
    group = admin.post("/api/groups", json={"name": harness.unique("Intakekar")}).json()["id"]
    admin.put(f"/api/groups/{group}/playlists", json={"playlist_ids": [playlist]}).raise_for_status()
    name = harness.unique("Quest")
    code = admin.post("/api/headsets/pairing-codes", json={"name": name, "profile": "quest2", "group_id": group}).json()
    return {"keys": keys, "playlist": playlist, "code": code["code"], "name": name, "staff": harness.staff("intake"),
            "admin": admin}


def pair(page, harness, intake) -> int:
    page.goto(f"{harness.base_url}/headset")
    page.get_by_role("heading", name="Koppel deze headset").wait_for()
    page.get_by_label("Koppelcode").fill(intake["code"].lower())
    page.get_by_role("button", name="Koppelen").click()
    page.get_by_text("Wacht op de begeleider…").wait_for(timeout=30000)  # the sync of its scenes comes first
    headsets = intake["admin"].get("/api/headsets").json()
    return next(h["id"] for h in headsets if h["name"] == intake["name"])


def start_session(intake, headset_id: int) -> int:
    return intake["staff"].post("/api/sessions", json={"context": "intake", "headset_id": headset_id,
                                                       "playlist_id": intake["playlist"], "learner_code": "K7F2"}).json()["id"]


def events_of(intake, session_id: int) -> list[dict]:
    return intake["staff"].get(f"/api/sessions/{session_id}/events").json()


def showing(page, key: str) -> bool:
    return page.evaluate("k => window.zorgblik.scene?.key === k && window.zorgblik.player.frames > 0", key)


def centre_pixel(page) -> list[int]:
    return page.evaluate("""() => {
        const src = document.getElementById('sphere'), c = document.createElement('canvas');
        c.width = src.width; c.height = src.height;
        const g = c.getContext('2d'); g.drawImage(src, 0, 0);
        return Array.from(g.getImageData(src.width >> 1, src.height >> 1, 1, 1).data);
    }""")


def test_a_full_intake_session_in_vr_reaches_the_session_log(harness, intake, xr_page):
    page = xr_page
    headset_id = pair(page, harness, intake)
    cached = page.evaluate("async () => (await (await caches.open('zorgblik-bundles')).keys()).map(r => new URL(r.url).pathname)")
    assert {f"/bundles/{k}/scene.quest2.jpg" for k in intake["keys"]} <= set(cached)

    session_id = start_session(intake, headset_id)
    first, second = intake["keys"]
    wait_for(lambda: showing(page, first), "the first scene on screen")
    wait_for(lambda: page.evaluate("window.zorgblik.player.frames") > 5, "2D frames")
    assert sum(centre_pixel(page)[:3]) > 30  # the panorama, not a black canvas

    page.get_by_role("button", name="Start VR").click()
    wait_for(lambda: page.evaluate("window.zorgblik.player.xr?.frames || 0") > 10, "immersive frames")
    # turn the right controller 30° to the right, at the table (the head keeps looking ahead, so no
    # dwell opens it first), then pull and release the trigger
    page.evaluate("""() => { const q = xrDevice.controllers.right.quaternion, a = -15 * Math.PI / 180;
                             q.set(0, Math.sin(a), 0, Math.cos(a)); xrDevice.notifyStateChange(); }""")
    page.evaluate("xrDevice.controllers.right.updateButtonValue('trigger', 1)")
    wait_for(lambda: page.evaluate("window.zorgblik.player.xr.frames") > 15, "a frame with the trigger down")
    page.evaluate("xrDevice.controllers.right.updateButtonValue('trigger', 0)")
    wait_for(lambda: page.evaluate("window.zorgblik.player.opened?.id") == "tafel", "the table's hotspot open")

    page.evaluate("document.getElementById('next').click()")
    wait_for(lambda: showing(page, second), "the second scene")
    frames = page.evaluate("window.zorgblik.player.xr.frames")
    wait_for(lambda: page.evaluate("window.zorgblik.player.xr.frames") > frames + 5, "frames of the second scene")

    stopped = intake["staff"].post(f"/api/sessions/{session_id}/commands", json={"command": "stop"}).json()
    assert stopped["state"] == "stopped"
    wait_for(lambda: page.evaluate("document.body.dataset.state") == "waiting", "the headset back to waiting")
    assert page.evaluate("window.zorgblik.player.xr") is None  # left VR

    log = wait_for(lambda: (e := events_of(intake, session_id)) and e[-1]["kind"] == "session_end" and e, "session_end")
    story = [(e["kind"], e["data"].get("index"), e["data"].get("hotspot")) for e in log if e["kind"] != "head_direction"]
    assert story == [("session_start", None, None), ("scene_start", 0, None), ("hotspot_open", None, "tafel"),
                     ("scene_end", 0, None), ("scene_start", 1, None), ("scene_end", 1, None), ("session_end", None, None)]
    by_kind = {e["kind"]: e for e in log}
    assert by_kind["hotspot_open"]["data"]["via"] == "controller"
    assert by_kind["session_end"]["data"]["reason"] == "gestopt door begeleider"
    heads = [e for e in log if e["kind"] == "head_direction"]
    assert heads and abs(heads[0]["data"]["yaw"]) < 1  # looking straight ahead, at most 5 a second kept
    live = intake["admin"].get(f"/api/headsets/{headset_id}").json()["live"]
    assert live["state"] == "idle"
    assert page.errors == []


def test_2d_mode_keyboard_and_an_offline_spell(harness, intake, page):
    """On the projector: arrows look around, Tab reaches a hotspot, Enter opens it. With the Wi-Fi
    gone the event waits in the queue and the next scene plays from Cache Storage; back online,
    the event arrives."""
    headset_id = pair(page, harness, intake)
    session_id = start_session(intake, headset_id)
    first, second = intake["keys"]
    wait_for(lambda: showing(page, first), "the first scene on screen")
    page.route("**/api/sessions/*/events", lambda route: route.abort("internetdisconnected"))
    page.route("**/bundles/**", lambda route: route.abort("internetdisconnected"))

    page.locator("#sphere").focus()
    for _ in range(3):
        page.keyboard.press("ArrowRight")
    page.keyboard.press("ArrowUp")
    assert page.evaluate("[zorgblik.player.yaw, zorgblik.player.pitch]") == [15, 5]
    page.keyboard.press("Tab")
    focused = page.evaluate("document.activeElement.dataset.hotspot")
    assert focused == "tafel"
    assert page.evaluate("zorgblik.player.yaw") == 30  # turned to the hotspot the keyboard reached
    page.keyboard.press("Enter")
    assert "Hier eten de bewoners samen." in page.locator("#live").text_content()
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.dataset.hotspot") == "raam"

    page.get_by_role("button", name="Volgende scène").click()
    wait_for(lambda: showing(page, second), "the second scene, from Cache Storage")
    pending = page.evaluate("JSON.parse(localStorage.getItem('zorgblik.events')).map(i => i.event.kind)")
    assert "hotspot_open" in pending and "scene_start" in pending
    assert "hotspot_open" not in [e["kind"] for e in events_of(intake, session_id)]

    page.unroute("**/api/sessions/*/events")
    page.evaluate("dispatchEvent(new Event('online'))")
    log = wait_for(lambda: (e := events_of(intake, session_id)) and len(e) >= 5 and e, "the queued events")
    assert [e["kind"] for e in log] == ["session_start", "scene_start", "hotspot_open", "scene_end", "scene_start"]
    assert log[2]["data"] == {"hotspot": "tafel", "kind": "info", "via": "2d"}
    # the service has them; the page clears its queue when the answer is back: wait for that, not a moment
    wait_for(lambda: page.evaluate("JSON.parse(localStorage.getItem('zorgblik.events')).length") == 0,
             "the page's queue emptied")
    intake["staff"].post(f"/api/sessions/{session_id}/commands", json={"command": "stop"}).raise_for_status()
    wait_for(lambda: page.evaluate("document.body.dataset.state") == "waiting", "back to waiting")
    assert page.errors == []


def test_the_staff_preview_plays_a_scene_in_2d(harness, photo_scene, page):
    key = photo_scene("gang", [TAFEL])
    page.context.add_cookies([{"name": "zorgblik_sessie", "value": harness.staff("intake").headers["authorization"][7:],
                               "url": harness.base_url}])
    page.goto(f"{harness.base_url}/speler/{key}")
    wait_for(lambda: page.evaluate("window.zorgblikPlayer?.scene ? window.zorgblikPlayer.frames : 0") > 3, "preview frames")
    assert page.locator(".zb-hotspot").count() == 1
    assert sum(centre_pixel(page)[:3]) > 30
    assert page.errors == []



@pytest.fixture(scope="module")
def clip(tmp_path_factory) -> bytes:
    """4 s of 512×256 H.264 with sound, the whole frame's hue turning: every frame differs at the centre."""
    out = tmp_path_factory.mktemp("media") / "clip.mp4"
    subprocess.run(["ffmpeg", "-loglevel", "error", "-f", "lavfi", "-i", "color=c=red:size=512x256:rate=25:duration=4,hue=H=PI*t/2",
                    "-f", "lavfi", "-i", "sine=frequency=440:duration=4", "-c:v", "libx264", "-preset", "ultrafast",
                    "-pix_fmt", "yuv420p", "-g", "25", "-c:a", "aac", "-shortest", "-movflags", "+faststart", "-y", str(out)],
                   check=True)
    return out.read_bytes()


@pytest.fixture
def video_intake(harness, media_scene, clip, panorama):
    admin = harness.staff("admin")
    key = media_scene("ochtendzorg", ("scene.quest2.mp4", clip), panorama, media_kind="video", duration_s=4.0)
    playlist = harness.playlist("Intake video", [key])
    group = admin.post("/api/groups", json={"name": harness.unique("Videokar")}).json()["id"]
    admin.put(f"/api/groups/{group}/playlists", json={"playlist_ids": [playlist]}).raise_for_status()
    name = harness.unique("Quest")
    code = admin.post("/api/headsets/pairing-codes", json={"name": name, "profile": "quest2", "group_id": group}).json()
    return {"keys": [key], "playlist": playlist, "code": code["code"], "name": name, "staff": harness.staff("intake"),
            "admin": admin, "bytes": clip}


def test_a_video_scene_plays_from_cache_storage_and_its_frames_advance(harness, video_intake, page):
    headset_id = pair(page, harness, video_intake)
    key = video_intake["keys"][0]
    page.reload()  # opened again without anyone touching the page: autoplay rules apply
    page.get_by_text("Wacht op de begeleider…").wait_for(timeout=15000)
    session_id = start_session(video_intake, headset_id)

    wait_for(lambda: page.evaluate("k => zorgblik.scene?.key === k && zorgblik.scene.element.currentTime > 0.3", key),
             "the video playing")
    assert page.evaluate("zorgblik.scene.element.src").startswith("blob:")  # from Cache Storage, not the network
    first_time, first_pixel = page.evaluate("zorgblik.scene.element.currentTime"), centre_pixel(page)
    wait_for(lambda: page.evaluate("zorgblik.scene.element.currentTime") > first_time + 1, "a second of video")
    later = centre_pixel(page)
    assert sum(abs(a - b) for a, b in zip(first_pixel[:3], later[:3])) > 40, (first_pixel, later)  # the hue moved on

    # the service worker serves a seek's Range request from the cached copy
    part = page.evaluate("""async (k) => {
        const url = new URL(`/bundles/${k}/scene.quest2.mp4`, location.href).href;
        const r = await fetch(url, {headers: {Range: 'bytes=1000-1099'}}), bytes = new Uint8Array(await r.arrayBuffer());
        await new Promise((done) => setTimeout(done, 50)); // resource timing lands after the body
        return {status: r.status, range: r.headers.get('Content-Range'), bytes: Array.from(bytes),
                viaWorker: performance.getEntriesByName(url).some((e) => e.workerStart > 0)};
    }""", key)
    whole = video_intake["bytes"]
    assert part == {"status": 206, "range": f"bytes 1000-1099/{len(whole)}", "bytes": list(whole[1000:1100]),
                    "viaWorker": True}

    # the scene ends by itself and so does the playlist
    log = wait_for(lambda: (e := events_of(video_intake, session_id)) and e[-1]["kind"] == "session_end" and e,
                   "the end of the video and the playlist", seconds=10)
    scene_end = next(e for e in log if e["kind"] == "scene_end")
    assert scene_end["data"]["reason"] == "einde scène" and scene_end["data"]["position_s"] >= 3.5
    assert page.errors == []


# starting is the assignment: a headset that does not hold the playlist fetches it when the
# session starts, says how far it is, and plays once it has what it needs
def test_a_headset_without_the_playlist_fetches_it_at_the_start_and_then_plays(harness, photo_scene, page):
    keys = [photo_scene("huiskamer"), photo_scene("tuin")]
    playlist = harness.playlist("Intake zonder toewijzing", keys)
    admin, staff = harness.staff("admin"), harness.staff("intake")
    name = harness.unique("Quest")
    code = admin.post("/api/headsets/pairing-codes", json={"name": name, "profile": "quest2"}).json()["code"]
    headset_id = pair(page, harness, {"code": code, "admin": admin, "name": name})
    assert page.evaluate("() => [...window.zorgblik.held]") == []  # nothing assigned: nothing synced

    page.evaluate("""() => { const c = window.zorgblik.commands, report = c.report.bind(c); window.reported = [];
                             c.report = (s) => { window.reported.push(s); return report(s); }; }""")
    session = staff.post("/api/sessions", json={"context": "intake", "headset_id": headset_id, "playlist_id": playlist})
    assert session.status_code == 201, session.text
    wait_for(lambda: showing(page, keys[0]), "the first scene, once fetched", seconds=20)
    assert sorted(page.evaluate("() => [...window.zorgblik.held]")) == sorted(keys)
    live = wait_for(lambda: (lv := staff.get(f"/api/headsets/{headset_id}").json()["live"]).get("sync") and lv, "sync")
    assert live["sync"]["state"] == "ready" and live["sync"]["done_bytes"] == live["sync"]["total_bytes"] > 0, live
    reported = page.evaluate("() => window.reported")
    assert any((r.get("sync") or {}).get("state") == "downloading" for r in reported)  # the begeleider saw it coming
