"""A headset that drops out mid-session and comes back rejoins at the right scene and time: its
page reloaded (or the browser restarted) takes the open session up again — alone at the scene and
moment where the viewer was, paused if it was paused; in a class at the class's scene and time —
without a second session start in the timeline."""

from __future__ import annotations

import pytest
from players.classrig import ClassRoom, make_clip
from support import shoot, wait_for


@pytest.fixture(scope="module")
def clips(tmp_path_factory) -> list[bytes]:
    folder = tmp_path_factory.mktemp("clips")
    return [make_clip(folder / "a.mp4", 6), make_clip(folder / "b.mp4", 20)]


def paired(page, harness, group: int | None = None) -> int:
    """Pair ``page`` as a new headset (its pairing code from the admin); returns the headset's id."""
    name = harness.unique("Quest")
    admin = harness.staff("admin")
    code = admin.post("/api/headsets/pairing-codes", json={"name": name, "profile": "quest2", "group_id": group}).json()["code"]
    page.goto(f"{harness.base_url}/headset")
    page.get_by_label("Koppelcode").fill(code)
    page.get_by_role("button", name="Koppelen").click()
    page.get_by_text("Wacht op de begeleider…").wait_for(timeout=45000)
    return next(h["id"] for h in admin.get("/api/headsets").json() if h["name"] == name)


def at(page, index: int, after_s: float) -> bool:
    return page.evaluate("([i, t]) => zorgblik.session?.index === i && zorgblik.scene?.key === zorgblik.session.scenes[i]"
                         " && zorgblik.scene.element.currentTime > t", [index, after_s])


def test_a_reloaded_headset_page_takes_its_session_up_again_where_it_was(harness, media_scene, panorama, clips, page):
    keys = [media_scene(f"deel{n}", ("scene.quest2.mp4", clip), panorama, media_kind="video", duration_s=None)
            for n, clip in enumerate(clips)]
    playlist = harness.playlist("Intake VVT", keys)
    headset_id = paired(page, harness)
    intake = harness.staff("intake")
    session = intake.post("/api/sessions", json={"context": "intake", "headset_id": headset_id,
                                                 "playlist_id": playlist}).json()["id"]
    page.wait_for_function("() => zorgblik.scene?.element?.currentTime > 0.5", timeout=30000)
    intake.post(f"/api/sessions/{session}/commands", json={"command": "next"}).raise_for_status()
    wait_for(lambda: at(page, 1, 2.0), "the second scene playing for 2 s", seconds=30)
    intake.post(f"/api/sessions/{session}/commands", json={"command": "pause"}).raise_for_status()
    page.wait_for_function("() => zorgblik.session.state === 'paused' && zorgblik.scene.element.paused")
    held = page.evaluate("zorgblik.scene.element.currentTime")
    wait_for(lambda: intake.get(f"/api/headsets/{headset_id}").json()["live"].get("state") == "paused",
             "the pause reported")

    page.reload()
    page.wait_for_function("s => zorgblik.session?.id === s && zorgblik.scene?.element?.readyState >= 2", arg=session,
                           timeout=30000)
    assert page.evaluate("zorgblik.session.index") == 1  # the scene it was in, not the first again
    assert page.evaluate("zorgblik.scene.element.currentTime") == pytest.approx(held, abs=0.3)
    assert page.evaluate("zorgblik.session.state") == "paused"
    assert page.locator("#paused").is_visible()  # still says "Gepauzeerd"
    shoot(page, "rejoin-1-headset-reloaded-paused")

    intake.post(f"/api/sessions/{session}/commands", json={"command": "resume"}).raise_for_status()
    wait_for(lambda: at(page, 1, held + 0.5), "playing on from where it was paused", seconds=30)
    assert page.locator("#paused").is_hidden()

    intake.post(f"/api/sessions/{session}/commands", json={"command": "stop"}).raise_for_status()
    page.get_by_text("Wacht op de begeleider…").wait_for()
    events = wait_for(lambda: (e := intake.get(f"/api/sessions/{session}/events").json())
                      and any(x["kind"] == "session_end" for x in e) and e, "the events stored")
    kinds = [e["kind"] for e in events]
    assert kinds.count("session_start") == 1  # a rejoin is no new session
    again = [e["data"] for e in events if e["kind"] == "scene_start" and e["data"].get("from_s")]
    assert len(again) == 1 and again[0]["index"] == 1 and again[0]["from_s"] == pytest.approx(held, abs=0.3), events
    assert page.errors == []


def test_no_open_session_means_nothing_to_take_up(harness, page):
    paired(page, harness)
    page.reload()
    page.get_by_text("Wacht op de begeleider…").wait_for(timeout=30000)
    assert page.evaluate("zorgblik.session") is None


def test_a_reloaded_headset_in_a_class_comes_back_at_the_class_scene_and_time(harness, browser, media_scene, panorama,
                                                                              clips):
    room = ClassRoom.open(harness, browser, media_scene, clips, panorama, count=2)
    try:
        room.start()
        room.starts(0)
        room.press("Verder")  # the teacher moves on early: the class is in its 20 s scene 1
        room.starts(1)
        back, stays = room.headsets
        session = back.evaluate("zorgblik.session.id")
        wait_for(lambda: at(stays, 1, 1.5), "the class 1.5 s into scene 1")
        back.reload()
        back.wait_for_function("s => zorgblik.session?.id === s && zorgblik.starts.length > 0", arg=session,
                               timeout=30000)
        start = back.evaluate("zorgblik.starts[0]")
        assert start["index"] == 1 and start["joined_late_ms"] > 1000  # it joined the running scene late…
        wait_for(lambda: back.evaluate("zorgblik.scene.element.currentTime > 0 && !zorgblik.scene.element.seeking"),
                 "playing again")
        apart = back.evaluate("zorgblik.scene.element.currentTime") - stays.evaluate("zorgblik.scene.element.currentTime")
        assert abs(apart) < 0.5, apart  # …at the class's time, not from the start
        assert back.errors == [] and stays.errors == []
    finally:
        room.close()
