"""The scene bundle format, declared once: what a bundle folder holds and what its manifest says.

A bundle is a folder under the bundles folder, named by its bundle key. ``render`` writes it;
the catalog keeps a copy of its manifest; the service, the headset sync, the players' endpoints
and the station read it. They all go through :class:`BundleManifest`, so the format has one
definition::

    manifest.json              this manifest: what the bundle is, and every file a headset may get
    scene.{profile}.mp4|.jpg   a media rendition per headset profile (role "media")
    poster.jpg, thumb.jpg      a perspective view at the initial view direction, and a small one
    captions.{lang}.vtt        captions per language (role "captions.{lang}")
    hotspots.json, sphere.obj  the hotspots; the viewing sphere for mesh-based players
    review.png, privacy.json   for staff only: never listed in the manifest, so no headset gets them

    manifest = read_manifest(bundle_dir / MANIFEST)
    manifest.files, manifest.view.yaw, manifest.privacy.needs_signoff

The JSON on disk is what the players' JavaScript reads too (headset_service/static/player/scene.js:
``files[].name/role``, ``media_kind``, ``renditions``, ``codec``, ``width``, ``fps``, ``view``,
``title``, ``stereo``, ``duration_s``, ``mesh``), so the keys stay as they are.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from zorgblik.errors import ZorgblikError
from zorgblik.terms import MboLevel, MediaKind, Route, StereoMode, UseContext

#: The format every manifest says it is in; a manifest in another one is refused (rebuild it).
FORMAT = "zorgblik-bundle/2"

# The files of a bundle folder ------------------------------------------------------------------
MANIFEST = "manifest.json"
POSTER, THUMBNAIL = "poster.jpg", "thumb.jpg"
HOTSPOTS = "hotspots.json"
MESH = "sphere.obj"
#: Staff-only files written beside the bundle, never listed in its manifest.
REVIEW_SHEET, PRIVACY_SUMMARY = "review.png", "privacy.json"

#: A media rendition's role (a role "media.*" is media too: players and sync look at the first part).
MEDIA = "media"
#: The role of each file with a fixed name (the manifest's own role appears only in the sync's lists).
ROLE_OF: dict[str, str] = {MANIFEST: "manifest", POSTER: "poster", THUMBNAIL: "thumbnail", HOTSPOTS: "hotspots",
                           MESH: "mesh"}


def media_name(profile: str, suffix: str) -> str:
    """``scene.quest2.mp4``: the file of the rendition for ``profile`` (``suffix``: ``.mp4`` or ``.jpg``)."""
    return f"scene.{profile}{suffix}"


def captions_role(lang: str) -> str:
    return f"captions.{lang}"


def captions_name(lang: str) -> str:
    return f"{captions_role(lang)}.vtt"


class BundleFormatError(ZorgblikError):
    """A bundle's manifest is not in :data:`FORMAT` (or not a manifest at all)."""


_REBUILD = "bouw de bundel opnieuw met `zorgblik build`"


class _Part(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class BundleFile(_Part):
    """A file a headset may get: its size, its name in the folder, its role and sha256 (in the
    order on disk)."""

    bytes: int
    name: str
    role: str  # media | poster | thumbnail | captions.{lang} | hotspots | mesh (manifest: in the sync's lists)
    profile: str | None = Field(default=None, exclude_if=lambda v: v is None)  # a rendition: its headset profile
    sha256: str

    @property
    def is_media(self) -> bool:
        return self.role.split(".")[0] == MEDIA


class RenditionInfo(_Part):
    """What the probe found of a media rendition."""

    profile: str
    file: str
    codec: str | None
    width: int
    height: int
    fps: float | None  # None for a photo
    keyframe_s: float | None  # None for a photo
    bytes: int


class View(_Part):
    """The initial view direction, in degrees."""

    yaw: float
    pitch: float


class Level(_Part):
    """The levelling the picture got (render.level), in degrees."""

    yaw: float
    pitch: float
    roll: float


class Audience(_Part):
    """Who the scene is for; playlists check both against theirs."""

    routes: list[Route]
    levels: list[MboLevel]


class Prompt(_Part):
    """A conversation prompt: its text per language, and the contexts it is for (none: every one)."""

    text: dict[str, str]
    contexts: list[str]


class PrivacyCounts(_Part):
    """What the privacy pass did, in counts only (who was kept or blurred stays in privacy.json)."""

    blurred_faces: int
    kept_faces: int
    regions: int
    consent_state: str
    needs_signoff: bool


class PrivacySummary(PrivacyCounts):
    """A bundle's privacy.json, for staff only (never in the manifest's files, so never on a
    headset): the counts, the notes on who was blurred after all, and the privacy pass's own
    report (every blurred and kept face and region, with where and when)."""

    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)
    scene: str  # script/scene
    notes: list[str]
    privacy_pass: dict[str, Any] = Field(alias="pass")

    def write(self, folder: Path) -> Path:
        """Write ``folder/privacy.json``; returns its path."""
        path = folder / PRIVACY_SUMMARY
        path.write_text(json.dumps(self.model_dump(mode="json", by_alias=True), ensure_ascii=False, indent=2),
                        encoding="utf-8")
        return path


