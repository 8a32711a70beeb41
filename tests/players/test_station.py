"""The station player without a headset: the no-runtime message, the view math against known
values, command handling and the event log, and sync resuming a cut download."""

from __future__ import annotations

import math
from datetime import datetime, timezone

import httpx
import numpy as np
import pytest

from headset_service.station import EventLog, Session, SyncClient
from headset_service.station import views
from headset_service.station.sync import KEPT_MANIFEST, kept_manifest
from cli import main
from zorgblik.bundle import SceneMesh


def test_without_an_openxr_runtime_the_station_says_what_to_install_in_one_line(tmp_path, capsys, monkeypatch):
    monkeypatch.delenv("XR_RUNTIME_JSON", raising=False)
    code = main(["--data", str(tmp_path), "station", "--server", "http://127.0.0.1:9", "--pair", "ABCD2345"])
    assert code == 3
    lines = capsys.readouterr().err.strip().splitlines()
    assert len(lines) == 1 and "geen OpenXR-runtime" in lines[0]
    assert all(name in lines[0] for name in ("SteamVR", "Meta Quest Link", "Monado"))
    assert not (tmp_path / "station" / "token").exists()  # the pairing code was not used up


@pytest.mark.parametrize("fov, expected", [
    ((-math.pi / 4, math.pi / 4, math.pi / 4, -math.pi / 4), [[1, 0, 0], [0, 1, 0]]),  # 90° symmetric
    ((-math.atan(1.0), math.atan(0.5), math.atan(1.0), -math.atan(1.0)), [[4 / 3, 0, -1 / 3], [0, 1, 0]]),  # Quest-like asymmetry
], ids=["symmetric-90", "asymmetric-left-eye"])
def test_projection_from_an_openxr_fov(fov, expected):
    m = views.projection(*fov, near=0.1, far=100)
    assert np.allclose(m[:2, :3], expected)
    assert np.allclose(m[3], [0, 0, -1, 0]) and np.isclose(m[2, 3], -2 * 100 * 0.1 / 99.9)


def test_view_matrix_and_gaze_from_a_pose():
    turn = (0.0, math.sin(math.radians(-45)), 0.0, math.cos(math.radians(-45)))  # head turned 90° right
    assert np.allclose(views.gaze(turn), (90, 0))
    v = views.view((0.3, 1.6, 0.0), turn)
    assert np.allclose(v @ [1, 0, 0, 1], [0, 0, -1, 1])  # what is to the right is now straight ahead
    assert np.allclose(views.view((0.3, 1.6, 0.0), turn, keep_translation=True) @ [0.3, 1.6, 0, 1], [0, 0, 0, 1])
    up = (math.sin(math.radians(15)), 0.0, 0.0, math.cos(math.radians(15)))
    assert np.allclose(views.gaze(up), (0, 30))


def test_sphere_faces_inward_with_equirect_uvs_and_stereo_halves():
    xyz, uv, tris = views.sphere(resolution=4, radius=10)
    assert np.allclose(np.linalg.norm(xyz, axis=1), 10, atol=1e-4)
    ahead = np.argmin(np.linalg.norm(xyz - [0, 0, -10], axis=1))
    assert np.allclose(uv[ahead], (0.5, 0.5))  # straight ahead is the frame's centre
    assert np.allclose(uv[np.argmax(xyz[:, 1])], (uv[np.argmax(xyz[:, 1])][0], 0))  # zenith on the top row
    a, b, c = xyz[tris[:, 0]], xyz[tris[:, 1]], xyz[tris[:, 2]]
    normals = np.cross(b - a, c - a)
    centres = (a + b + c) / 3
    big = np.linalg.norm(normals, axis=1) > 1e-6
    assert (np.einsum("ij,ij->i", normals[big], centres[big]) < 0).all()  # every face looks at the centre
    assert views.eye_window("top-bottom", 1) == (0, 0.5, 1, 0.5) and views.eye_window("left-right", 1) == (0.5, 0, 0.5, 1)


class Clock:
    def __init__(self):
        self.t = 0.0

    def __call__(self) -> float:
        return self.t


