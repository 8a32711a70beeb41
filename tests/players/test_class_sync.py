"""A class in step, as a teacher runs it on the pages alone: a playlist made on Afspeellijsten,
five headset pages (headless Chromium, one browser profile each) paired with codes made on
Sessies for one group, the lesson started on /klas, every headset starting each scene at the same
server time, holding at the scene's end for the teacher, "Verder" moving them all on together,
the projector page following; one headset's page closed shows offline within 20 s while the
others go on.

The spread of the start moments (when each headset's picture showed the scene's 0:00, on the
service's clock: its first frame's display time less that frame's media time) is printed and held
to SPREAD_MS, issue 12's figure for this test; the 40 ms target is bench/class_sync.py's. A headset
whose start timer fired late (a busy machine: five pages share two cores here) goes in where the
class will be when its picture shows, so a late timer does not make a late start."""

from __future__ import annotations

import time

import pytest
from players.classrig import ClassRoom, make_clip
from support import shoot, wait_for
from playwright.sync_api import expect

SPREAD_MS = 250


@pytest.fixture(scope="module")
def clips(tmp_path_factory) -> list[bytes]:
    folder = tmp_path_factory.mktemp("clips")
    return [make_clip(folder / "a.mp4", 2), make_clip(folder / "b.mp4", 6)]


@pytest.fixture
def room(harness, browser, clips, panorama, media_scene):
    room = ClassRoom.open(harness, browser, media_scene, clips, panorama, count=5)
    try:
        yield room
    finally:
        room.close()


def test_a_class_starts_together_holds_and_moves_on_at_verder(room):
    first, second = room.keys
    shoot(room.teacher, "class-1-klas-before-start")
    room.start()
    expect(room.teacher.get_by_role("status")).to_have_text("5 sessies gestart.")

    starts = room.starts(0)
    assert {s["how"] for s in starts} <= {"rvfc", "raf"}
    assert len({s["at_ms"] for s in starts}) == 1  # one server time T for the whole class
    print("scene 0: spread of starts", room.spread(starts), "ms (lead, late, start latency, error):",
          [(s["lead_ms"], s["late_ms"], s["start_latency_ms"], s["start_error_ms"]) for s in starts])
    assert room.spread(starts) <= SPREAD_MS, starts
    assert all("joined_late_ms" not in s for s in starts)  # all were ready: nobody had to catch up

    # the projector page shows the class's scene, its prompts and the headsets in a row
    projector = room.projector
    expect(projector.locator("body")).to_have_attribute("data-bundle-key", first)
    expect(projector.locator("#prompts li")).to_have_text(["Wat doet de verzorgende als eerste?"])  # not intake's
    expect(projector.locator("#headsets li")).to_have_count(5)
    wait_for(lambda: projector.evaluate("window.zorgblikProjector?.scene?.element.currentTime > 0.2"),
             "the projector's copy playing")

    # every scene ends waiting for the teacher: the headsets hold, the projector says so
    shoot(room.headsets[0], "class-2-headset-playing")
    room.all_waiting(0)
    shoot(room.projector, "class-3-projector-waiting")
    shoot(room.teacher, "class-4-klas-waiting")
    for page in room.headsets:
        expect(page.locator("#message")).to_have_text("Wacht op de docent…")
    expect(projector.locator('#headsets li[data-state="waiting"]')).to_have_count(5, timeout=10000)
    assert all(p.evaluate("zorgblik.session.index") == 0 for p in room.headsets)  # nobody moved on alone

    room.press("Verder")
    starts = room.starts(1)
    print("scene 1: spread of starts", room.spread(starts), "ms")
    assert len({s["at_ms"] for s in starts}) == 1
    assert room.spread(starts) <= SPREAD_MS, starts
    expect(projector.locator("body")).to_have_attribute("data-bundle-key", second)
    expect(projector.locator("body")).to_have_attribute("data-state", "playing")

    # the class pauses together at one moment, and resumes from it
    room.press("Pauzeer")
    wait_for(lambda: all(p.evaluate("zorgblik.session.state === 'paused' && zorgblik.scene.element.paused")
                         for p in room.headsets), "every headset paused")
    held = [p.evaluate("zorgblik.scene.element.currentTime") for p in room.headsets]
    assert max(held) - min(held) < 0.1, held
    expect(projector.locator("body")).to_have_attribute("data-state", "paused")

    # one headset's page is closed: the class page shows it offline within 20 s, the others go on
    gone = room.headsets.pop()
    gone.context.close()
    closed = time.monotonic()
    room.press("Hervat")
    expect(room.teacher.locator("[data-live-online]").filter(has_text="offline")).to_have_count(1, timeout=20000)
    print(f"closed headset offline on the class page after {time.monotonic() - closed:.1f} s")
    shoot(room.teacher, "class-5-klas-one-offline")
    expect(room.teacher.locator("[data-live-online]").filter(has_text="online")).to_have_count(4)
    wait_for(lambda: all(p.evaluate("t => zorgblik.session.state === 'playing' && zorgblik.scene.element.currentTime > t",
                                    max(held) + 0.5) for p in room.headsets), "the others playing on")

    room.press("Stop")
    wait_for(lambda: all(p.evaluate("document.body.dataset.state") == "waiting" for p in room.headsets),
             "every headset back to waiting")
    events = room.harness.staff("teacher").get(f"/api/sessions/{starts[0]['session_id']}/events").json()
    scene_starts = [e["data"] for e in events if e["kind"] == "scene_start"]
    assert [s["index"] for s in scene_starts] == [0, 1]
    assert all("first_frame_server_ms" in s and "at_ms" in s for s in scene_starts)
    for page in [*room.headsets, room.projector, room.teacher]:
        assert page.errors == []


def test_a_headset_without_a_websocket_follows_the_class_by_polling(harness, browser, clips, panorama, media_scene):
    """A classroom network that lets no WebSocket through: that headset sends "loaded" over HTTP
    and polls the class's cue (and the service's clock) — it starts with the class and moves on
    at "Verder" like the others."""
    room = ClassRoom.open(harness, browser, media_scene, clips, panorama, count=2, polling=1)
    try:
        polling, socket = room.headsets
        room.start()
        starts = room.starts(0)
        print("scene 0 with a polling headset: spread", room.spread(starts), "ms", starts)
        assert room.spread(starts) <= SPREAD_MS, starts
        assert polling.evaluate("zorgblik.clock.synced && !zorgblik.commands.connected")
        room.all_waiting(0)
        room.press("Verder")
        starts = room.starts(1)
        assert room.spread(starts) <= SPREAD_MS, starts
        assert polling.evaluate("zorgblik.commands.connected") is False
        assert polling.errors == [] and socket.errors == []
    finally:
        room.close()
