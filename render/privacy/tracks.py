"""What the face search found in a clip, kept so that the search runs once per footage range.

The privacy pass's product is not a blurred video but the boxes its searches found: per eye, per
searched frame (keyframes and both sides of a cut), the face boxes *before* consent decides who
stays sharp. Blurring again from them (a new profile, a withdrawn consent, a keep entry added)
needs the frames decoded again but no search. They depend only on what changes detection: the
footage and its cut, level and size (the render plan's key for them) and :func:`detection`.

    tracks = FaceTracks.load(path)                 # None: not searched yet
    report = blur_video(src, None, tracks=tracks, sink=...)   # searches only frames not in it
    report.tracks.save(path)
"""

from __future__ import annotations

import json
import os
import tempfile
from dataclasses import asdict, dataclass, field
from pathlib import Path

from render.privacy.blur import BlurSettings
from render.privacy.detect import (DEFAULT_CANDIDATE, DEFAULT_ROLLS, DEFAULT_TURNED_SCALE, GATE_GRID,
                                   GATE_MAX_AGE, GATE_THRESHOLD, MODELS, SphereDetector, model_key, model_name)
from render.privacy.tiles import SphereBox

#: Bump when the search or the tracker's choice of frames changes what would be found.
#: 2: turned views searched coarse to fine (#15). 3: a clip's tiles searched again only where
#: the picture changed (the change gate, #15). (The model is named in the key by itself:
#: ``model``, and for an int8 model ``int8``, what made it.)
TRACKS_VERSION = 3


def detection(settings: BlurSettings = BlurSettings(), detector: SphereDetector | None = None,
              model: str = "") -> dict:
    """What decides which boxes a search finds, for the cache key of the tracks: ``detector``'s
    search, or (None) the default search with ``model`` (empty: the default model)."""
    found: dict = {"v": TRACKS_VERSION, "keyframe_interval": settings.keyframe_interval,
                   "cut_threshold": settings.cut_threshold}
    if detector is None:
        found.update(**model_key(MODELS[model_name(model)]()), rolls=DEFAULT_ROLLS, detect_width=4096, min_size=1.0,
                     turned_scale=DEFAULT_TURNED_SCALE, candidate=DEFAULT_CANDIDATE,
                     gate=[GATE_THRESHOLD, GATE_MAX_AGE, *GATE_GRID])
    else:
        found.update(**model_key(detector.model), rolls=detector.rolls,
                     detect_width=detector.detect_width, min_size=detector.min_size,
                     turned_scale=detector.turned_scale, candidate=detector.candidate,
                     tiles=[asdict(t) for t in detector.tiles],
                     gate=[detector.gate_threshold, detector.gate_max_age, *GATE_GRID] if detector.gate else None)
    return found


@dataclass
class FaceTracks:
    """Per eye: searched frame index → the boxes found there."""

    eyes: list[dict[int, list[SphereBox]]] = field(default_factory=list)

    @property
    def searches(self) -> int:
        return len(self.eyes[0]) if self.eyes else 0

    def to_json(self) -> dict:
        return {"v": TRACKS_VERSION,
                "eyes": [{str(i): [asdict(b) for b in boxes] for i, boxes in eye.items()} for eye in self.eyes]}

    @classmethod
    def from_json(cls, data: dict) -> FaceTracks:
        return cls([{int(i): [SphereBox(**b) for b in boxes] for i, boxes in eye.items()} for eye in data["eyes"]])

    @classmethod
    def load(cls, path: Path) -> FaceTracks | None:
        try:
            return cls.from_json(json.loads(Path(path).read_text(encoding="utf-8")))
        except FileNotFoundError:
            return None

    def save(self, path: Path) -> None:
        """Written whole or not at all (a temp file beside it, renamed)."""
        path = Path(path)
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".tracks-", suffix=".part")
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as f:
                json.dump(self.to_json(), f)
            os.replace(tmp, path)
        finally:
            Path(tmp).unlink(missing_ok=True)
