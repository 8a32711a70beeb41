"""Session control over a real WebSocket (and the polling fallback), live status, and events."""

from __future__ import annotations

import contextlib
import json
import threading

import pytest
from websockets.exceptions import ConnectionClosed
from support import headset_socket, wait_for
from support import receive as recv


@pytest.fixture
def room(harness):
    """An intake playlist on a group of two quest2 headsets, an intake member of staff."""
    admin = harness.staff("admin")
    key = harness.bundle("huiskamer")
    intake = harness.playlist("Intake VVT", [key])
    interview = harness.playlist("Sollicitatie VVT", [key], context="sollicitatie")
    group = admin.post("/api/groups", json={"name": harness.unique("Intakekar")}).json()["id"]
    admin.put(f"/api/groups/{group}/playlists", json={"playlist_ids": [intake, interview]}).raise_for_status()
    headsets = [harness.enrol(f"Quest 0{n}", group_id=group) for n in (1, 2)]
    return {"admin": admin, "intake": harness.staff("intake"), "hr": harness.staff("hr"), "key": key, "group": group,
            "playlist": intake, "interview": interview, "headsets": headsets}


def socket_for(harness, token: str):
    return headset_socket(harness.base_url, token)


def test_start_pause_stop_reach_the_headset_over_its_websocket(harness, room):
    (headset_id, token), _ = room["headsets"]
    with socket_for(harness, token) as ws:
        wait_for(lambda: room["intake"].get(f"/api/headsets/{headset_id}").json()["live"]["via"] == "websocket", "online")
        session = room["intake"].post("/api/sessions", json={
            "context": "intake", "headset_id": headset_id, "playlist_id": room["playlist"], "learner_code": "K7F2"}).json()
        start = recv(ws)
        assert (start["command"], start["session_id"]) == ("start", session["id"])
        assert start["payload"]["scenes"] == [room["key"]] and start["payload"]["record_head_direction"] is True
        ws.send(json.dumps({"type": "ack", "id": start["id"]}))
        for command in ("pause", "resume", "recenter", "stop"):
            state = room["intake"].post(f"/api/sessions/{session['id']}/commands", json={"command": command}).json()
            assert recv(ws)["command"] == command
        assert state["state"] == "stopped" and state["ended_at"]


def test_live_status_shows_scene_and_position(harness, room):
    (headset_id, token), _ = room["headsets"]
    with socket_for(harness, token) as ws:
        ws.send(json.dumps({"type": "status", "state": "playing", "bundle_key": room["key"], "position_s": 41.5}))
        live = wait_for(lambda: (lv := room["intake"].get(f"/api/headsets/{headset_id}").json()["live"]).get("position_s")
                        and lv, "status")
        assert live == {"online": True, "via": "websocket", "state": "playing", "session_id": None,
                        "bundle_key": room["key"], "position_s": 41.5, "sync": None}
    wait_for(lambda: room["intake"].get(f"/api/headsets/{headset_id}").json()["live"]["via"] == "polling",
             "socket closed; still recently seen")


def test_a_class_starts_together_and_stops_together(harness, room):
    with contextlib.ExitStack() as stack:
        sockets = [stack.enter_context(socket_for(harness, token)) for _, token in room["headsets"]]
        for headset_id, _ in room["headsets"]:
            wait_for(lambda: room["admin"].get(f"/api/headsets/{headset_id}").json()["live"]["online"], "online")
        started = room["intake"].post(f"/api/groups/{room['group']}/sessions",
                                      json={"context": "intake", "playlist_id": room["playlist"]}).json()
        assert len(started) == 2 and len({s["run"] for s in started}) == 1
        assert [recv(ws)["command"] for ws in sockets] == ["start", "start"]
        stopped = room["intake"].post(f"/api/groups/{room['group']}/commands", json={"command": "stop"}).json()
        assert {s["state"] for s in stopped} == {"stopped"}
        assert [recv(ws)["command"] for ws in sockets] == ["stop", "stop"]


def test_an_offline_headset_catches_up_on_connect_and_by_polling(harness, room):
    (headset_id, token), _ = room["headsets"]
    session = room["intake"].post("/api/sessions", json={
        "context": "intake", "headset_id": headset_id, "playlist_id": room["playlist"]}).json()
    device = harness.client(token)
    polled = device.get("/api/device/commands", params={"after": 0}).json()
    assert [c["command"] for c in polled] == ["start"]
    with socket_for(harness, token) as ws:
        assert recv(ws)["id"] == polled[0]["id"]  # not acknowledged yet: sent again
    device.post("/api/device/status", json={"state": "playing", "session_id": session["id"], "ack": polled[0]["id"]})
    with socket_for(harness, token) as ws:
        room["intake"].post(f"/api/sessions/{session['id']}/commands", json={"command": "pause"})
        assert recv(ws)["command"] == "pause"  # the acknowledged start is not sent again
    assert device.get("/api/device/commands", params={"after": polled[0]["id"]}).json()[0]["command"] == "pause"


def test_revoking_closes_the_socket_and_the_token_gets_401(harness, room, error_shape):
    (headset_id, token), _ = room["headsets"]
    with socket_for(harness, token) as ws:
        wait_for(lambda: room["admin"].get(f"/api/headsets/{headset_id}").json()["live"]["online"], "online")
        room["admin"].post(f"/api/headsets/{headset_id}/revoke").raise_for_status()
        with pytest.raises(ConnectionClosed) as closed:
            ws.recv(timeout=5)
        assert closed.value.rcvd.code == 4401
    error_shape(harness.client(token).get("/api/device/manifest"), 401)
    error_shape(harness.client(token).get(f"/bundles/{room['key']}/manifest.json"), 401)
    with socket_for(harness, token) as ws, pytest.raises(ConnectionClosed):
        ws.recv(timeout=5)


