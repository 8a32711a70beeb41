"""The class's timing (headset_service.classroom) without a browser: one T for every headset once
all online ones have loaded, late joiners get the same T, "verder" loads the next scene for all,
pause holds at one position and resume gives a new T that continues from it."""

from __future__ import annotations

from catalog.runs import RunPlan
from headset_service.classroom import DEFAULT_RTT_MS, MIN_MARGIN_MS, Classroom


class FakeLive:
    """The seam the classroom talks through: who is online, and what was sent to whom."""

    def __init__(self, online: set[int]):
        self.online = online
        self.sent: list[tuple[int, dict]] = []

    def view(self, headset_id: int) -> dict:
        return {"online": headset_id in self.online, "via": "websocket" if headset_id in self.online else None}

    def send(self, headset_id: int, message: dict) -> int:
        self.sent.append((headset_id, message))
        return 1

    def take(self) -> list[tuple[int, dict]]:
        out, self.sent = self.sent, []
        return out


def classroom(now: list[float], online=(10, 20, 30)):
    live = FakeLive(set(online))
    room = Classroom(live, clock=lambda: now[0])
    room.ensure(RunPlan(run="r", context="werkveldorientatie", sessions={1: 10, 2: 20, 3: 30}, scenes=["a", "b"]))
    return room, live


def test_one_start_time_once_every_online_headset_has_loaded():
    now = [1_000_000.0]
    room, live = classroom(now, online=(10, 20))  # headset 30 is offline: not waited for
    room.loaded("r", 1, 0, rtt_ms=8, start_ms=120)
    assert live.take() == []
    room.loaded("r", 2, 0, rtt_ms=20, start_ms=200)
    sent = live.take()
    at = sent[0][1]["at_ms"]
    # twice the worst round trip (headset 30 never measured one: DEFAULT_RTT_MS), the slowest start latency
    assert at == now[0] + MIN_MARGIN_MS + 2 * DEFAULT_RTT_MS + 200
    assert sent == [(h, {"type": "play_at", "index": 0, "at_ms": at, "session_id": s}) for s, h in ((1, 10), (2, 20), (3, 30))]
    assert room.view("r")["state"] == "playing"

    now[0] = at + 2500  # headset 30 comes back and loads late: same T, it seeks to where the class is
    room.loaded("r", 3, 0)
    assert live.take() == [(30, {"type": "play_at", "index": 0, "at_ms": at, "session_id": 3})]
    assert room.view("r")["position_s"] == 2.5


def test_verder_pause_and_resume_move_the_class_together():
    now = [5_000.0]
    room, live = classroom(now)
    for s in (1, 2, 3):
        room.loaded("r", s, 0)
    at = live.take()[0][1]["at_ms"]
    now[0] = at + 4000
    assert room.advance("r") == 1
    assert [m for _, m in live.take()] == [{"type": "load", "index": 1, "session_id": s} for s in (1, 2, 3)]
    room.loaded("r", 1, 0)  # a headset still on the old scene is told where the class is
    assert live.take() == [(10, {"type": "load", "index": 1, "session_id": 1})]
    for s in (1, 2, 3):
        room.loaded("r", s, 1)
    at = live.take()[0][1]["at_ms"]

    now[0] = at + 3000
    room.pause("r")
    assert {m["position_s"] for _, m in live.take()} == {3.0}
    now[0] += 60_000  # a long talk in class
    room.resume("r")
    resumed = {m["at_ms"] for _, m in live.take()}
    assert len(resumed) == 1
    new_at = resumed.pop()
    assert now[0] < new_at + 3000 <= now[0] + MIN_MARGIN_MS + 200  # continues from 3.0 s a margin from now
    room.join("r", 2)  # a headset that reconnects gets the current cue
    assert live.take() == [(20, {"type": "play_at", "index": 1, "at_ms": new_at, "session_id": 2})]
    assert room.advance("r") == 2 and room.view("r")["state"] == "finished"


def test_next_for_one_session_of_a_class_is_refused_and_the_group_api_moves_the_class(harness):
    """A class moves on together: "next" for one of its sessions says so (409, on the API and the
    page), and the group's "next" through the API is the class page's "Verder" (the run advances)."""
    admin, teacher = harness.staff("admin"), harness.staff("teacher")
    keys = [harness.bundle("huiskamer"), harness.bundle("tuin")]
    playlist = harness.playlist("Oriëntatie", keys, context="werkveldorientatie")
    group = admin.post("/api/groups", json={"name": harness.unique("Klas")}).json()["id"]
    for _ in range(2):
        harness.enrol(harness.unique("Quest"), group_id=group)
    sessions = teacher.post(f"/api/groups/{group}/sessions", json={"context": "werkveldorientatie",
                                                                   "playlist_id": playlist}).json()
    one = teacher.post(f"/api/sessions/{sessions[0]['id']}/commands", json={"command": "next"})
    assert one.status_code == 409 and "Verder op de klaspagina" in one.text
    assert teacher.post(f"/api/sessions/{sessions[0]['id']}/commands", json={"command": "pause"}).status_code == 200
    assert teacher.get(f"/klas/{group}/live.json").json()["index"] == 0
    teacher.post(f"/api/groups/{group}/commands", json={"command": "next"}).raise_for_status()
    assert teacher.get(f"/klas/{group}/live.json").json()["index"] == 1


def test_a_class_headset_without_a_socket_says_loaded_and_polls_its_cue_over_http(harness):
    """POST /api/device/class and GET /api/device/cue: the class exchange for a headset that polls;
    bad input is a 4xx with the one error shape, a session that is no class on this headset a 404."""
    import httpx

    admin, teacher = harness.staff("admin"), harness.staff("teacher")
    playlist = harness.playlist("Oriëntatie", [harness.bundle("huiskamer")], context="werkveldorientatie")
    group = admin.post("/api/groups", json={"name": harness.unique("Klas")}).json()["id"]
    _, token = harness.enrol(harness.unique("Quest"), group_id=group)
    session = teacher.post(f"/api/groups/{group}/sessions", json={"context": "werkveldorientatie",
                                                                  "playlist_id": playlist}).json()[0]["id"]
    with httpx.Client(base_url=harness.base_url, headers={"authorization": f"Bearer {token}"}) as device:
        cue = device.get("/api/device/cue", params={"session_id": session}).json()
        assert (cue["type"], cue["index"], cue["session_id"]) == ("load", 0, session) and cue["server_ms"] > 0
        assert device.post("/api/device/class", json={"type": "loaded", "session_id": session, "index": 0,
                                                      "rtt_ms": 3.5, "start_ms": 40}).status_code == 204
        cue = device.get("/api/device/cue", params={"session_id": session}).json()
        assert cue["type"] == "play_at" and cue["at_ms"] > cue["server_ms"]  # no socket headsets to wait for
        bad = device.post("/api/device/class", json={"type": "loaded", "session_id": session, "index": 0, "rtt_ms": -1})
        assert bad.status_code == 422 and "rtt_ms" in bad.json()["error"]["message"]
        other = teacher.post("/api/sessions", json={"context": "werkveldorientatie"}).json()["id"]
        missing = device.get("/api/device/cue", params={"session_id": other})
        assert missing.status_code == 404 and "geen klassessie" in missing.json()["error"]["message"]
