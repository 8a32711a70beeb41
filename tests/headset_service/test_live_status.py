"""Online means heard from within 15 s (headset_service.live, a fake clock); the watchdog round
interrupts and ends sessions by it; numbers a device sends are checked at the door; battery and
storage from the headset are stored with the reason when missing."""

from __future__ import annotations

import asyncio
import json
import uuid
from datetime import datetime, timedelta

import httpx

from catalog import fleet, session_control
from headset_service.live import ONLINE_WINDOW_S, Live
from headset_service.watchdog import watch_once
from support import headset_socket, wait_for

T0 = datetime(2026, 12, 3, 9, 0)


class Clock:
    def __init__(self):
        self.s = 1000.0

    def monotonic(self) -> float:
        return self.s

    def wall(self) -> datetime:
        return T0 + timedelta(seconds=self.s - 1000.0)


def test_online_is_heard_within_15_seconds_and_an_open_socket_alone_is_not_enough():
    clock = Clock()
    live = Live(clock=clock.monotonic, wall=clock.wall)
    assert live.view(1) == {"online": False, "via": None} and live.last_heard(1) is None

    async def silent_socket():
        queue = live.connect(1)
        assert live.view(1)["via"] == "websocket"
        clock.s += ONLINE_WINDOW_S - 0.1
        assert live.online(1)
        clock.s += 0.1  # 15 s without a word, socket still open (a half-open socket after Wi-Fi went)
        assert live.view(1) == {"online": False, "via": None}
        live.seen(1)  # any message on it
        assert live.view(1)["via"] == "websocket" and live.last_heard(1) == T0 + timedelta(seconds=15)
        live.disconnect(1, queue)

    asyncio.run(silent_socket())
    assert live.view(1)["via"] == "polling"  # still heard recently, no socket
    live.report(1, {"state": "paused", "session_id": 4, "bundle_key": "k", "position_s": 3.0})
    clock.s += 14
    assert live.view(1) == {"online": True, "via": "polling", "state": "paused", "session_id": 4, "bundle_key": "k",
                            "position_s": 3.0}
    clock.s += 1
    assert not live.view(1)["online"]
    assert live.device_changed(1, {"battery": 80}) and not live.device_changed(1, {"battery": 80})
    assert live.device_changed(1, {"battery": 79})


def test_the_watchdog_round_interrupts_then_ends_a_session_at_its_last_word(catalog):
    clock = Clock()
    live = Live(clock=clock.monotonic, wall=clock.wall)
    with catalog.session() as db:
        code, _ = fleet.create_pairing_code(db, headset_name="Quest 9", profile="quest2")
        _, quest = fleet.pair_headset(db, code)
        session = session_control.start_session(db, context="intake", headset=quest)
        session.started_at, session_id, quest_id = T0 - timedelta(minutes=1), session.id, quest.id
    live.seen(quest_id)
    clock.s += 5
    assert watch_once(catalog, live, timedelta(minutes=2)) == []
    clock.s += 11  # 16 s since heard
    assert [c.became for c in watch_once(catalog, live, timedelta(minutes=2))] == ["interrupted"]
    clock.s += 120
    assert [c.became for c in watch_once(catalog, live, timedelta(minutes=2))] == ["stopped"]
    with catalog.session() as db:
        session = session_control.get_session(db, session_id)
        assert (session.state, session.ended_at, session.end_reason) == ("stopped", T0, "headset_gone")
        assert [c.command for c in session_control.unacked_commands(db, session.headset)] == ["start", "stop"]


def test_device_numbers_must_be_finite_and_in_range(harness, error_shape):
    _, token = harness.enrol(harness.unique("Quest"))
    device = harness.client(token)
    for body in ('{"state": "playing", "position_s": Infinity}', '{"state": "playing", "position_s": NaN}',
                 '{"state": "playing", "position_s": -1}', '{"device": {"battery": 101}}',
                 '{"device": {"free_bytes": 1e30}}'):
        error_shape(device.post("/api/device/status", content=body, headers={"Content-Type": "application/json"}), 422)
    error_shape(device.post("/api/device/inventory", json={"bundles": [], "free_bytes": 10**20}), 422)
    assert device.post("/api/device/status", json={"state": "playing", "position_s": 12.5}).status_code == 204
    # an event id the service keeps for itself is refused
    session = harness.staff("intake").post("/api/sessions", json={"context": "intake"}).json()
    forged = {"events": [{"event_id": f"svc-end-{session['id']}", "kind": "session_end", "at": "2026-12-03T09:00:00Z"}]}
    error_shape(harness.staff("intake").post(f"/api/sessions/{session['id']}/events", json=forged), 422)


def test_battery_and_storage_reports_are_stored_with_the_reason_when_missing(harness):
    headset_id, token = harness.enrol(harness.unique("Quest"))
    admin = harness.staff("admin")
    harness.client(token).post("/api/device/inventory", json={"bundles": [], "device": {
        "battery_reason": "browser geeft geen accustand", "free_bytes": 4_000_000_000}}).raise_for_status()
    with harness.catalog.session() as db:
        h = fleet.get_headset(db, headset_id)
        assert (h.battery, h.free_bytes, h.device_info["battery_reason"]) == (None, 4_000_000_000,
                                                                              "browser geeft geen accustand")
    with headset_socket(harness.base_url, token) as ws:  # later, over the socket, with the status
        ws.send(json.dumps({"type": "status", "state": "idle", "device": {"battery": 64, "charging": True,
                                                                           "free_bytes": 3_000_000_000}}))
        wait_for(lambda: admin.get(f"/api/headsets/{headset_id}").json()["battery"] == 64, "battery stored")
    with harness.catalog.session() as db:
        h = fleet.get_headset(db, headset_id)
        assert h.free_bytes == 3_000_000_000 and h.device_info["charging"] is True
        assert "battery_reason" not in h.device_info


