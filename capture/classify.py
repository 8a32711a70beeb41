"""Which projection a footage file has: from its metadata first, then from its pixels.

The answer carries a confidence and the reasons, in Dutch, because the communications team
reads them.
"""

from __future__ import annotations

from dataclasses import dataclass

from capture.probe import Probe

EQUIRECT = "equirectangular"
NOT_360 = "not_360"


@dataclass(frozen=True)
class Classification:
    projection: str  # "equirectangular" | "not_360"
    stereo: str  # "mono" | "top-bottom" | "left-right"
    confidence: float
    reasons: tuple[str, ...]

    @property
    def is_360(self) -> bool:
        return self.projection != NOT_360


_STEREO_NAMES = {"top and bottom": "top-bottom", "side by side": "left-right", "2D": "mono"}


def classify(probe: Probe) -> Classification:
    reasons: list[str] = []
    mapping = next((d for d in probe.side_data if d.get("side_data_type") == "Spherical Mapping"), None)
    stereo_data = next((d for d in probe.side_data if d.get("side_data_type") == "Stereo 3D"), None)
    stereo = _STEREO_NAMES.get(stereo_data.get("type", ""), "mono") if stereo_data else "mono"
    if mapping and mapping.get("projection") == "equirectangular":
        reasons.append("metadata (Spherical Video V2): equirectangular")
        if stereo_data:
            reasons.append(f"metadata (Spherical Video V2): stereo {stereo}")
        return Classification(EQUIRECT, stereo, 0.95, tuple(reasons))

    ratio = probe.aspect
    if abs(ratio - 2.0) < 0.02:
        reasons.append(f"beeldverhouding {probe.width}×{probe.height} is 2:1, zoals equirectangular")
        return Classification(EQUIRECT, "mono", 0.7, tuple(reasons))
    if abs(ratio - 1.0) < 0.02:
        reasons.append(f"beeldverhouding {probe.width}×{probe.height} is 1:1: twee 2:1-helften boven elkaar")
        return Classification(EQUIRECT, "top-bottom", 0.5, tuple(reasons))
    reasons.append(f"beeldverhouding {probe.width}×{probe.height} ({ratio:.2f}:1) past niet bij 360° (2:1 of 1:1) en er is geen 360°-metadata")
    return Classification(NOT_360, "mono", 0.8, tuple(reasons))
