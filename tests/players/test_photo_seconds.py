"""The headset page honours a playlist's photo seconds: a photo with seconds moves on by itself
after them (their clock stops while the session is paused); a photo without stays until "verder"."""

from __future__ import annotations

from support import wait_for




def test_a_photo_stays_its_seconds_and_no_longer_and_pausing_stops_its_clock(harness, photo_scene, page):
    admin, staff = harness.staff("admin"), harness.staff("intake")
    keys = [photo_scene("voordeur"), photo_scene("gang"), photo_scene("keuken")]
    refs = harness.refs(keys)
    playlist = staff.post("/api/playlists", json={"name": harness.unique("Rondleiding"), "context": "intake", "scenes": [
        {**refs[0], "photo_seconds": 1}, {**refs[1], "photo_seconds": 600}, refs[2]]}).raise_for_status().json()["id"]
    name = harness.unique("Quest")
    group = admin.post("/api/groups", json={"name": harness.unique("Rondleidingkar")}).json()["id"]
    admin.put(f"/api/groups/{group}/playlists", json={"playlist_ids": [playlist]}).raise_for_status()
    code = admin.post("/api/headsets/pairing-codes", json={"name": name, "profile": "quest2", "group_id": group}).json()
    page.goto(f"{harness.base_url}/headset")
    page.get_by_label("Koppelcode").fill(code["code"])
    page.get_by_role("button", name="Koppelen").click()
    page.get_by_text("Wacht op de begeleider…").wait_for(timeout=15000)
    headset_id = next(h["id"] for h in admin.get("/api/headsets").json() if h["name"] == name)

    session = staff.post("/api/sessions", json={"context": "intake", "headset_id": headset_id,
                                                "playlist_id": playlist}).raise_for_status().json()["id"]
    showing = "k => window.zorgblik.scene?.key === k"
    wait_for(lambda: page.evaluate(showing, keys[1]), "the first photo moving on after its second")

    def command(name: str) -> None:
        staff.post(f"/api/sessions/{session}/commands", json={"command": name}).raise_for_status()

    command("pause")
    wait_for(lambda: page.evaluate("zorgblik.session?.state") == "paused", "the headset paused")
    left = page.evaluate("[zorgblik.player._photoEnd, zorgblik.player._photoLeft]")
    assert left[0] is None and 500_000 < left[1] <= 600_000  # the clock stopped, ten minutes nearly all left
    command("resume")
    wait_for(lambda: page.evaluate("zorgblik.player._photoEnd") is not None, "the photo's clock running again")

    command("next")
    wait_for(lambda: page.evaluate(showing, keys[2]), "the last photo")
    assert page.evaluate("[zorgblik.scene.photoSeconds, zorgblik.player._photoEnd ?? null]") == [None, None]  # until verder

    command("stop")
    log = wait_for(lambda: (e := staff.get(f"/api/sessions/{session}/events").json()) and e[-1]["kind"] == "session_end"
                   and e, "the session's events")
    ends = [e["data"]["reason"] for e in log if e["kind"] == "scene_end"]
    assert ends == ["einde scène", "volgende door begeleider", "gestopt door begeleider"]
    assert page.errors == []