def test_a_class_pause_skips_a_session_whose_headset_is_gone(harness):
    admin, intake = harness.staff("admin"), harness.staff("intake")
    playlist = harness.playlist("Klas VVT", [harness.bundle("gang")])
    group = admin.post("/api/groups", json={"name": harness.unique("Klas")}).json()["id"]
    admin.put(f"/api/groups/{group}/playlists", json={"playlist_ids": [playlist]}).raise_for_status()
    headsets = [harness.enrol(harness.unique("Quest"), group_id=group) for _ in range(2)]
    with headset_socket(harness.base_url, headsets[1][1]):  # the second one is there (the watchdog agrees)
        started = {s["headset_id"]: s["id"] for s in intake.post(
            f"/api/groups/{group}/sessions", json={"context": "intake", "playlist_id": playlist}).json()}
        gone, there = started[headsets[0][0]], started[headsets[1][0]]
        with harness.catalog.session() as db:
            session_control.get_session(db, gone).state = "interrupted"
        paused = intake.post(f"/api/groups/{group}/commands", json={"command": "pause"})
        assert paused.status_code == 200, paused.text
        assert {s["id"]: s["state"] for s in paused.json()} == {gone: "interrupted", there: "paused"}


def test_a_heartbeat_is_answered_at_once_and_counts_as_heard(harness):
    headset_id, token = harness.enrol(harness.unique("Quest"))
    with headset_socket(harness.base_url, token) as ws:
        ws.send(json.dumps({"type": "heartbeat"}))
        assert json.loads(ws.recv(timeout=5)) == {"type": "heartbeat"}
        assert harness.staff("admin").get(f"/api/headsets/{headset_id}").json()["live"]["online"]


def test_a_headset_asks_which_open_session_to_take_up_again(harness):
    """GET /api/device/session: the open session (start command, scene, position, paused) for a
    page that lost it; nothing (204) once it is stopped or for another headset."""
    keys = [harness.bundle("huiskamer"), harness.bundle("tuin")]
    playlist = harness.playlist("Intake VVT", keys)
    headset_id, token = harness.enrol(harness.unique("Quest"))
    _, other = harness.enrol(harness.unique("Quest"))
    device = {"authorization": f"Bearer {token}"}
    with httpx.Client(base_url=harness.base_url) as client:
        assert client.get("/api/device/session", headers=device).status_code == 204
        assert client.get("/api/device/session").status_code == 401
        intake = harness.staff("intake")
        session = intake.post("/api/sessions", json={"context": "intake", "headset_id": headset_id,
                                                     "playlist_id": playlist}).json()["id"]
        point = client.get("/api/device/session", headers=device).json()
        assert (point["session_id"], point["index"], point["position_s"], point["paused"]) == (session, None, None, False)
        assert point["payload"]["scenes"] == keys and point["command_id"] > 0
        client.post(f"/api/sessions/{session}/events", headers=device, json={"events": [
            {"event_id": str(uuid.uuid4()), "kind": "scene_start", "at": "2026-01-01T10:00:00",
             "data": {"index": 1}, "bundle_key": keys[1]}]}).raise_for_status()
        client.post("/api/device/status", headers=device, json={"state": "paused", "session_id": session,
                                                                  "bundle_key": keys[1], "position_s": 12.5})
        intake.post(f"/api/sessions/{session}/commands", json={"command": "pause"}).raise_for_status()
        point = client.get("/api/device/session", headers=device).json()
        assert (point["index"], point["position_s"], point["paused"]) == (1, 12.5, True)
        assert client.get("/api/device/session", headers={"authorization": f"Bearer {other}"}).status_code == 204
        intake.post(f"/api/sessions/{session}/commands", json={"command": "stop"}).raise_for_status()
        assert client.get("/api/device/session", headers=device).status_code == 204


def test_a_page_waiting_for_a_headsets_next_report_gets_it_as_it_comes():
    """Meekijken's long poll: wait_for_report returns at the report after the count the page has,
    at once when it is there already, and after the timeout when none comes."""
    import threading
    import time

    live = Live()
    live.report(7, {"state": "playing", "yaw": 10.0})
    had = live.reports(7)
    started = time.monotonic()
    live.wait_for_report(7, had - 1, timeout=5)  # it has come already
    assert time.monotonic() - started < 0.5
    threading.Timer(0.2, live.report, (7, {"state": "playing", "yaw": 20.0})).start()
    live.wait_for_report(7, had, timeout=5)
    waited = time.monotonic() - started
    assert 0.15 < waited < 2 and live.reports(7) == had + 1 and live.view(7)["yaw"] == 20.0
    started = time.monotonic()
    live.wait_for_report(7, had + 1, timeout=0.3)  # nothing new: back after the timeout
    assert 0.25 < time.monotonic() - started < 2