def test_roles_run_only_their_own_context(room, error_shape):
    body = {"context": "intake", "playlist_id": room["playlist"]}
    error_shape(room["hr"].post(f"/api/groups/{room['group']}/sessions", json=body), 403)
    interview = room["hr"].post("/api/sessions", json={"context": "sollicitatie", "headset_id": room["headsets"][0][0],
                                                       "playlist_id": room["interview"]})
    assert interview.status_code == 201 and interview.json()["record_head_direction"] is False
    wrong = room["intake"].post("/api/sessions", json={"context": "intake", "playlist_id": room["interview"]})
    assert "sollicitatie" in error_shape(wrong, 409)["message"]


def test_a_session_is_read_only_by_the_roles_of_its_context(harness, room, error_shape):
    interview = room["hr"].post("/api/sessions", json={"context": "sollicitatie", "learner_code": "SOL-K7F2"}).json()
    for role in ("teacher", "intake"):
        refused = error_shape(harness.staff(role).get(f"/api/sessions/{interview['id']}"), 403)
        assert "SOL-K7F2" not in refused["message"] and "sollicitatie" in refused["message"]
    assert room["hr"].get(f"/api/sessions/{interview['id']}").json()["learner_code"] == "SOL-K7F2"
    assert room["admin"].get(f"/api/sessions/{interview['id']}").json()["learner_code"] == "SOL-K7F2"


def test_duplicated_event_batches_store_once_even_when_sent_at_the_same_time(harness, room):
    headset_id, token = room["headsets"][0]
    session = room["intake"].post("/api/sessions", json={"context": "intake", "headset_id": headset_id}).json()
    batch = {"events": [{"event_id": f"evt-{headset_id}-{n:04d}-dup", "kind": "hotspot_open", "at": f"2026-11-24T09:00:{n:02d}Z",
                         "bundle_key": room["key"], "data": {"hotspot": "tafel"}} for n in range(20)]}
    results = []
    threads = [threading.Thread(target=lambda: results.append(
        harness.client(token).post(f"/api/sessions/{session['id']}/events", json=batch).json())) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sum(r["stored"] for r in results) == 20 and all(r["received"] == 20 for r in results)
    assert len(room["intake"].get(f"/api/sessions/{session['id']}/events").json()) == 20


def test_head_direction_is_kept_at_5_hz_and_never_in_interviews(harness, room):
    headset_id, token = room["headsets"][0]
    device = harness.client(token)
    samples = [{"event_id": f"evt-head-{headset_id}-{n:04d}", "kind": "head_direction", "at": f"2026-11-24T09:00:00.{n * 50:03d}Z",
                "data": {"yaw": n, "pitch": 0}} for n in range(20)]  # 20 Hz for one second
    intake = room["intake"].post("/api/sessions", json={"context": "intake", "headset_id": headset_id}).json()
    result = device.post(f"/api/sessions/{intake['id']}/events", json={"events": samples}).json()
    assert result == {"received": 20, "stored": 5, "skipped": 15}
    interview = room["hr"].post("/api/sessions", json={"context": "sollicitatie", "headset_id": headset_id}).json()
    fresh = [{**s, "event_id": s["event_id"] + "-i"} for s in samples]
    assert device.post(f"/api/sessions/{interview['id']}/events", json={"events": fresh}).json()["stored"] == 0
    assert room["hr"].get(f"/api/sessions/{interview['id']}/events").json() == []


def test_a_headset_posts_events_only_to_its_own_sessions(harness, room, error_shape):
    (first, _), (_, other_token) = room["headsets"]
    session = room["intake"].post("/api/sessions", json={"context": "intake", "headset_id": first}).json()
    batch = {"events": [{"event_id": f"evt-x-{first}-000001", "kind": "session_start", "at": "2026-11-24T09:00:00Z"}]}
    error_shape(harness.client(other_token).post(f"/api/sessions/{session['id']}/events", json=batch), 403)


def test_event_data_is_bounded_per_event_and_per_batch_and_a_refused_batch_stores_nothing(harness, room, error_shape):
    headset_id, token = room["headsets"][0]
    device = harness.client(token)
    session = room["intake"].post("/api/sessions", json={"context": "intake", "headset_id": headset_id}).json()

    def event(n: int, size: int) -> dict:
        return {"event_id": f"evt-size-{headset_id}-{n:04d}", "kind": "hotspot_open", "at": f"2026-11-24T09:00:{n % 60:02d}Z",
                "data": {"hotspot": "x" * size}}

    big = device.post(f"/api/sessions/{session['id']}/events", json={"events": [event(0, 10), event(1, 20_000)]})
    refused = error_shape(big, 422)
    assert "events.1.data" in refused["message"] and "16 KB" in refused["message"]
    huge = device.post(f"/api/sessions/{session['id']}/events", json={"events": [event(0, 10), event(1, 5 << 20)]})
    assert "te groot" in error_shape(huge, 413)["message"]  # past the route's body limit: never parsed
    many = device.post(f"/api/sessions/{session['id']}/events", json={"events": [event(n, 15_000) for n in range(2, 102)]})
    assert error_shape(many, 422)["message"].startswith("ongeldig verzoek: events: ") and "1 MB" in many.text
    assert room["intake"].get(f"/api/sessions/{session['id']}/events").json() == []

    fits = device.post(f"/api/sessions/{session['id']}/events", json={"events": [event(0, 15_000), event(1, 10)]})
    assert fits.json() == {"received": 2, "stored": 2, "skipped": 0}
