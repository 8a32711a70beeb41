"""Helpers the test folders share (importable as ``support``: pytest puts tests/ on the path).

The demo footage the tests use is named once, here (``MONO_VIDEO``, ``FACES_PHOTO``, ...);
demo/footage/ATTRIBUTION.md says where each file comes from.

``synthetic_bundle`` writes a scene bundle straight into a data folder and the catalog, so that
sync, pages and players can be tested without encoding video; test_service.py and the render
tests build bundles from real footage. Their manifests are made through the bundle format's
model (``bundle_manifest``), so they say what render's do.
"""

from __future__ import annotations

import base64
import contextlib
import hashlib
import json
import os
import signal
import struct
import subprocess
import sys
import threading
import zlib
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import replace
from pathlib import Path
from urllib.parse import urlsplit

import httpx
import numpy as np

from catalog import Catalog, Footage, approvals, queries, signoffs
from zorgblik.bundle import FORMAT, BundleFile, BundleManifest
from zorgblik.settings import Settings

ROOT = Path(__file__).resolve().parent.parent

# the demo footage ------------------------------------------------------------------------------
FOOTAGE = ROOT / "demo" / "footage"
MONO_VIDEO = FOOTAGE / "video" / "testroom_1920x960_mono.mp4"  # 12 s, 1920×960 mono, synthetic room, no sound
STEREO_VIDEO = FOOTAGE / "video" / "congo_stereo_tb_1920x1080.mp4"  # 10 s, top-bottom stereo, with sound
FLAT_VIDEO = FOOTAGE / "video" / "testsrc_320x240_not360.mp4"  # 4:3, not 360°
ROOM_PHOTO = FOOTAGE / "equirect" / "testroom_2048x1024.jpg"  # synthetic grid room
GLOWSTICKS_PHOTO = FOOTAGE / "equirect" / "theta_glowsticks.jpg"  # 800×400, Theta S, GPano
HALF_DOME_PHOTO = FOOTAGE / "equirect" / "theta_half_dome_01.jpg"  # 800×400, GPano pose (and a wrong size claim)
LANDSCAPE_PHOTO = FOOTAGE / "equirect" / "pannellum_examplepano_4096.jpg"  # 4096×2048, nobody in it
FACES_PHOTO = FOOTAGE / "equirect" / "aframe_puydesancy_4096_faces.jpg"  # 4096×2048, two hikers' faces
FRONT_LENS = FOOTAGE / "dualfisheye" / "theta_front_table.jpg"  # one fisheye half of a Theta capture
BACK_LENS = FOOTAGE / "dualfisheye" / "theta_back_table.jpg"  # ... and the other
FRONT_CALIBRATION = FOOTAGE / "dualfisheye" / "theta_front.yaml"
BACK_CALIBRATION = FOOTAGE / "dualfisheye" / "theta_back.yaml"


def own_render_cache(settings: Settings) -> Settings:
    """``settings`` with render's cache in its own data folder, empty at first, as outside the
    tests: for a test about the cache itself (what is encoded or searched again, what a failure
    leaves in it), which the session's shared cache (tests/conftest.py) would answer for it."""
    return replace(settings, render_cache_dir="")


def two_scene_script(folder: Path, seconds: float = 0.5) -> Path:
    """Two scenes of ``seconds`` of the demo clip (from 1 s and 3 s in): two tasks for a cluster."""
    from scripts_vr.templates import minimal_script

    footage = os.path.relpath(MONO_VIDEO, folder)
    scenes = "".join(f"""\
  - id: {slug}
    title: {{nl: {slug}}}
    footage: {footage}
    in: {start}
    out: {start + seconds}
    contexts: [intake]
    audience: {{routes: [BOL], levels: [3]}}
""" for slug, start in (("ochtend", 1), ("middag", 3)))
    path = folder / "dask.yaml"
    path.write_text(minimal_script(scenes), encoding="utf-8")
    return path


def build_two_scenes(folder: Path, executor, seconds: float = 0.5) -> tuple[dict[str, Path], dict[str, float]]:
    """:func:`two_scene_script` built in a data folder of its own under ``folder`` (made here) for
    quest2 with ``executor``: the bundle folders by scene, and the highest progress seen per scene."""
    from render import build_script

    settings = own_render_cache(Settings.from_env({}, data_dir=folder / "data", port=0, encoder_preset="ultrafast"))
    folder.mkdir()
    script = two_scene_script(folder, seconds)
    seen: dict[str, float] = {}
    with Catalog(settings.catalog_url) as catalog:
        built = build_script(script, settings=settings, catalog=catalog, profiles=["quest2"], executor=executor,
                             progress=lambda scene, fraction: seen.__setitem__(scene, max(fraction, seen.get(scene, 0))))
    return {b.scene_slug: b.bundle_dir for b in built}, seen