def start(session_id=7, context="intake", record=True):
    return {"command": "start", "session_id": session_id,
            "payload": {"context": context, "scenes": ["a", "b"], "record_head_direction": record}}


def test_commands_drive_the_session_and_the_log(tmp_path):
    clock = Clock()
    log = EventLog(tmp_path / "events.jsonl", clock=lambda: datetime(2026, 11, 24, 9, tzinfo=timezone.utc))
    s = Session(log, clock=clock)
    s.handle(start())
    assert (s.state, s.scene) == ("playing", "a")
    s.handle({"command": "pause", "session_id": 7})
    s.handle({"command": "pause", "session_id": 3})  # another session's: ignored
    assert s.state == "paused"
    s.handle({"command": "resume", "session_id": 7})
    s.hotspot_opened("tafel")
    assert [s.head_pose(10, 0) for clock.t in (0.0, 0.1, 0.25)] == [True, False, True]  # 5 Hz at most
    s.handle({"command": "recenter", "session_id": 7})
    assert s.recenter_requested
    s.handle({"command": "next", "session_id": 7})
    assert s.scene == "b"
    s.handle({"command": "stop", "session_id": 7})
    assert (s.state, s.scene) == ("idle", None)
    kinds = [(i["event"]["kind"], i["event"].get("bundle_key")) for i in log.pending()]
    assert kinds == [("session_start", None), ("scene_start", "a"), ("hotspot_open", "a"), ("head_direction", "a"),
                     ("head_direction", "a"), ("scene_end", "a"), ("scene_start", "b"), ("scene_end", "b"),
                     ("session_end", None)]


def test_interviews_never_log_head_pose(tmp_path):
    s = Session(EventLog(tmp_path / "e.jsonl"), clock=Clock())
    s.handle(start(context="sollicitatie", record=True))
    assert s.head_pose(0, 0) is False
    assert "head_direction" not in [i["event"]["kind"] for i in s.log.pending()]


def test_events_wait_for_the_service_and_arrive_once(harness, tmp_path):
    admin = harness.staff("admin")
    headset_id, token = harness.enrol(harness.unique("Station"))
    session = harness.staff("intake").post("/api/sessions", json={"context": "intake", "headset_id": headset_id}).json()
    down = httpx.Client(base_url="http://127.0.0.1:9", headers={"Authorization": f"Bearer {token}"})
    log = EventLog(tmp_path / "events.jsonl", http=down)
    s = Session(log)
    s.handle({**start(session["id"]), "payload": {"context": "intake", "scenes": [], "record_head_direction": True}})
    assert log.flush() == 0 and len(log.pending()) == 2  # unreachable: kept
    log.http = harness.client(token)
    assert log.flush() == 2 and log.pending() == []
    kinds = [e["kind"] for e in admin.get(f"/api/sessions/{session['id']}/events").json()]
    assert kinds == ["session_start", "session_end"]  # an empty playlist ends at once
    down.close()


