"""The sync protocol: what a headset should hold, in the rendition it can play.

A headset asks ``GET /api/device/manifest``; the answer lists its playlists and, per scene
bundle, only the files for its profile plus the shared ones (poster, captions, hotspots, the
bundle's manifest.json). It downloads what it misses from ``/bundles/{key}/{name}`` with HTTP
Range (so a cut download resumes), verifies each file's sha256, then reports what it holds
(``POST /api/device/inventory``) and deletes what the answer tells it to remove: anything not in
the manifest, withdrawn content included. The manifest carries an ETag; an unchanged one costs a
304 and no body.

A bundle's manifest.json (:class:`zorgblik.bundle.BundleManifest`) lists its files; a media
rendition names its profile in a ``profile`` field (without one: the bundle's own ``profile``).
Which renditions a headset may play, best first, is :data:`PLAYABLE`.

The manifest also carries, per script of its bundles, the learning-workplace profile as panels
(``profiles``: per language, :func:`scripts_vr.profile_view.headset_profile` of the newest build with a scene
here), so that a headset shows the welcome, expectations and closing panels offline.
"""

from __future__ import annotations

import hashlib
import logging
from functools import lru_cache
from pathlib import Path

import yaml
from pydantic import ValidationError
from sqlalchemy.orm import object_session

from catalog import Headset, SceneVersion, fleet, playlists
from catalog.profiles import profile_sources
from scripts_vr.profile_view import headset_profile, script_from_text
from headset_service.schemas import SyncBundle, SyncFile, SyncHeadset, SyncManifest, SyncPlaylist, Unplayable
from zorgblik.bundle import MANIFEST, ROLE_OF, BundleFile, BundleManifest
from zorgblik.terms import LANGUAGES

log = logging.getLogger(__name__)

#: The renditions each headset profile plays, best first (a Quest 3 decodes a Quest 2 rendition;
#: a Pico 4 is treated as a Quest 2 until measured).
PLAYABLE: dict[str, tuple[str, ...]] = {
    "quest2": ("quest2",),
    "quest3": ("quest3", "quest2"),
    "pico4": ("pico4", "quest2"),
    "web": ("web", "quest2"),
}


def rendition_profile(manifest: BundleManifest, entry: BundleFile) -> str | None:
    """The profile a file is for, or None for a file every headset gets."""
    if not entry.is_media:
        return None
    return entry.profile or manifest.profile


def choose_rendition(manifest: BundleManifest, profile: str) -> str | None:
    """The rendition ``profile`` plays best, or None when it plays none of them."""
    offered = {p for f in manifest.files if (p := rendition_profile(manifest, f))}
    if not offered:
        return ""  # nothing profile-bound: every file is shared
    return next((p for p in PLAYABLE.get(profile, (profile,)) if p in offered), None)


def files_for(manifest: BundleManifest, profile: str) -> list[BundleFile] | None:
    """The bundle files a headset of ``profile`` gets (not manifest.json), or None when it plays none."""
    choice = choose_rendition(manifest, profile)
    if choice is None:
        return None
    return [f for f in manifest.files if rendition_profile(manifest, f) in (None, choice)]


@lru_cache(maxsize=1024)
def _file_facts(path: str, mtime_ns: int, size: int) -> tuple[int, str]:
    return size, hashlib.sha256(Path(path).read_bytes()).hexdigest()


def manifest_file_entry(bundles_dir: Path, bundle_key: str) -> BundleFile:
    path = bundles_dir / bundle_key / MANIFEST
    stat = path.stat()
    size, digest = _file_facts(str(path), stat.st_mtime_ns, stat.st_size)
    return BundleFile(name=MANIFEST, role=ROLE_OF[MANIFEST], bytes=size, sha256=digest)