def media_facts(path: Path) -> tuple:
    """What two encodes of the same frames share even where x264's threads made other bytes: codec,
    size, frame count, keyframe times, duration and the 360° metadata."""
    from zorgblik.media.probe import ffprobe_json, video_packets
    from zorgblik.media.spherical import read_spherical

    info = ffprobe_json(path)
    video = next(s for s in info["streams"] if s["codec_type"] == "video")
    packets = video_packets(path)
    return (video["codec_name"], video["width"], video["height"], packets.frames, packets.keyframes,
            round(float(video["duration"]), 3), read_spherical(path))


#: (file name, role, bytes, profile or None)
FileSpec = tuple[str, str, bytes, str | None]


def renditions(sizes: dict[str, int]) -> list[FileSpec]:
    """Random-bytes video renditions (``{"quest2": 300_000}``) plus the shared extras."""
    files: list[FileSpec] = [(f"scene.{p}.mp4", "media", os.urandom(n), p) for p, n in sizes.items()]
    return files + [
        ("poster.jpg", "poster", os.urandom(2000), None),
        ("captions.nl.vtt", "captions.nl", b"WEBVTT\n\n1\n00:00:00.000 --> 00:00:02.000\nWelkom\n", None),
        ("hotspots.json", "hotspots", b"[]", None),
    ]


def bundle_manifest(*, key: str = "test-bundle", script: str = "test", scene: str = "scene",
                    files: Sequence[BundleFile] = (), **fields) -> BundleManifest:
    """A manifest like render's for a bundle of ``files``: ``fields`` over plain defaults (a mono
    video for intake, with neither audience nor privacy counts, as a bundle built before those)."""
    profiles = list(dict.fromkeys(f.profile for f in files if f.is_media and f.profile)) or ["quest2"]
    defaults = {"format": FORMAT, "bundle_key": key, "script": script, "script_sha256": "c" * 64, "scene": scene, "title": {"nl": scene},
                "media_kind": "video", "stereo": "mono", "profile": profiles[0], "profiles": profiles,
                "renditions": [], "view": {"yaw": 0.0, "pitch": 0.0}, "level": {"yaw": 0.0, "pitch": 0.0, "roll": 0.0},
                "contexts": ["intake"], "prompts": [], "source_footage": ["f" * 64], "codec": None, "width": 3840,
                "height": 1920, "fps": None, "duration_s": None}
    return BundleManifest(**{**defaults, **fields, "files": list(files)})


def write_bundle_folder(folder: Path, files: Sequence[FileSpec], **fields) -> BundleManifest:
    """``files`` (name, role, bytes, profile) and their manifest (``fields``: see bundle_manifest)
    written into the bundle folder ``folder``; returns the manifest."""
    folder.mkdir(parents=True)
    entries = []
    for name, role, data, profile in files:
        (folder / name).write_bytes(data)
        entries.append(BundleFile(name=name, role=role, bytes=len(data), sha256=hashlib.sha256(data).hexdigest(),
                                  profile=profile))
    manifest = bundle_manifest(files=entries, **fields)
    manifest.write(folder)
    return manifest


