"""What the privacy pass did to one photo or clip: the report and its items, each with a crop.

The pass fills a :class:`PrivacyReport` as it goes; :mod:`render.privacy.review` draws it as the
sheet a person signs off, and :meth:`PrivacyReport.summary` is what the catalog keeps.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from render.privacy.tiles import SphereBox, Tile, render_tile


@dataclass
class ReviewItem:
    """One blurred face, one kept face or one manual region, as seen on the sheet."""

    kind: str  # "face" (blurred), "kept" (consented, sharp) or "region" (manual blur)
    box: SphereBox
    start: float
    end: float
    label: str = ""
    thumbnail: np.ndarray | None = field(default=None, repr=False)

    def summary(self) -> dict:
        return {"kind": self.kind, "yaw": round(self.box.yaw, 1), "pitch": round(self.box.pitch, 1),
                "width": round(self.box.width, 1), "height": round(self.box.height, 1),
                "start": round(self.start, 2), "end": round(self.end, 2), "label": self.label}


@dataclass
class PrivacyReport:
    """What the privacy pass did to one photo or clip."""

    source: str
    width: int
    height: int
    frames: int = 0
    fps: float | None = None
    keyframes: int = 0
    items: list[ReviewItem] = field(default_factory=list)
    searches: int = 0  # keyframes the detector looked at (the rest came from known tracks)
    tracks: object = field(default=None, repr=False)  # render.privacy.tracks.FaceTracks the pass found

    def count(self, kind: str) -> int:
        return sum(item.kind == kind for item in self.items)

    def summary(self) -> dict:
        """A plain dict (JSON-ready) for the catalog and the publishing rule."""
        return {"source": self.source, "width": self.width, "height": self.height, "frames": self.frames,
                "fps": self.fps, "keyframes": self.keyframes, "blurred_faces": self.count("face"),
                "kept_faces": self.count("kept"), "regions": self.count("region"),
                "needs_signoff": self.count("face") > 0, "items": [item.summary() for item in self.items]}


def thumbnail(frame: np.ndarray, box: SphereBox, size: int) -> np.ndarray:
    """A straight-on view of ``box`` with some surroundings, from the (already blurred) frame."""
    fov = min(120.0, max(8.0, 1.8 * max(box.width, box.height)))
    return render_tile(frame, Tile(box.yaw, box.pitch, fov, size, size))
