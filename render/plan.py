"""A scene's build plan: everything that decides its bundle, and nothing else.

A plan holds one :class:`Rendition` per requested headset profile (the encode ladder). Two
kinds of key come from it:
- ``media_key(rendition)`` covers only what changes that rendition's pixels and sound (source,
  trim, level, profile, size, the encode stage's version), so editing a caption re-encodes
  nothing and adding a profile encodes only the new rendition;
- ``bundle_key`` covers the whole bundle (every rendition included), so any edit gives a new
  scene version.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import asdict, dataclass, field

from render.profiles import HeadsetProfile

#: Bump when the encode stage changes what it produces; cached encodes are then rebuilt.
ENCODE_VERSION = 1
#: Bump when the bundle layout or an extra (poster, captions, hotspots, mesh) changes.
BUNDLE_VERSION = 2


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
    scene_key: str
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
    prompts: tuple[dict, ...] = ()
    script_sha256: str = field(default="", compare=False)

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

    def media_key(self, rendition: Rendition) -> str:
        return _digest(
            {
                "v": ENCODE_VERSION,
                "source": self.source_sha256,
                "kind": self.media_kind,
                "stereo": self.stereo,
                "in": self.in_s,
                "out": self.out_s,
                "level": self.level,
                "size": (rendition.width, rendition.height),
                "profile": asdict(rendition.profile),
                "preset": self.preset,
            }
        )

    def bundle_key(self) -> str:
        everything = asdict(self)
        everything.pop("script_sha256")
        everything["v"] = BUNDLE_VERSION
        everything["media"] = [self.media_key(r) for r in self.renditions]
        return _digest(everything)[:20]


def _digest(data: object) -> str:
    return hashlib.sha256(json.dumps(data, sort_keys=True, default=str).encode()).hexdigest()
