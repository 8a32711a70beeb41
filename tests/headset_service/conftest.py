"""A running service with staff of every role, headsets enrolled over the real API, and small
scene bundles written straight into the data folder (a rendition per headset profile, so sync
can be tested without encoding video; test_service.py builds from real footage)."""

from __future__ import annotations

import hashlib
import json
import itertools
import os
from collections.abc import Iterator
from dataclasses import dataclass, field

import httpx
import pytest
from argon2 import PasswordHasher

from catalog import Catalog, Footage, accounts, queries, signoffs
from headset_service.server import service_in_thread
from zorgblik.settings import Settings

PASSWORD = "correct-paard-batterij"


@pytest.fixture(scope="session", autouse=True)
def quick_password_hash():
    """Argon2id still, with test-sized cost: a real hash, not 130 ms per sign-in."""
    original = accounts._hasher
    accounts._hasher = lambda: PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)
    yield
    accounts._hasher = original


def write_bundle(settings: Settings, catalog: Catalog, *, script: str = "de-linde-ouderenzorg", scene: str = "huiskamer",
                 renditions: dict[str, int] | None = None, publish: bool = True, seed: str = "") -> str:
    """A scene bundle on disk and in the catalog; returns its bundle key."""
    renditions = renditions if renditions is not None else {"quest2": 300_000, "quest3": 500_000}
    key = f"{script}-{scene}-{hashlib.sha256((script + scene + seed).encode()).hexdigest()[:10]}"
    folder = settings.bundles_dir / key
    folder.mkdir(parents=True)
    files = []

    def add(name: str, role: str, data: bytes, profile: str | None = None) -> None:
        (folder / name).write_bytes(data)
        entry = {"name": name, "role": role, "bytes": len(data), "sha256": hashlib.sha256(data).hexdigest()}
        files.append({**entry, "profile": profile} if profile else entry)

    for profile, size in renditions.items():
        add(f"scene.{profile}.mp4", "media", os.urandom(size), profile)
    add("poster.jpg", "poster", os.urandom(2000))
    add("captions.nl.vtt", "captions.nl", b"WEBVTT\n\n1\n00:00:00.000 --> 00:00:02.000\nWelkom\n")
    add("hotspots.json", "hotspots", b"[]")
    manifest = {"format": "zorgblik-bundle/1", "bundle_key": key, "script": script, "scene": scene,
                "title": {"nl": f"Scène {scene}"}, "media_kind": "video", "stereo": "mono", "profile": "quest2",
                "duration_s": 10.0, "contexts": ["intake"], "files": files}
    (folder / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")
    with catalog.session() as db:
        footage = queries.footage_by_sha256(db, "f" * 64)
        if footage is None:
            footage = Footage(sha256="f" * 64, original_name="a.mp4", store_path="ff/a.mp4", size_bytes=1,
                              media_kind="video", codec="h264", width=3840, height=1920, projection="equirectangular",
                              stereo="mono")
            db.add(footage)
            db.flush()
        text = f"name: {script}"
        sv = queries.record_script_version(db, name=script, organisation="De Linde", care_category="ouderenzorg",
                                           sha256=hashlib.sha256(text.encode()).hexdigest(), source=text)
        row = queries.scene_for(db, sv.script, scene, 0)
        version = queries.record_scene_version(db, scene=row, bundle_key=key, script_version=sv, footage=footage,
                                               title=scene, manifest=manifest)
        if publish:  # synthetic media: nobody to blur, but the catalog asks for a privacy sign-off
            signoffs.sign_off(db, version, by="test")
            queries.publish(db, version)
    return key


@dataclass
class Harness:
    base_url: str
    settings: Settings
    catalog: Catalog
    clients: list[httpx.Client] = field(default_factory=list)
    staff_clients: dict[str, httpx.Client] = field(default_factory=dict)
    scene_of: dict[str, str] = field(default_factory=dict)
    names: itertools.count = field(default_factory=itertools.count)

    def unique(self, name: str) -> str:
        """``name`` made unique within the module (tests share one service)."""
        return f"{name} #{next(self.names)}"

    def client(self, token: str | None = None) -> httpx.Client:
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        client = httpx.Client(base_url=self.base_url, timeout=10, headers=headers)
        self.clients.append(client)
        return client

    def staff(self, role: str) -> httpx.Client:
        """A signed-in client for ``role``, one per role for the module."""
        if role not in self.staff_clients:
            with self.catalog.session() as db:
                user = accounts.create_user(db, username=f"{role}-test", role=role, password=PASSWORD)
                self.staff_clients[role] = self.client(accounts.open_login(db, user))
        return self.staff_clients[role]

    def bundle(self, scene: str, **kw) -> str:
        """A published bundle for a scene of its own (``scene`` made unique); returns the bundle key."""
        scene = self.unique(scene).replace(" #", "-")
        key = write_bundle(self.settings, self.catalog, scene=scene, **kw)
        self.scene_of[key] = scene
        return key

    def enrol(self, name: str, profile: str = "quest2", group_id: int | None = None) -> tuple[int, str]:
        code = self.staff("admin").post("/api/headsets/pairing-codes",
                          json={"name": name, "profile": profile, "group_id": group_id}).raise_for_status().json()
        paired = httpx.post(f"{self.base_url}/api/headsets/pair", json={"code": code["code"]}).raise_for_status().json()
        return paired["headset_id"], paired["token"]

    def refs(self, bundle_keys: list[str]) -> list[dict]:
        return [{"script": "de-linde-ouderenzorg", "scene": self.scene_of[k]} for k in bundle_keys]

    def playlist(self, name: str, bundle_keys: list[str], context: str = "intake") -> int:
        refs = self.refs(bundle_keys)
        return self.staff("author").post("/api/playlists", json={"name": self.unique(name), "context": context,
                                                                 "scenes": refs}).raise_for_status().json()["id"]


@pytest.fixture(scope="module")
def harness(tmp_path_factory) -> Iterator[Harness]:
    """One service per test module; tests make their own headsets, bundles and playlists."""
    settings = Settings.from_env({}, data_dir=tmp_path_factory.mktemp("service") / "data", port=0)
    with Catalog(settings.catalog_url) as catalog, service_in_thread(settings, catalog) as running:
        h = Harness(running.base_url, settings, catalog)
        try:
            yield h
        finally:
            for c in h.clients:
                c.close()


@pytest.fixture
def error_shape():
    """``error_shape(response, status)``: the one JSON error shape, returning its ``error``."""

    def check(response: httpx.Response, status: int) -> dict:
        assert response.status_code == status, response.text
        body = response.json()
        assert set(body) == {"error"}
        assert set(body["error"]) == {"status", "code", "message", "detail"}
        assert body["error"]["status"] == status and body["error"]["message"]
        return body["error"]

    return check
