"""The station frame loop's decisions without a headset: texture sizing, the video clock, recenter,
what a session change asks of the loop; ffmpeg frames through the pipe; and the command channel
against the real service. The OpenXR/OpenGL loop itself (xr.run) needs a runtime: not run here."""

from __future__ import annotations

import math
import subprocess

import numpy as np
import pytest

from headset_service.station import playback, views
from headset_service.station.media import Media
from headset_service.station.sync import CommandFeed, SyncClient
from support import write_bundle_folder


@pytest.mark.parametrize("size, expected", [
    ((5760, 2880, 16384), (5760, 2880)),
    ((5760, 2880, 4096), (4096, 2048)),
    ((4096, 4096, 2048), (2048, 2048)),  # stereo top-bottom
    ((1001, 501, 500), (500, 250)),
], ids=["fits", "8k-on-a-4k-gpu", "stereo-square", "odd-sides-made-even"])
def test_texture_size(size, expected):
    assert playback.texture_size(*size) == expected


def test_the_clock_skips_when_late_and_stops_when_paused():
    clock = playback.FrameClock(25, now=100.0)
    assert clock.due(100.0) == 1  # frame 0
    clock.took(1)
    assert clock.due(100.01) == 0  # keep the texture
    assert clock.due(100.2) == 5  # late: take five, show the last
    clock.took(5)
    clock.pause(100.2)
    assert clock.due(105.0) == 0 and clock.position(105.0) == pytest.approx(0.2)
    clock.resume(105.0)
    assert clock.position(105.4) == pytest.approx(0.6)


def test_recenter_puts_the_scene_start_where_the_head_looks():
    turned = (0.0, math.sin(math.radians(-45)), 0.0, math.cos(math.radians(-45)))  # head 90° to the right
    for scene_yaw in (0, 30):
        turn = playback.world_turn(playback.recenter_yaw(turned, scene_yaw))
        start = np.array([math.sin(math.radians(scene_yaw)), 0, -math.cos(math.radians(scene_yaw)), 0])  # scene view
        seen = views.view((0, 0, 0), turned) @ turn @ start
        assert np.allclose(seen[:3], [0, 0, -1])  # straight ahead in the headset


@pytest.mark.parametrize("before, after, steps", [
    (("idle", None), ("playing", "a"), ["open"]),
    (("playing", "a"), ("paused", "a"), ["pause"]),
    (("paused", "a"), ("playing", "a"), ["resume"]),
    (("playing", "a"), ("playing", "b"), ["close", "open"]),  # next, or the scene ended
    (("paused", "a"), ("paused", "b"), ["close", "open", "pause"]),  # next while paused stays paused
    (("playing", "b"), ("idle", None), ["close"]),  # stopped
    (("playing", "a"), ("playing", "a"), []),
], ids=["start", "pause", "resume", "next", "next-paused", "stop", "nothing"])
def test_session_changes_become_loop_steps(before, after, steps):
    assert playback.transition(playback.wanted(*before), playback.wanted(*after)) == steps


def bundle_folder(tmp_path, media_kind, clip, stereo="mono"):
    folder = tmp_path / media_kind
    write_bundle_folder(folder, [("scene.quest2.mp4", "media", clip, "quest2")], media_kind=media_kind, stereo=stereo)
    return folder


@pytest.fixture(scope="module")
def clip(tmp_path_factory) -> bytes:
    out = tmp_path_factory.mktemp("media") / "clip.mp4"
    subprocess.run(["ffmpeg", "-loglevel", "error", "-f", "lavfi", "-i", "color=c=red:size=128x64:rate=10:duration=1",
                    "-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p", "-y", str(out)], check=True)
    return out.read_bytes()


def test_video_frames_come_through_the_pipe_at_the_texture_size(tmp_path, clip):
    with Media(bundle_folder(tmp_path, "video", clip), max_size=64) as media:
        assert (media.width, media.height, media.fps) == (64, 32, 10)
        frames = []
        while True:
            frame, taken = media.take(1)
            if frame is None:
                break
            if frame is not False:
                frames.append(frame)
        assert len(frames) == 10 and all(len(f) == 64 * 32 * 3 for f in frames)
        r, g, b = frames[0][:3]
        assert r > 200 and g < 50 and b < 50  # red, rows in RGB order


def test_closing_mid_video_stops_ffmpeg(tmp_path, clip):
    media = Media(bundle_folder(tmp_path, "video", clip), max_size=128)
    media.close()
    assert not media._thread.is_alive()


def test_the_command_channel_delivers_once_acks_and_survives_a_restart(harness, tmp_path):
    key = harness.bundle("huiskamer")
    playlist = harness.playlist("Intake station", [key])
    headset_id, token = harness.enrol(harness.unique("Station"))
    harness.staff("admin").put(f"/api/headsets/{headset_id}/playlists", json={"playlist_ids": [playlist]}).raise_for_status()
    staff = harness.staff("intake")
    got = []
    with SyncClient(harness.base_url, tmp_path / "station", token) as client:
        feed = CommandFeed(client, got.append, lambda: {"state": "playing", "bundle_key": key})
        session = staff.post("/api/sessions", json={"context": "intake", "headset_id": headset_id,
                                                   "playlist_id": playlist}).json()
        staff.post(f"/api/sessions/{session['id']}/commands", json={"command": "next"}).raise_for_status()
        assert feed.poll_once() == 2 and feed.poll_once() == 0
        assert [c["command"] for c in got] == ["start", "next"]
        again = CommandFeed(client, got.append, lambda: {"state": "idle"})
        assert again.poll_once() == 0  # a restarted station does not replay the session
    live = staff.get(f"/api/headsets/{headset_id}").json()["live"]
    assert live["state"] == "idle" and live["online"]
