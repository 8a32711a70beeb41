"""The players against a real service on a real port: the service harness of
tests/headset_service (staff, pairing codes, playlists), photo bundles with a real JPEG and
hotspots, and Debian's Chromium driven by Playwright with the iwer WebXR emulation runtime
injected (test-only: installed by setup.sh into tests/players/webxr/node_modules)."""

from __future__ import annotations

import hashlib
import importlib.util
import json
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from catalog import Footage, queries
from support import write_bundle_folder

try:
    from catalog import signoffs
except ImportError:  # pragma: no cover - before the privacy sign-off
    signoffs = None

HERE = Path(__file__).parent
IWER = HERE / "webxr" / "node_modules" / "iwer" / "build" / "iwer.min.js"
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--use-gl=swiftshader", "--enable-unsafe-swiftshader",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run"]

_spec = importlib.util.spec_from_file_location("headset_service_conftest", HERE.parent / "headset_service" / "conftest.py")
service_conftest = importlib.util.module_from_spec(_spec)
sys.modules[_spec.name] = service_conftest  # dataclasses look their module up there
_spec.loader.exec_module(service_conftest)
Harness = service_conftest.Harness


@pytest.fixture(scope="module")
def harness(tmp_path_factory) -> Iterator[Harness]:
    """One service per test module, on SQLite only: the players' browser tests are the suite's
    slowest, and the catalog and service tests already run on PostgreSQL too (#16)."""
    from zorgblik.settings import Settings

    settings = Settings.from_env({}, data_dir=tmp_path_factory.mktemp("service") / "data", port=0)
    with service_conftest.running_harness(settings) as h:
        yield h


@pytest.fixture(scope="session")
def panorama(tmp_path_factory) -> bytes:
    """A 512×256 equirectangular JPEG (ffmpeg's colour test pattern): never black anywhere."""
    out = tmp_path_factory.mktemp("media") / "pano.jpg"
    subprocess.run(["ffmpeg", "-loglevel", "error", "-f", "lavfi", "-i", "testsrc2=size=512x256:rate=1", "-frames:v", "1",
                    "-q:v", "4", "-y", str(out)], check=True)
    return out.read_bytes()


def photo_bundle(h: Harness, scene: str, jpeg: bytes, hotspots: list[dict] = (), **extra) -> str:
    """A published photo scene bundle with real media and hotspots."""
    return scene_bundle(h, scene, ("scene.quest2.jpg", jpeg), jpeg, hotspots, **extra)


def scene_bundle(h: Harness, scene: str, media: tuple[str, bytes], poster: bytes, hotspots: list[dict] = (),
                 **extra) -> str:
    """A published scene bundle: ``media`` (name, bytes) as the quest2
    rendition, a poster, captions and hotspots; ``extra`` manifest fields (media_kind, duration_s…)."""
    scene = h.unique(scene).replace(" #", "-")
    script = "de-linde-ouderenzorg"
    key = f"{script}-{scene}-{hashlib.sha256(scene.encode()).hexdigest()[:10]}"
    fields = {"title": {"nl": f"Scène {scene}"}, "media_kind": "photo", **extra}
    manifest = write_bundle_folder(h.settings.bundles_dir / key, [
        (media[0], "media", media[1], "quest2"),
        ("poster.jpg", "poster", poster, None),
        ("captions.nl.vtt", "captions.nl", b"WEBVTT\n\n1\n00:00:00.000 --> 00:01:00.000\nWelkom in de huiskamer\n", None),
        ("hotspots.json", "hotspots", json.dumps(list(hotspots)).encode(), None),
    ], key=key, script=script, scene=scene, **fields)
    with h.catalog.session() as db:
        footage = queries.footage_by_sha256(db, "f" * 64)
        if footage is None:
            footage = Footage(sha256="f" * 64, original_name="a.jpg", store_path="ff/a.jpg", size_bytes=1,
                              media_kind="photo", codec="mjpeg", width=512, height=256, projection="equirectangular",
                              stereo="mono")
            db.add(footage)
            db.flush()
        text = f"name: {script}"
        sv = queries.record_script_version(db, name=script, organisation="De Linde", care_category="ouderenzorg",
                                           sha256=hashlib.sha256(text.encode()).hexdigest(), source=text)
        row = queries.scene_for(db, sv.script, scene, 0)
        version = queries.record_scene_version(db, scene=row, bundle_key=key, script_version=sv, footage=footage,
                                               title=scene, manifest=manifest)
        if signoffs is not None:  # publishing asks for a privacy sign-off once that has landed
            signoffs.sign_off(db, version, by="test")
        queries.publish(db, version)
    h.scene_of[key] = scene
    return key


@pytest.fixture
def photo_scene(harness, panorama):
    """``photo_scene(name, hotspots=[], **manifest_fields)``: a published photo bundle's key."""
    return lambda name, hotspots=(), **extra: photo_bundle(harness, name, panorama, hotspots, **extra)


@pytest.fixture
def media_scene(harness):
    """``media_scene(name, (file name, bytes), poster, hotspots=(), **manifest_fields)``: a published bundle's key."""
    return lambda name, media, poster, hotspots=(), **extra: scene_bundle(harness, name, media, poster, hotspots, **extra)


@pytest.fixture(scope="module")
def browser() -> Iterator:
    if not CHROMIUM.exists():
        pytest.skip("Chromium ontbreekt: ./setup.sh installeert het")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS)
        try:
            yield b
        finally:
            b.close()


@pytest.fixture
def page(browser):
    """A fresh browser profile (localStorage, Cache Storage, service worker) per test."""
    context = browser.new_context(viewport={"width": 800, "height": 600})
    pg = context.new_page()
    pg.errors = []
    pg.on("pageerror", lambda e: pg.errors.append(str(e)))
    pg.on("console", lambda m: print(f"console.{m.type}: {m.text}"))  # shown when a test fails
    try:
        yield pg
    finally:
        context.close()


@pytest.fixture
def xr_page(browser):
    """Like ``page``, with the iwer runtime emulating a Quest 3 with controllers as navigator.xr."""
    if not IWER.exists():
        pytest.skip("iwer ontbreekt: ./setup.sh installeert het (npm ci --prefix tests/players/webxr)")
    context = browser.new_context(viewport={"width": 800, "height": 600})
    context.add_init_script(path=str(IWER))
    context.add_init_script("window.xrDevice = new IWER.XRDevice(IWER.metaQuest3);"
                            "window.xrDevice.installRuntime({forceInstall: true});")
    pg = context.new_page()
    pg.errors = []
    pg.on("pageerror", lambda e: pg.errors.append(str(e)))
    pg.on("console", lambda m: print(f"console.{m.type}: {m.text}"))  # shown when a test fails
    try:
        yield pg
    finally:
        context.close()
