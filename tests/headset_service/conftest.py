"""A running service with staff of every role, headsets enrolled over the real API, and small
scene bundles written straight into the data folder (a rendition per headset profile, so sync
can be tested without encoding video; test_service.py builds from real footage)."""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

import httpx
import pytest

from catalog import Catalog, accounts
from headset_service.server import service_in_thread
from postgres import DATABASES, database_url
from support import renditions as support_renditions
from support import synthetic_bundle
from zorgblik.settings import Settings

PASSWORD = "correct-paard-batterij"


def write_bundle(settings: Settings, catalog: Catalog, *, script: str = "de-linde-ouderenzorg", scene: str = "huiskamer",
                 renditions: dict[str, int] | None = None, publish: bool = True, seed: str = "") -> str:
    """A video scene bundle with a rendition per profile; returns its bundle key."""
    sizes = renditions if renditions is not None else {"quest2": 300_000, "quest3": 500_000}
    manifest = {"title": {"nl": f"Scène {scene}"}, "media_kind": "video",
                "stereo": "mono", "profile": "quest2", "duration_s": 10.0,
                "contexts": ["intake", "sollicitatie", "werkveldorientatie"]}
    return synthetic_bundle(settings, catalog, script=script, scene=scene, files=support_renditions(sizes),
                            manifest=manifest, publish=publish, seed=seed)


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

    def enrol(self, name: str, profile: str = "quest2", group_id: int | None = None, by: str = "admin") -> tuple[int, str]:
        """A paired headset (id, device token); enrolled by the admin it is shared, by a session
        role it belongs to that role's context."""
        code = self.staff(by).post("/api/headsets/pairing-codes",
                                   json={"name": name, "profile": profile, "group_id": group_id}).raise_for_status().json()
        paired = httpx.post(f"{self.base_url}/api/headsets/pair", json={"code": code["code"]}).raise_for_status().json()
        return paired["headset_id"], paired["token"]

    def refs(self, bundle_keys: list[str]) -> list[dict]:
        return [{"script": "de-linde-ouderenzorg", "scene": self.scene_of[k]} for k in bundle_keys]

    def playlist(self, name: str, bundle_keys: list[str], context: str = "intake") -> int:
        refs = self.refs(bundle_keys)
        return self.staff("author").post("/api/playlists", json={"name": self.unique(name), "context": context,
                                                                 "scenes": refs}).raise_for_status().json()["id"]


@contextmanager
def running_harness(settings: Settings) -> Iterator[Harness]:
    """A service over ``settings`` on a free port, with its harness."""
    with Catalog(settings.catalog_url) as catalog, service_in_thread(settings, catalog) as running:
        h = Harness(running.base_url, settings, catalog)
        try:
            yield h
        finally:
            for c in h.clients:
                c.close()


@pytest.fixture(scope="module", params=DATABASES)
def harness(request, tmp_path_factory) -> Iterator[Harness]:
    """One service per test module and catalog (SQLite, PostgreSQL); tests make their own
    headsets, bundles and playlists."""
    with running_harness(Settings.from_env({}, data_dir=tmp_path_factory.mktemp("service") / "data", port=0,
                                           database_url=database_url(request))) as h:
        yield h


@pytest.fixture(scope="module")
def harness_with(tmp_path_factory):
    """``harness_with(**settings)``: a context manager giving a harness whose service runs with
    those settings (in a data folder of its own)."""
    return lambda **overrides: running_harness(
        Settings.from_env({}, data_dir=tmp_path_factory.mktemp("service") / "data", port=0, **overrides))


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