class SceneMesh(_Part):
    """What the bundle's sphere.obj is when it is not the plain sphere of its projection: the sphere
    with a flat floor ``camera_height`` metres below the viewer's eyes (render.mesh.grounded_sphere),
    which players draw the scene on instead of their own sphere."""

    shape: Literal["grounded"] = "grounded"
    camera_height: float  # metres from the floor to the capture's camera


class BundleManifest(_Part):
    """A bundle's manifest.json. The field order is the order on disk."""

    format: Literal["zorgblik-bundle/2"]  # FORMAT, said by whoever makes one (no default: a file must say it)
    bundle_key: str
    script: str
    script_sha256: str
    scene: str
    title: dict[str, str]  # per language; Dutch always
    media_kind: MediaKind
    # the whole sphere, or VR180: each eye the front half (a manifest from before VR180 says nothing)
    projection: Literal["equirectangular", "equirectangular-vr180"] = "equirectangular"
    # grounded: draw on sphere.obj, floor flat at the camera height; None (not written): the plain sphere
    mesh: SceneMesh | None = Field(default=None, exclude_if=lambda v: v is None)
    stereo: StereoMode
    profile: str  # the primary rendition: what a player without a profile takes
    profiles: list[str]
    renditions: list[RenditionInfo]
    view: View
    level: Level
    contexts: list[UseContext]
    audience: Audience | None = None  # None: built before manifests carried it (unknown, so any fits)
    prompts: list[Prompt]
    source_footage: list[str]  # sha256 of the footage
    privacy: PrivacyCounts | None = None  # None: built before the privacy pass
    # the primary rendition's picture
    codec: str | None
    width: int
    height: int
    fps: float | None
    duration_s: float | None  # None for a photo
    files: list[BundleFile]

    @model_validator(mode="before")
    @classmethod
    def _in_this_format(cls, data: Any) -> Any:
        if isinstance(data, dict) and data.get("format") != FORMAT:
            found = data.get("format")
            said = f"formaat {found!r}" if found else "geen formaat"
            raise BundleFormatError(f"de bundel heeft {said}, deze versie leest alleen {FORMAT}", hint=_REBUILD)
        return data

    def media(self) -> list[BundleFile]:
        """The media renditions, in the manifest's order (the primary one first)."""
        return [f for f in self.files if f.is_media]

    def to_json(self) -> str:
        """The manifest as manifest.json holds it."""
        return json.dumps(self.model_dump(mode="json"), ensure_ascii=False, indent=2)

    def write(self, folder: Path) -> Path:
        """Write ``folder/manifest.json``; returns its path."""
        path = folder / MANIFEST
        path.write_text(self.to_json(), encoding="utf-8")
        return path


def read_manifest(path: Path) -> BundleManifest:
    """The manifest at ``path`` (a bundle folder's manifest.json), or :class:`BundleFormatError`."""
    try:
        return BundleManifest.model_validate_json(path.read_bytes())
    except BundleFormatError as exc:
        exc.where = str(path)
        raise
    except ValidationError as exc:
        first = exc.errors()[0]
        at = ".".join(str(p) for p in first["loc"]) or "manifest"
        raise BundleFormatError(f"manifest klopt niet: {at}: {first['msg']}", where=str(path), hint=_REBUILD) from exc


def read_privacy_summary(path: Path) -> PrivacySummary:
    """The privacy summary at ``path`` (a bundle folder's privacy.json), or :class:`BundleFormatError`."""
    try:
        return PrivacySummary.model_validate_json(path.read_bytes())
    except ValidationError as exc:
        first = exc.errors()[0]
        at = ".".join(str(p) for p in first["loc"]) or "privacy.json"
        raise BundleFormatError(f"privacysamenvatting klopt niet: {at}: {first['msg']}", where=str(path),
                                hint=_REBUILD) from exc