def test_sync_resumes_a_cut_download_and_verifies_it(harness, tmp_path):
    key = harness.bundle("slaapkamer")
    playlist = harness.playlist("Intake station", [key])
    headset_id, token = harness.enrol(harness.unique("Station"))
    harness.staff("admin").put(f"/api/headsets/{headset_id}/playlists", json={"playlist_ids": [playlist]}).raise_for_status()
    with SyncClient(harness.base_url, tmp_path / "station", token) as client:
        media = next(f for f in client.manifest().bundles[0].files if f.is_media)
        whole = client.http.get(media.url).content
        dest = client.bundle_dir(key) / media.name
        dest.parent.mkdir(parents=True)
        dest.with_name(dest.name + ".part").write_bytes(whole[: len(whole) // 3])  # a cut download
        result = client.sync()
        assert result.held == [key] and not result.offline
        assert dest.read_bytes() == whole and not dest.with_name(dest.name + ".part").exists()
        assert client.sync().downloaded == []  # nothing twice
    headset = harness.staff("admin").get(f"/api/headsets/{headset_id}").json()
    assert headset["inventory"] == [key]


def test_a_cut_kept_manifest_is_fetched_whole_again(harness, tmp_path):
    """The station reads the sync manifest through its model: a kept file cut short (a power cut
    mid-write) is not answered with 304 Not Modified and then read as JSON, but fetched again."""
    key = harness.bundle("slaapkamer")
    playlist = harness.playlist("Intake station kort", [key])
    headset_id, token = harness.enrol(harness.unique("Station"))
    harness.staff("admin").put(f"/api/headsets/{headset_id}/playlists", json={"playlist_ids": [playlist]}).raise_for_status()
    with SyncClient(harness.base_url, tmp_path / "station", token) as client:
        whole = client.manifest()
        kept = tmp_path / "station" / KEPT_MANIFEST
        kept.write_bytes(kept.read_bytes()[:40])
        again = client.manifest()
        assert again == whole and [b.bundle_key for b in again.bundles] == [key]
        assert kept_manifest(tmp_path / "station") == whole


def test_station_pairs_with_a_code_and_keeps_its_token(harness, tmp_path):
    code = harness.staff("admin").post("/api/headsets/pairing-codes",
                                       json={"name": harness.unique("Station"), "profile": "quest2"}).raise_for_status().json()
    with SyncClient(harness.base_url, tmp_path / "station") as client:
        paired = client.pair(code["code"].lower())
        assert (tmp_path / "station" / "token").read_text() == paired["token"]
        assert client.manifest().bundles == []  # the new token is honoured at once


def test_a_vr180_scene_is_drawn_on_the_half_sphere_with_each_eye_its_half():
    """VR180 (#17): the station draws render's half sphere for it: nothing behind the viewer, u
    from 90° left (0) to 90° right (1), and side by side each eye takes its own half of the frame."""
    xyz, uv, tris = views.sphere(resolution=8, radius=10, projection="equirectangular-vr180")
    assert xyz[:, 2].max() < 1e-6 and tris.size < views.sphere(resolution=8, radius=10)[2].size
    ahead = np.argmin(np.linalg.norm(xyz - [0, 0, -10], axis=1))
    right = np.argmin(np.linalg.norm(xyz - [10, 0, 0], axis=1))
    assert np.allclose(uv[ahead], (0.5, 0.5)) and np.isclose(uv[right][0], 1.0)
    assert views.eye_window("left-right", 0) == (0, 0, 0.5, 1) and views.eye_window("left-right", 1) == (0.5, 0, 0.5, 1)


def test_the_station_switches_to_the_half_sphere_when_a_vr180_scene_opens():
    from types import SimpleNamespace

    from headset_service.station import playback
    from headset_service.station.xr import _Scene

    class Sphere:
        def __init__(self):
            self.used = []

        def use(self, projection, camera_height=None):
            self.used.append(projection if camera_height is None else (projection, camera_height))

        def upload(self, frame, size):
            pass

    def media(projection, mesh=None):
        return lambda folder, size: SimpleNamespace(manifest=SimpleNamespace(projection=projection, mesh=mesh), fps=25.0,
                                                    close=lambda: None)

    scene, sphere = _Scene(lambda key: key, 4096), Sphere()
    scene.Media = media("equirectangular-vr180")
    scene.follow(playback.Show("terras", True), sphere, 0.0)
    scene.Media = media("equirectangular")
    scene.follow(playback.Show("tuin", True), sphere, 1.0)
    assert sphere.used == ["equirectangular-vr180", "equirectangular"]
    scene.Media = media("equirectangular", SceneMesh(camera_height=1.2))
    scene.follow(playback.Show("kamer", True), sphere, 2.0)
    assert sphere.used[-1] == ("equirectangular", 1.2)  # a grounded scene: the sphere with its floor 1.2 m down


def test_a_grounded_scene_is_drawn_on_the_sphere_with_a_flat_floor():
    xyz, uv, tris = views.sphere(resolution=8, radius=10, camera_height=1.2)
    whole = views.sphere(resolution=8, radius=10)
    assert tris.size == whole[2].size and np.allclose(uv, whole[1])  # the same triangles, each corner its direction
    assert np.isclose(xyz[:, 1].min(), -1.2) and np.isclose(xyz[:, 1].max(), 10.0)