def synthetic_bundle(settings: Settings, catalog: Catalog, *, script: str, scene: str, files: Sequence[FileSpec],
                     manifest: dict, category: str = "ouderenzorg", publish: bool = True, seed: str = "") -> str:
    """A scene bundle on disk and in the catalog (published unless ``publish`` is false); returns
    its bundle key. ``manifest`` gives what the bundle says of itself (see bundle_manifest);
    files, key, script and scene are filled in."""
    key = f"{script}-{scene}-{hashlib.sha256((script + scene + seed).encode()).hexdigest()[:10]}"
    manifest = write_bundle_folder(settings.bundles_dir / key, files, key=key, script=script, scene=scene, **manifest)
    photo = manifest.media_kind == "photo"
    with catalog.session() as db:
        sha = ("e" if photo else "f") * 64
        footage = queries.footage_by_sha256(db, sha)
        if footage is None:
            footage = Footage(sha256=sha, original_name="a.jpg" if photo else "a.mp4", store_path="ff/a", size_bytes=1,
                              media_kind="photo" if photo else "video", codec="mjpeg" if photo else "h264",
                              width=3840, height=1920, projection="equirectangular", stereo="mono")
            db.add(footage)
            db.flush()
        text = f"name: {script}"
        sv = queries.record_script_version(db, name=script, organisation="De Linde", care_category=category,
                                           sha256=hashlib.sha256(text.encode()).hexdigest(), source=text)
        row = queries.scene_for(db, sv.script, scene, 0)
        version = queries.record_scene_version(db, scene=row, bundle_key=key, script_version=sv, footage=footage,
                                               title=scene, manifest=manifest)
        if publish:  # synthetic media: nobody to blur, but the catalog asks for a privacy sign-off
            signoffs.sign_off(db, version, by="test")
            queries.publish(db, version)
    return key


def approve_profile(catalog: Catalog, script: str | Path) -> None:
    """Both sides (opleiding, praktijk) approve the profile of the script file ``script``, as
    "test": for tests that publish a real script and whose subject is not the approval."""
    from scripts_vr.digest import profile_sha256_of_text

    path = Path(script)
    profile = profile_sha256_of_text(path.read_text(encoding="utf-8"), file=str(path))
    with catalog.session() as db:
        for side in approvals.APPROVAL_SIDES:
            approvals.approve(db, path.stem, side=side, by="test", role="test", profile_sha256=profile)


# resumable uploads (tus 1.0.0) -----------------------------------------------------------------
TUS = {"Tus-Resumable": "1.0.0"}


def tus_metadata(**fields: str) -> str:
    return ",".join(f"{k} {base64.b64encode(v.encode()).decode()}" for k, v in fields.items())


def tus_create(client: httpx.Client, path: Path, **fields: str) -> str:
    """A new upload of the file ``path`` (its name and ``fields`` as metadata); its URL path."""
    fields = {"filename": path.name, **fields}
    response = client.post("/api/uploads", headers={
        **TUS, "Upload-Length": str(path.stat().st_size), "Upload-Metadata": tus_metadata(**fields)})
    assert response.status_code == 201, response.text
    assert response.headers["Tus-Resumable"] == "1.0.0"
    return urlsplit(response.headers["Location"]).path


def tus_patch(client: httpx.Client, url: str, offset: int, body: bytes | Iterable[bytes],
              checksum: bytes | None = None, length: int | None = None) -> httpx.Response:
    """``body`` at ``offset``; an iterator of pieces is sent with ``length`` as its Content-Length."""
    headers = {**TUS, "Upload-Offset": str(offset), "Content-Type": "application/offset+octet-stream"}
    if checksum is not None:
        headers["Upload-Checksum"] = "sha256 " + base64.b64encode(checksum).decode()
    if length is not None:
        headers["Content-Length"] = str(length)
    return client.patch(url, content=body, headers=headers)


def tus_upload_rest(client: httpx.Client, url: str, data: bytes, offset: int, chunk: int = 150_000) -> None:
    """``data`` from ``offset`` on, in checksummed pieces of ``chunk`` bytes."""
    while offset < len(data):
        piece = data[offset:offset + chunk]
        response = tus_patch(client, url, offset, piece, hashlib.sha256(piece).digest())
        assert response.status_code == 204, response.text
        offset = int(response.headers["Upload-Offset"])


def tus_offset(client: httpx.Client, url: str) -> int:
    """Where the upload resumes (HEAD)."""
    response = client.head(url, headers=TUS)
    assert response.status_code == 200 and response.headers["Cache-Control"] == "no-store"
    return int(response.headers["Upload-Offset"])


# the service in a process of its own -------------------------------------------------------------
#: The ``zorgblik`` command of this checkout, in a process of its own (run it with PYTHONPATH=ROOT).
ZORGBLIK = [sys.executable, "-c", "from cli import run; run()"]