def bundle_entry(version: SceneVersion, profile: str, bundles_dir: Path) -> SyncBundle | None:
    m = version.manifest
    files = files_for(m, profile)
    if files is None:
        return None
    key = version.bundle_key
    listed = [*files, manifest_file_entry(bundles_dir, key)]
    return SyncBundle(
        bundle_key=key, script=version.scene.script.name, scene=version.scene.slug, version=version.number,
        title=m.title, media_kind=m.media_kind, stereo=m.stereo, rendition=choose_rendition(m, profile) or m.profile,
        bytes=sum(f.bytes for f in listed),
        files=[SyncFile(**f.model_dump(), url=f"/bundles/{key}/{f.name}") for f in listed])


def allowed_files(version: SceneVersion, profile: str) -> set[str]:
    files = files_for(version.manifest, profile) or []
    return {f.name for f in files} | {MANIFEST}


@lru_cache(maxsize=64)
def _profile(sha256: str, source: str) -> dict | None:
    """A build's profile as panels, per language (``{"nl": pack, "en": pack}``); None when its text
    is no valid script (older catalog rows)."""
    try:
        script = script_from_text(source)
        return {lang: headset_profile(script, lang) for lang in LANGUAGES}
    except (yaml.YAMLError, ValidationError) as exc:
        log.info("script %s: geen profiel voor de headset (%s)", sha256[:12], type(exc).__name__)
        return None


def profiles_for(versions: list[SceneVersion]) -> dict[str, dict]:
    """Per script of ``versions``, its profile as panels (scripts without a valid one left out)."""
    db = object_session(versions[0]) if versions else None
    sources = profile_sources(db, versions) if db is not None else {}
    return {name: profile for name, sv in sorted(sources.items()) if (profile := _profile(sv.sha256, sv.source))}


def build_manifest(headset: Headset, bundles_dir: Path) -> SyncManifest:
    """What ``headset`` should hold now. Deterministic: the same state gives the same bytes (ETag)."""
    listed, bundles, unplayable, held = [], {}, {}, {}
    for playlist in fleet.headset_playlists(headset):
        keys = []
        for version in playlists.playlist_versions(playlist):
            key = version.bundle_key
            held[key] = version
            if key not in bundles and key not in unplayable:
                entry = bundle_entry(version, headset.profile, bundles_dir)
                if entry is None:
                    unplayable[key] = f"geen weergave voor profiel {headset.profile}"
                else:
                    bundles[key] = entry
            if key in bundles:
                keys.append(key)
        listed.append(SyncPlaylist(id=playlist.id, name=playlist.name, context=playlist.context, scenes=keys))
    return SyncManifest(
        headset=SyncHeadset(id=headset.id, name=headset.name, profile=headset.profile),
        playlists=listed,
        bundles=list(bundles.values()),
        total_bytes=sum(b.bytes for b in bundles.values()),
        unplayable=[Unplayable(bundle_key=k, reason=r) for k, r in unplayable.items()],
        remove=sorted(set(headset.inventory or []) - set(bundles)),
        profiles=profiles_for([v for k, v in held.items() if k in bundles]),
    )


def manifest_body_and_etag(manifest: SyncManifest) -> tuple[bytes, str]:
    body = manifest.body()
    return body, '"' + hashlib.sha256(body).hexdigest()[:32] + '"'


def etag_matches(if_none_match: str | None, etag: str) -> bool:
    if not if_none_match:
        return False
    tags = {t.strip().removeprefix("W/") for t in if_none_match.split(",")}
    return "*" in tags or etag in tags


def bytes_to_fetch(headset: Headset, versions: list[SceneVersion], bundles_dir: Path) -> tuple[int, list[str]]:
    """What ``headset`` still has to download to play ``versions``: (bytes, bundle keys it cannot play)."""
    held = set(headset.inventory or [])
    total, unplayable = 0, []
    for version in versions:
        if version.bundle_key in held:
            continue
        entry = bundle_entry(version, headset.profile, bundles_dir)
        if entry is None:
            unplayable.append(version.bundle_key)
        else:
            total += entry.bytes
    return total, unplayable
