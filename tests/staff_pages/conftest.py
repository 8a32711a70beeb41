"""The staff pages in a real browser: one service per module on a real port, Debian's Chromium
driven by Playwright, staff of every role, and small scene bundles (with conversation prompts)
written straight into the data folder, so no video is encoded here."""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import dataclass, field

import httpx
import pytest

from catalog import Catalog, accounts, fleet, queries
from catalog import playlists as catalog_playlists
from headset_service.server import service_in_thread
import support
from postgres import DATABASES, database_url
from support import synthetic_bundle
from zorgblik.settings import Settings

PASSWORD = "correct-paard-batterij"
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run"]


def write_bundle(settings: Settings, catalog: Catalog, *, script: str, scene: str, title: str, category: str,
                 prompts: list[dict] | None = None, contexts: tuple[str, ...] = ("intake",), photo: bool = False,
                 audience: dict | None = None) -> str:
    """A published scene bundle (a video, or a photo) with prompts; returns its bundle key."""
    media = ("scene.quest2.jpg", "media", b"\xff\xd8\xff\xd9", "quest2") if photo else \
        ("scene.quest2.mp4", "media", os.urandom(2000), "quest2")
    files = [media, ("poster.jpg", "poster", b"\xff\xd8\xff\xd9", None)]
    manifest = {"title": {"nl": title}, "media_kind": "photo" if photo else "video",
                "stereo": "mono", "profile": "quest2", "duration_s": None if photo else 60.0, "contexts": list(contexts),
                "prompts": prompts or []}
    if audience is not None:
        manifest["audience"] = audience
    return synthetic_bundle(settings, catalog, script=script, scene=scene, files=files, manifest=manifest,
                            category=category)


@dataclass
class Site:
    base_url: str
    settings: Settings
    catalog: Catalog
    users: dict[str, str] = field(default_factory=dict)

    def user(self, role: str) -> str:
        """The username of a member of staff in ``role`` (made once)."""
        if role not in self.users:
            with self.catalog.session() as db:
                accounts.create_user(db, username=f"{role}-web", role=role, password=PASSWORD,
                                     display_name={"intake": "Ilse Intake", "hr": "Hamid HR", "teacher": "Tess Docent",
                                                   "comms": "Cor Communicatie", "author": "Anouk Opleider",
                                                   "admin": "Ada Beheer"}[role])
            self.users[role] = f"{role}-web"
        return self.users[role]

    def api(self, role: str) -> httpx.Client:
        with self.catalog.session() as db:
            user = next(u for u in accounts.list_users(db) if u.username == self.user(role))
            token = accounts.open_login(db, user)
        return httpx.Client(base_url=self.base_url, headers={"Authorization": f"Bearer {token}"}, timeout=10)

    def enrol(self, name: str, group: str, playlists: list[str]) -> tuple[int, str]:
        """A quest2 headset in ``group`` (made if new) holding ``playlists``; returns (id, device token)."""
        with self.catalog.session() as db:
            g = next((x for x in fleet.list_groups(db) if x.name == group), None) or fleet.create_group(db, group)
            for p in catalog_playlists.list_playlists(db):
                if p.name in playlists and p not in g.playlists:
                    g.playlists.append(p)
            code, _ = fleet.create_pairing_code(db, headset_name=name, profile="quest2", group=g)
        paired = httpx.post(f"{self.base_url}/api/headsets/pair", json={"code": code}).raise_for_status().json()
        return paired["headset_id"], paired["token"]

    def device(self, token: str) -> httpx.Client:
        """The service as the headset with ``token`` sees it."""
        return httpx.Client(base_url=self.base_url, headers={"Authorization": f"Bearer {token}"}, timeout=10)

    def bundle(self, **kw) -> str:
        return write_bundle(self.settings, self.catalog, **kw)

    def playlist(self, name: str, context: str, bundle_keys: list[str]) -> int:
        with self.catalog.session() as db:
            scenes = [queries.scene_version_by_bundle_key(db, k).scene for k in bundle_keys]
            return catalog_playlists.create_playlist(db, name=name, context=context, scenes=scenes).id


@pytest.fixture(scope="module", params=DATABASES)
def site(request, tmp_path_factory) -> Iterator[Site]:
    """One service per test module and catalog (SQLite, PostgreSQL)."""
    settings = Settings.from_env({}, data_dir=tmp_path_factory.mktemp("staff") / "data", port=0,
                                 database_url=database_url(request))
    with Catalog(settings.catalog_url) as catalog, service_in_thread(settings, catalog) as running:
        yield Site(running.base_url, settings, catalog)


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        chromium = pw.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture
def open_as(site, browser):
    """``open_as(role, viewport=(w, h))``: a signed-in page (signed in through the real form)."""
    contexts = []

    def sign_in(role: str, viewport: tuple[int, int] = (1280, 800)):
        context = browser.new_context(viewport={"width": viewport[0], "height": viewport[1]}, locale="nl-NL")
        contexts.append(context)
        page = context.new_page()
        page.set_default_timeout(5000)
        page.goto(f"{site.base_url}/")
        page.get_by_label("Gebruikersnaam").fill(site.user(role))
        page.get_by_label("Wachtwoord").fill(PASSWORD)
        page.get_by_role("button", name="Inloggen").click()
        page.wait_for_url(f"{site.base_url}/")
        return page

    yield sign_in
    for context in contexts:
        context.close()


@pytest.fixture
def shoot():
    """``shoot(page, name)``: save a full-page screenshot when ZORGBLIK_SCREENSHOTS names a folder."""

    return support.shoot