class ServiceProcess:
    """``zorgblik serve`` (this checkout's code) in a process group of its own on ``port``, for a
    test that kills it as kill -9 would; what it prints goes to ``log``."""

    def __init__(self, data_dir: Path, port: int, log: Path) -> None:
        self.base_url = f"http://127.0.0.1:{port}"
        self.log = log
        with open(log, "ab") as out:
            self.proc = subprocess.Popen(
                [*ZORGBLIK, "--data", str(data_dir), "serve", "--host", "127.0.0.1", "--port", str(port)],
                cwd=ROOT, env={**os.environ, "PYTHONPATH": str(ROOT)}, stdin=subprocess.DEVNULL, stdout=out,
                stderr=subprocess.STDOUT, start_new_session=True)
        wait_for(self._answers, f"the service on {self.base_url} (log: {log})", seconds=60)

    def _answers(self) -> bool:
        if self.proc.poll() is not None:
            raise AssertionError(f"the service stopped with {self.proc.returncode}: {self.log.read_text()[-2000:]}")
        try:
            return httpx.get(f"{self.base_url}/api/health", timeout=2).status_code == 200
        except httpx.TransportError:
            return False

    def kill(self) -> None:
        """SIGKILL for the whole process group: no clean-up runs."""
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.proc.pid, signal.SIGKILL)
        self.proc.wait(timeout=10)


@contextlib.contextmanager
def service_process(data_dir: Path, port: int, log: Path) -> Iterator[ServiceProcess]:
    """A :class:`ServiceProcess` until the block ends (killed then, when still running)."""
    service = ServiceProcess(data_dir, port, log)
    try:
        yield service
    finally:
        service.kill()


def living_in_group(pgid: int) -> list[int]:
    """The processes of process group ``pgid`` that still run (zombies are dead; Linux /proc)."""
    found = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            state, _, group = stat.read_text().rsplit(")", 1)[1].split()[:3]
        except (OSError, ValueError):
            continue
        if int(group) == pgid and state != "Z":
            found.append(int(stat.parent.name))
    return found


# headsets over the WebSocket -------------------------------------------------------------------
def headset_socket(base_url: str, token: str):
    """A headset's command WebSocket, signed in with its device token."""
    from websockets.sync.client import connect

    url = base_url.replace("http://", "ws://") + "/api/device/ws"
    return connect(url, additional_headers={"Authorization": f"Bearer {token}"}, open_timeout=5)


def receive(ws) -> dict:
    return json.loads(ws.recv(timeout=5))


def wait_for(predicate, what: str, tries: int | None = None, seconds: float = 20):
    """``predicate()``'s first truthy value, polled every 50 ms; fails the test after ``tries`` polls
    (or ``seconds``: patience costs nothing when the condition comes, and a loaded machine needs it)."""
    pause = threading.Event()
    for _ in range(tries if tries is not None else int(seconds / 0.05)):
        value = predicate()
        if value:
            return value
        pause.wait(0.05)
    raise AssertionError(f"gave up waiting for {what}")


STAFF_PASSWORD = "correct-paard-batterij"  # tests/headset_service/conftest.py's staff password


def staff_browser_page(browser, base_url: str, username: str):
    """A staff member's own browser window, signed in through the real login form (close its
    ``.context`` when done)."""
    page = browser.new_context(viewport={"width": 1280, "height": 900}, locale="nl-NL").new_page()
    page.set_default_timeout(10000)
    page.goto(f"{base_url}/")
    page.get_by_label("Gebruikersnaam").fill(username)
    page.get_by_label("Wachtwoord").fill(STAFF_PASSWORD)
    page.get_by_role("button", name="Inloggen").click()
    return page


def handout_pngs(page, folder: Path) -> list[Path]:
    """The open A4 handout page printed to PDF and rendered to PNG pages with pdftoppm (as a
    printer would see it); the PDF stays beside them as ``beroepsbeeld.pdf``."""
    pdf = folder / "beroepsbeeld.pdf"
    page.pdf(path=str(pdf), format="A4", print_background=True)
    subprocess.run(["pdftoppm", "-png", "-r", "60", str(pdf), str(folder / "pagina")], check=True)
    return sorted(folder.glob("pagina*.png"))


def shoot(page, name: str) -> None:
    """A full-page screenshot ``name``.png when ZORGBLIK_SCREENSHOTS names a folder (to look at a
    path the way its user sees it); nothing otherwise."""
    folder = os.environ.get("ZORGBLIK_SCREENSHOTS")
    if folder:
        Path(folder).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(Path(folder) / f"{name}.png"), full_page=True)


