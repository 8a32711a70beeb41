"""How the two lenses of a dual-fisheye camera sit, and how the seam between them is blended.

**Coordinate conventions.**

* Output equirect: column 0 is longitude −180°, the centre column is longitude 0° = straight
  ahead of the *front* lens, longitude grows to the right (the way a viewer inside the sphere
  turns right); row 0 is straight up (latitude +90°), the last row straight down.
* World directions are written (right, up, forward): longitude λ and latitude φ give
  ``(cos φ sin λ, sin φ, cos φ cos λ)``.
* Lens frame (OpenCV's): x to the right of the image, y down the image, z along the optical
  axis out of the lens. The front lens looks forward with its image upright; the back lens is
  the front one turned 180° about the vertical axis, so it looks backward, upright, and its
  image's right is the world's left.
* A :class:`LensPose` corrects one lens's nominal orientation by a small rotation in its own
  frame, applied as yaw, then pitch, then roll: ``yaw_deg`` > 0 means the lens actually points
  that far to the right of its nominal axis (as seen from behind the lens), ``pitch_deg`` > 0
  that far up, ``roll_deg`` > 0 that the lens is turned clockwise about its axis (as seen from
  behind it, looking out).

A rig file (:meth:`DualFisheyeRig.from_yaml`) corrects the nominal poses and the blend.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from capture.errors import StitchError
from capture.lens import read_yaml

__all__ = ["DualFisheyeRig", "LensPose"]


@dataclass(frozen=True)
class LensPose:
    """A small correction of one lens's nominal orientation, in degrees (see the module docstring)."""

    yaw_deg: float = 0.0
    pitch_deg: float = 0.0
    roll_deg: float = 0.0

    def matrix(self) -> np.ndarray:
        """Nominal lens frame → corrected lens frame: Rz(−roll)·Rx(−pitch)·Ry(−yaw)."""
        a, b, c = (math.radians(-d) for d in (self.yaw_deg, self.pitch_deg, self.roll_deg))
        ry = np.array([[math.cos(a), 0, math.sin(a)], [0, 1, 0], [-math.sin(a), 0, math.cos(a)]])
        # x right, y down: pointing up is a turn towards −y, so Rx(−pitch) brings it back
        rx = np.array([[1, 0, 0], [0, math.cos(b), -math.sin(b)], [0, math.sin(b), math.cos(b)]])
        rz = np.array([[math.cos(c), -math.sin(c), 0], [math.sin(c), math.cos(c), 0], [0, 0, 1]])
        return rz @ rx @ ry

    @classmethod
    def from_matrix(cls, matrix: np.ndarray) -> LensPose:
        """The pose whose :meth:`matrix` is ``matrix`` (a rotation; yaw and roll within ±180°,
        pitch within ±90°)."""
        m = np.asarray(matrix, dtype=np.float64)
        # m = Rz(c)·Rx(b)·Ry(a): its last row is (−cos b sin a, sin b, cos b cos a), its middle
        # column (−sin c cos b, cos c cos b, sin b)
        b = math.asin(max(-1.0, min(1.0, m[2, 1])))
        a = math.atan2(-m[2, 0], m[2, 2])
        c = math.atan2(-m[0, 1], m[1, 1])
        return cls(yaw_deg=-math.degrees(a), pitch_deg=-math.degrees(b), roll_deg=-math.degrees(c))


#: world (right, up, forward) → nominal lens frame (right, down, optical axis)
_WORLD_TO_FRONT = np.diag([1.0, -1.0, 1.0])
_WORLD_TO_BACK = np.diag([-1.0, -1.0, -1.0])   # the front turned 180° about the vertical axis


@dataclass(frozen=True)
class DualFisheyeRig:
    """How the two lenses sit, and how the seam between them is blended.

    ``max_angle_deg`` is how far from its axis each lens is used (93° = 186° of a lens that
    sees about 190°); ``feather_deg`` the band before that edge over which a lens's weight falls
    to zero. With the defaults the two lenses cross-fade over the 6° around the 90° seam.
    """

    front: LensPose = field(default_factory=LensPose)
    back: LensPose = field(default_factory=LensPose)
    max_angle_deg: float = 93.0
    feather_deg: float = 3.0

    def to_lens(self, side: str) -> np.ndarray:
        """The 3×3 rotation from world (right, up, forward) to the ``"front"`` or ``"back"`` lens frame."""
        if side == "front":
            return self.front.matrix() @ _WORLD_TO_FRONT
        if side == "back":
            return self.back.matrix() @ _WORLD_TO_BACK
        raise ValueError(f"side must be 'front' or 'back', not {side!r}")

    def __post_init__(self) -> None:
        if not 90.0 <= self.max_angle_deg <= 180.0:
            raise StitchError(f"max_angle_deg {self.max_angle_deg} valt buiten 90…180",
                              hint="de bruikbare halve beeldhoek van één lens, "
                                   "bijvoorbeeld 93 (186° van een lens die 190° ziet)")
        if not 0.0 < self.feather_deg <= self.max_angle_deg - 45.0:
            raise StitchError(f"feather_deg {self.feather_deg} is onmogelijk",
                              hint="een overvloeiband van een paar graden, bijvoorbeeld 3")

    @classmethod
    def from_yaml(cls, path: Path | str) -> DualFisheyeRig:
        """Read a rig file::

            front: {yaw_deg: 0, pitch_deg: 0, roll_deg: 0}
            back: {yaw_deg: 0.4, pitch_deg: -0.2, roll_deg: 0}
            max_angle_deg: 93
            feather_deg: 3

        Every key is optional; a missing one keeps its default.
        """
        path = Path(path)
        where = str(path)
        doc = read_yaml(path, "rigbestand", missing_hint="geef het pad naar de YAML met de stand van de twee lenzen",
                        format_hint="het moet een YAML-bestand zijn") or {}
        if not isinstance(doc, Mapping):
            raise StitchError("rigbestand is geen YAML-mapping", where=where,
                              hint="verwacht de sleutels front, back, max_angle_deg, feather_deg")
        known = {"front", "back", "max_angle_deg", "feather_deg"}
        unknown = sorted(set(doc) - known)
        if unknown:
            raise StitchError(f"onbekende sleutel '{unknown[0]}' in het rigbestand", where=where,
                              hint=f"bekend zijn: {', '.join(sorted(known))}")
        try:
            poses = {}
            for side in ("front", "back"):
                pose = doc.get(side) or {}
                extra = sorted(set(pose) - {"yaw_deg", "pitch_deg", "roll_deg"})
                if extra:
                    raise StitchError(f"onbekende sleutel '{side}.{extra[0]}' in het rigbestand", where=where,
                                      hint="een lens kent yaw_deg, pitch_deg en roll_deg")
                poses[side] = LensPose(**{k: float(v) for k, v in pose.items()})
            scalars = {k: float(doc[k]) for k in ("max_angle_deg", "feather_deg") if k in doc}
        except (TypeError, ValueError, AttributeError) as exc:
            raise StitchError(f"rigbestand bevat een waarde die geen getal is ({exc})", where=where,
                              hint="hoeken staan in graden, als getal") from None
        try:
            return cls(**poses, **scalars)
        except StitchError as exc:
            raise StitchError(exc.message, where=where, hint=exc.hint) from None

