"""Shared by the service benchmarks: a data folder with one published bundle, enrolled headsets,
and the real service (``zorgblik serve``) in its own process on a loopback port."""

from __future__ import annotations

import hashlib
import os
import socket
import subprocess
import sys
import time
from contextlib import contextmanager
from pathlib import Path

import httpx

from catalog import Catalog, Footage, accounts, fleet, playlists, queries, session_control, signoffs
from zorgblik.bundle import FORMAT, BundleFile, BundleManifest
from zorgblik.settings import Settings

ZORGBLIK = Path(sys.executable).parent / "zorgblik"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def write_media(path: Path, size: int) -> str:
    """``size`` bytes (a random MiB repeated), returning the sha256."""
    block = os.urandom(1 << 20)
    digest = hashlib.sha256()
    with open(path, "wb") as f:
        left = size
        while left:
            piece = block[: min(left, len(block))]
            f.write(piece)
            digest.update(piece)
            left -= len(piece)
    return digest.hexdigest()


def publish_bundle(settings: Settings, catalog: Catalog, media_bytes: int) -> str:
    """One published scene whose quest2 rendition is ``media_bytes`` long; returns its bundle key."""
    key = "bench-huiskamer-0001"
    folder = settings.bundles_dir / key
    folder.mkdir(parents=True)
    digest = write_media(folder / "scene.quest2.mp4", media_bytes)
    media = BundleFile(name="scene.quest2.mp4", role="media", profile="quest2", bytes=media_bytes, sha256=digest)
    manifest = BundleManifest(
        format=FORMAT, bundle_key=key, script="bench", script_sha256="c" * 64, scene="huiskamer", title={"nl": "Bench"},
        media_kind="video", stereo="mono", profile="quest2", profiles=["quest2"], renditions=[],
        view={"yaw": 0.0, "pitch": 0.0}, level={"yaw": 0.0, "pitch": 0.0, "roll": 0.0}, contexts=["intake"], prompts=[],
        source_footage=["b" * 64], codec=None, width=3840, height=1920, fps=None, duration_s=None, files=[media])
    manifest.write(folder)
    with catalog.session() as db:
        footage = Footage(sha256="b" * 64, original_name="bench.mp4", store_path="bb/bench.mp4", size_bytes=1,
                          media_kind="video", codec="h264", width=3840, height=1920, projection="equirectangular",
                          stereo="mono")
        db.add(footage)
        sv = queries.record_script_version(db, name="bench", organisation="Bench", care_category="ouderenzorg",
                                           sha256="c" * 64, source="bench")
        scene = queries.scene_for(db, sv.script, "huiskamer", 0)
        version = queries.record_scene_version(db, scene=scene, bundle_key=key, script_version=sv, footage=footage,
                                               title="huiskamer", manifest=manifest)
        signoffs.sign_off(db, version, by="bench")  # synthetic media: publishing asks for a privacy sign-off
        queries.publish(db, version)
    return key


def enrol(catalog: Catalog, count: int, *, context: str = "intake") -> tuple[str, list[str], list[int]]:
    """An admin token, ``count`` headset tokens with the bench playlist, and a session on each."""
    with catalog.session() as db:
        admin = accounts.create_user(db, username="bench", role="admin", password="correct-paard-batterij-nietje")
        staff_token = accounts.open_login(db, admin)
        scenes = [v.scene for v in queries.published_scene_versions(db)]
        playlist = playlists.create_playlist(db, name="Bench", context=context, scenes=scenes)
        group = fleet.create_group(db, "Bench")
        group.playlists.append(playlist)
        tokens, sessions = [], []
        for n in range(count):
            code, _ = fleet.create_pairing_code(db, headset_name=f"Bench {n:02d}", profile="quest2", group=group)
            token, headset = fleet.pair_headset(db, code)
            db.flush()
            sessions.append(session_control.start_session(db, context=context, headset=headset, playlist=playlist).id)
            tokens.append(token)
    return staff_token, tokens, sessions


@contextmanager
def running_service(data_dir: Path, **settings: str):
    """``zorgblik serve`` in its own process (one uvicorn worker), until the block ends;
    ``settings``: more settings for it (``file_sender="nginx"``: ZORGBLIK_FILE_SENDER=nginx)."""
    port = free_port()
    env = {**os.environ, **{f"ZORGBLIK_{name.upper()}": value for name, value in settings.items()}}
    proc = subprocess.Popen([str(ZORGBLIK), "--data", str(data_dir), "serve", "--port", str(port)],
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=env)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                if httpx.get(f"{base}/api/health", timeout=1).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            if proc.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"service did not start: {proc.stderr.read().decode() if proc.stderr else ''}")
            time.sleep(0.1)
        yield base
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q / 100 * (len(ordered) - 1))))]
