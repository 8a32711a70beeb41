"""A scene's build plan: everything that decides its bundle, and nothing else.

Two keys come from a plan:
- ``media_key`` covers only what changes the encoded pixels and sound (source, trim, level,
  profile, the encode stage's version), so editing a caption re-encodes nothing;
- ``bundle_key`` covers the whole bundle, so any edit gives a new scene version.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import asdict, dataclass, field

from render.profiles import HeadsetProfile

#: Bump when the encode stage changes what it produces; cached encodes are then rebuilt.
ENCODE_VERSION = 1
#: Bump when the bundle layout or an extra (poster, captions, hotspots) changes.
BUNDLE_VERSION = 1


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
    level: tuple[float, float, float]  # yaw, pitch, roll corrections in degrees
    view: tuple[float, float]  # initial view direction: yaw, pitch
    profile: HeadsetProfile
    preset: str  # encoder speed preset
    out_width: int
    out_height: int
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

    def media_key(self) -> str:
        return _digest(
            {
                "v": ENCODE_VERSION,
                "source": self.source_sha256,
                "kind": self.media_kind,
                "stereo": self.stereo,
                "in": self.in_s,
                "out": self.out_s,
                "level": self.level,
                "size": (self.out_width, self.out_height),
                "profile": asdict(self.profile),
                "preset": self.preset,
            }
        )

    def bundle_key(self) -> str:
        everything = asdict(self)
        everything.pop("script_sha256")
        everything["v"] = BUNDLE_VERSION
        everything["media"] = self.media_key()
        return _digest(everything)[:20]


def _digest(data: object) -> str:
    return hashlib.sha256(json.dumps(data, sort_keys=True, default=str).encode()).hexdigest()
