"""A scene's build plan: everything that decides its bundle, and nothing else.

A plan holds one :class:`Rendition` per requested headset profile (the encode ladder) and the
scene's :class:`PrivacyPlan`. Three kinds of key come from it:
- ``privacy_key`` covers what changes the blurred picture every rendition is made from (source,
  trim, level, who stays sharp, manual regions, the privacy pass's version): the privacy pass
  runs once per privacy key, whatever the number of profiles;
- ``tracks_key`` covers only what changes what the face search finds (source, trim, level, size,
  stereo, the search's settings): the search runs once per tracks key, and a consent change or a
  new profile blurs again from the cached tracks;
- ``media_key(rendition)`` covers only what changes that rendition's pixels and sound (the
  privacy key, profile, size, the encode stage's version), so editing a caption re-encodes
  nothing and runs no privacy pass, and adding a profile encodes only the new rendition;
- ``bundle_key`` covers the whole bundle (every rendition included), so any edit gives a new
  scene version.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import asdict, dataclass, field

from render.profiles import HeadsetProfile
from scripts_vr.model import BlurRegion, KeepUnblurred
from zorgblik.media.spherical import VR180_BOUNDS, EquirectBounds
from zorgblik.terms import VR180

#: How a stereo frame holds its eyes: (rows, columns) of eyes; the plan's intermediate size and
#: the privacy pass's split into eyes both read it.
EYE_LAYOUT = {"mono": (1, 1), "top-bottom": (2, 1), "left-right": (1, 2)}
#: Bump when the encode stage changes what it produces; cached encodes are then rebuilt.
#: 3: a video's renditions are encoded from the blurred frames in one pass (no intermediate file).
ENCODE_VERSION = 3
#: Bump when the privacy pass (trim, level, blur into the intermediate) changes what it produces.
PRIVACY_VERSION = 1
#: Bump when the bundle layout or an extra (poster, captions, hotspots, mesh, review) changes.
BUNDLE_VERSION = 3


@dataclass(frozen=True)
class Caption:
    start: float
    end: float
    text: dict[str, str]  # language -> text


@dataclass(frozen=True)
class Hotspot:
    id: str
    kind: str  # info | person | question
    yaw: float
    pitch: float
    start: float | None
    end: float | None
    label: dict[str, str]
    text: dict[str, str]


@dataclass(frozen=True)
class PrivacyPlan:
    """Who stays sharp and what is blurred besides the faces found (every other face is)."""

    keep: tuple[KeepUnblurred, ...] = ()  # only the entries the consent register confirms
    regions: tuple[BlurRegion, ...] = ()
    consent_state: str = "none_recorded"  # capture.consent.consent_state of the footage
    notes: tuple[str, ...] = ()  # Dutch, one line per keep entry blurred after all (names a person: staff only)


@dataclass(frozen=True)
class Rendition:
    """One rung of the encode ladder: a headset profile and the frame size it gets."""

    profile: HeadsetProfile
    width: int
    height: int

    @property
    def name(self) -> str:
        return self.profile.name


@dataclass(frozen=True)
class ScenePlan:
    script_name: str
    scene_slug: str
    position: int
    title: dict[str, str]
    source_path: str
    source_sha256: str
    media_kind: str  # video | photo
    stereo: str  # mono | top-bottom | left-right
    has_audio: bool
    source_fps: float | None
    in_s: float | None
    out_s: float | None
    level: tuple[float, float, float]  # v360 yaw, pitch, roll in degrees: see render.level
    view: tuple[float, float]  # initial view direction: yaw, pitch
    renditions: tuple[Rendition, ...]  # the first is the primary one (posters, 2D players)
    preset: str  # encoder speed preset
    captions: tuple[Caption, ...] = ()
    hotspots: tuple[Hotspot, ...] = ()
    contexts: tuple[str, ...] = ()
    audience_routes: tuple[str, ...] = ()  # who the scene is for: BOL / BBL ...
    audience_levels: tuple[int, ...] = ()  # ... and mbo levels (playlists check both against theirs)
    prompts: tuple[dict, ...] = ()
    privacy: PrivacyPlan = PrivacyPlan()
    source_size: tuple[int, int] = (0, 0)
    script_sha256: str = field(default="", compare=False)
    projection: str = "equirectangular"  # or "equirectangular-vr180": each eye the front half (1:1)
    camera_height: float | None = None  # metres: drawn on the grounded sphere (render.mesh); None: the whole one
    face_model: str = ""  # the face search's model (render.privacy.MODELS; empty: the default): named by the tracks key

    @property
    def duration_s(self) -> float | None:
        if self.media_kind != "video" or self.out_s is None:
            return None
        return self.out_s - (self.in_s or 0.0)

    @property
    def levelled(self) -> bool:
        return any(abs(a) > 1e-6 for a in self.level)

    @property
    def primary(self) -> Rendition:
        return self.renditions[0]

    @property
    def vr180(self) -> bool:
        return self.projection == VR180

    @property
    def grounded(self) -> bool:
        """Drawn on the sphere with a flat floor at ``camera_height`` (render.mesh.grounded_sphere)."""
        return self.camera_height is not None

    @property
    def eyes(self) -> tuple[int, int]:
        """How the frame holds its eyes: (rows, columns)."""
        return EYE_LAYOUT.get(self.stereo, (1, 1))

    @property
    def intermediate_size(self) -> tuple[int, int]:
        """The size of the blurred intermediate: the source's width, each eye 2:1 (a stereo eye
        that is not 2:1 is stretched to it, so directions on its sphere mean what they say); the
        renditions scale from it. A VR180 eye (the front 180°, 1:1) lies in the middle of a whole
        2:1 eye with black behind (render.ffmpeg_commands.prepare_filters): the privacy pass searches
        a whole sphere, and the renditions cut the front half out again."""
        rows, cols = self.eyes
        source_width = self.source_size[0] * (2 if self.vr180 else 1)
        width = max(16, source_width // (8 * cols) * 8 * cols)
        return width, width // cols // 2 * rows

    def _frames(self) -> dict:
        """What decides the frames the privacy pass sees: footage, cut, level, size, stereo."""
        frames = {"source": self.source_sha256, "kind": self.media_kind, "stereo": self.stereo, "in": self.in_s,
                  "out": self.out_s, "level": self.level, "size": self.intermediate_size}
        if self.vr180:  # named only for VR180, so every 360° scene keeps its keys
            frames["projection"] = self.projection
        return frames

    def privacy_key(self) -> str:
        return _digest({"v": PRIVACY_VERSION, **self._frames(), "keep": [k.model_dump() for k in self.privacy.keep],
                        "regions": [r.model_dump() for r in self.privacy.regions]})

    def tracks_key(self, detection: dict) -> str:
        """What the face search found depends on the frames it saw (footage, cut, level, size,
        stereo) and on the search (``detection``: render.privacy.tracks.detection), not on who
        stays sharp or which regions are blurred: a consent change or a new profile blurs again
        from the same tracks without searching."""
        return _digest({**self._frames(), "detection": detection})

    def media_key(self, rendition: Rendition) -> str:
        return _digest(
            {
                "v": ENCODE_VERSION,
                "privacy": self.privacy_key(),
                "audio": self.has_audio,
                "size": (rendition.width, rendition.height),
                "profile": asdict(rendition.profile),
                "preset": self.preset,
            }
        )

    def bundle_key(self) -> str:
        everything = asdict(self)
        everything.pop("script_sha256")
        everything.pop("face_model")  # it decides the tracks, named by their own key; the bundle holds what they made
        if not self.vr180:  # 360° scenes keep the keys they had before VR180
            everything.pop("projection")
        if self.camera_height is None:  # so do scenes on the whole sphere, from before grounded ones
            everything.pop("camera_height")
        everything["v"] = BUNDLE_VERSION
        everything["media"] = [self.media_key(r) for r in self.renditions]
        return _digest(everything)[:20]


def _digest(data: object) -> str:
    return hashlib.sha256(json.dumps(data, sort_keys=True, default=str).encode()).hexdigest()


def sphere_bounds(plan: ScenePlan) -> EquirectBounds | None:
    """What a rendition's spherical metadata says of the part of the sphere it holds: VR180's
    front half (V2 ``equi`` bounds, V1 cropped area), or None for the whole sphere."""
    return VR180_BOUNDS if plan.vr180 else None
