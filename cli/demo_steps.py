"""The demo: the two example scripts in demo/scripts, built from the real footage in
demo/footage, privacy-signed off and approved for the school and the practice by the demo admin
(and saying so), published, served, and
checked over HTTP like a headset would."""

from __future__ import annotations

import secrets
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import httpx

from catalog import Catalog, accounts, approvals, fleet, playlists, queries, signoffs
from headset_service.schemas import SyncManifest
from render import build_script
from render.stages import Progress
from scripts_vr.digest import profile_sha256_of_text
from zorgblik.errors import ZorgblikError
from zorgblik.settings import Settings

DEMO_DIR = Path(__file__).resolve().parent.parent / "demo"


class DemoError(ZorgblikError):
    """The demo could not run."""


def demo_scripts() -> list[Path]:
    scripts = sorted((DEMO_DIR / "scripts").glob("*.yaml"))
    if not scripts:
        raise DemoError(f"geen demoscripts in {DEMO_DIR / 'scripts'}", hint="draai de demo vanuit een volledige checkout")
    return scripts


DEMO_SIGNER = "demo-beheerder"


def build_demo(settings: Settings, catalog: Catalog, progress: Progress | None = None,
               say: Callable[[str], None] = print) -> None:
    """Build the demo scripts and publish every scene. Scenes that need a privacy sign-off are
    signed off, and each profile is approved for both sides, as the demo admin, explicitly and
    out loud: the demo has no human to look."""
    for script in demo_scripts():
        say(f"Bouwen: {script.name}")
        built = build_script(script, settings=settings, catalog=catalog, profiles=("quest2",), progress=progress)
        profile = profile_sha256_of_text(script.read_text(encoding="utf-8"), file=str(script))
        with catalog.session() as db:
            for side, side_label in approvals.APPROVAL_SIDES.items():
                if approvals.current(db, script.stem, profile)[side] is None:
                    approvals.approve(db, script.stem, side=side, by=DEMO_SIGNER, role="demo", profile_sha256=profile)
                    say(f"  {script.stem}: profiel goedgekeurd namens de {side_label} door {DEMO_SIGNER} — "
                        "in het echt keuren de school en de praktijk het samen goed")
            for scene in built:
                version = queries.scene_version_by_bundle_key(db, scene.bundle_key)
                if signoffs.signoff_reasons(version) and signoffs.signoff_for(db, version) is None:
                    signoffs.sign_off(db, version, by=DEMO_SIGNER)
                    say(f"  {script.stem}/{scene.scene_slug}: privacycontrole afgetekend door {DEMO_SIGNER} — "
                        "in het echt kijkt een mens eerst naar het reviewblad")
                queries.publish(db, version)


@dataclass(frozen=True)
class DemoAccess:
    """Who the demo signs in as, and a pairing code for a headset of your own."""

    username: str
    password: str
    check_code: str  # traded by check_service for a demo headset's device token
    pairing_code: str  # printed: type it on a real headset (valid 15 minutes)


DEMO_USER = "demo"
DEMO_GROUP = "Demo"
DEMO_PLAYLIST = "Demo intake"


def prepare_access(catalog: Catalog) -> DemoAccess:
    """A demo admin (new password each run), an intake playlist of every published scene made for
    intake on the Demo group, and two pairing codes for that group."""
    password = secrets.token_urlsafe(12)
    with catalog.session() as db:
        user = next((u for u in accounts.list_users(db) if u.username == DEMO_USER), None)
        if user is None:
            user = accounts.create_user(db, username=DEMO_USER, role="admin", password=password,
                                        display_name="Demo-beheerder")
        else:
            accounts.update_user(db, user, password=password, active=True)
        scenes = [v.scene for v in queries.published_scene_versions(db)
                  if playlists.misfit(v, context="intake") is None]  # a playlist takes only scenes that fit
        playlist = next((p for p in playlists.list_playlists(db) if p.name == DEMO_PLAYLIST), None)
        if playlist is None:
            playlist = playlists.create_playlist(db, name=DEMO_PLAYLIST, context="intake", scenes=scenes)
        else:
            playlists.set_playlist_scenes(db, playlist, scenes)
        group = next((g for g in fleet.list_groups(db) if g.name == DEMO_GROUP), None) or fleet.create_group(db, DEMO_GROUP)
        if playlist not in group.playlists:
            group.playlists.append(playlist)
        check_code, _ = fleet.create_pairing_code(db, headset_name="Demo-controle", profile="quest2", group=group)
        pairing_code, _ = fleet.create_pairing_code(db, headset_name="Demo-headset", profile="quest2", group=group)
    return DemoAccess(DEMO_USER, password, check_code, pairing_code)


def check_service(base_url: str, access: DemoAccess) -> list[dict]:
    """Ask the running service what staff and a headset would ask: sign in and list the scenes;
    pair a headset, fetch its sync manifest and a byte range of one of its files."""
    with httpx.Client(base_url=base_url, timeout=10) as staff, httpx.Client(base_url=base_url, timeout=10) as headset:
        staff.get("/api/health").raise_for_status()
        staff.post("/api/auth/login", json={"username": access.username, "password": access.password}).raise_for_status()
        scenes = staff.get("/api/scenes").raise_for_status().json()
        if not scenes:
            raise DemoError("de service geeft geen gepubliceerde scènes")
        staff.get("/").raise_for_status()
        token = headset.post("/api/headsets/pair", json={"code": access.check_code}).raise_for_status().json()["token"]
        headset.headers["Authorization"] = f"Bearer {token}"
        manifest = SyncManifest.model_validate_json(headset.get("/api/device/manifest").raise_for_status().content)
        if not manifest.bundles:
            raise DemoError("de demoheadset krijgt geen scènes om te synchroniseren")
        media = next(f for b in manifest.bundles for f in b.files if f.is_media)
        part = headset.get(media.url, headers={"Range": "bytes=0-1023"})
        if part.status_code != 206 or len(part.content) != 1024:
            raise DemoError(f"bundelbestand niet in delen op te halen (HTTP {part.status_code})")
    return scenes