def oversized_png(path: Path, width: int, height: int) -> Path:
    """A PNG whose header declares ``width``×``height`` pixels, in a few bytes: what capture must
    refuse before any decoder allocates the image (the pixel data is one black row)."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)  # 8-bit greyscale
    path.write_bytes(b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(bytes(width + 1)))
                     + chunk(b"IEND", b""))
    return path


def oversized_jpeg(source: Path, path: Path, width: int, height: int) -> Path:
    """The JPEG ``source`` (its APP segments, tables and scan kept) with a frame header that
    declares ``width``×``height`` pixels."""
    data = bytearray(source.read_bytes())
    at = 2
    while data[at + 1] not in (0xC0, 0xC1, 0xC2):
        at += 2 + struct.unpack(">H", data[at + 2:at + 4])[0]
    data[at + 5:at + 9] = struct.pack(">HH", height, width)
    path.write_bytes(bytes(data))
    return path


# VR180 files ------------------------------------------------------------------------------------
def vr180_clip(folder: Path, name: str, panos: Sequence, *, stereo: str = "left-right", eye: int = 512,
               parallax_deg: float = 1.0, fps: int = 5, frames: int = 1) -> Path:
    """A VR180 clip as a VR180 camera writes one: each of ``panos`` (equirect BGR frames, one per
    video frame, the last repeated up to ``frames``) turned into its front half by ffmpeg's v360
    (``output=hequirect``, ``eye``×``eye`` pixels), the right eye seen ``parallax_deg`` further
    right, the eyes side by side, one above the other or alone (``stereo``), in H.264 with
    Spherical Video V2 metadata (``equi`` with VR180's bounds, ``st3d``), as capture reads it."""
    import cv2

    from zorgblik.media.spherical import VR180_BOUNDS, inject_spherical
    from zorgblik.tools import run_tool

    work = folder / f"{name}-frames"
    work.mkdir(parents=True, exist_ok=True)
    for n, pano in enumerate(panos):
        cv2.imwrite(str(work / "pano.png"), pano)
        halves = []
        for yaw in (0.0, parallax_deg) if stereo != "mono" else (0.0,):
            out = work / f"eye{yaw}.png"
            run_tool(["ffmpeg", "-v", "error", "-y", "-i", work / "pano.png", "-vf",
                      f"v360=input=e:output=he:w={eye}:h={eye}:yaw={yaw}", "-frames:v", "1", out])
            halves.append(cv2.imread(str(out)))
        stacked = np.vstack(halves) if stereo == "top-bottom" else np.hstack(halves)
        cv2.imwrite(str(work / f"f{n:03d}.png"), stacked)
    plain = work / "plain.mp4"
    last = ["-vf", f"tpad=stop_mode=clone:stop={frames - len(panos)}"] if frames > len(panos) else []
    run_tool(["ffmpeg", "-v", "error", "-y", "-framerate", str(fps), "-i", work / "f%03d.png", *last, "-c:v", "libx264",
              "-preset", "ultrafast", "-crf", "14", "-pix_fmt", "yuv420p", plain])
    out = folder / f"{name}.mp4"
    inject_spherical(plain, out, stereo=stereo, bounds=VR180_BOUNDS, versions=("v2",))
    return out


class CountingModel:
    """A face model that finds what it is told to, where it is told to, and counts the pixels it
    was shown per call; ``plan(stage, view_shape, index_in_batch)`` gives the boxes, ``stage``
    being "level", "coarse" or "closer" (the search asks in that order; the coarse views with a
    threshold of their own)."""

    threshold = 0.35

    def __init__(self, plan=None):
        self.plan = plan or (lambda stage, shape, n: [])
        self.pixels: list[int] = []
        self.calls: list[tuple[str, tuple[int, int], int, float | None]] = []

    def detect(self, images: np.ndarray, threshold: float | None = None):
        stages = [c[0] for c in self.calls]
        stage = "coarse" if threshold is not None else "closer" if "coarse" in stages else "level"
        self.pixels.append(int(np.prod(images.shape[:3])))
        self.calls.append((stage, images.shape[1:3], len(images), threshold))
        floor = self.threshold if threshold is None else threshold
        return [[b for b in self.plan(stage, images.shape[1:3], n) if b[4] >= floor] for n in range(len(images))]

    def closer(self) -> list[tuple[tuple[int, int], int]]:
        return [(shape, n) for stage, shape, n, _ in self.calls if stage == "closer"]
