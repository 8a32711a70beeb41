"""One fisheye lens: its calibration file, read with a pydantic model, and its projection.

**The lens model** is the unified omnidirectional model of Mei & Rives (ICRA 2007), the one the
calibration files carry: a direction is put on the unit sphere, seen from a centre shifted by
the mirror offset ξ along the optical axis, divided by its depth, distorted (radial k1 k2,
tangential p1 p2, Brown's form) and mapped through the pinhole matrix (fx, fy, cx, cy, skew).

    front = MeiLens.from_yaml("theta_front.yaml")          # one calibration per lens
    u, v, valid = front.project(directions)                # pixels of directions in the lens frame

A calibration file that is missing, not YAML, incomplete or impossible is a :class:`StitchError`
naming the file and the field.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Mapping
from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np
import yaml
from pydantic import BaseModel, Field, ValidationError

from capture.errors import StitchError

__all__ = ["LensFile", "MeiLens", "read_yaml"]


def read_yaml(path: Path, what: str, *, missing_hint: str, format_hint: str) -> object:
    """A calibration or rig file's YAML, or a StitchError naming ``what`` and the file."""
    try:
        return yaml.safe_load(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise StitchError(f"{what} niet gevonden", where=str(path), hint=missing_hint) from None
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as exc:
        raise StitchError(f"{what} onleesbaar: {exc}", where=str(path), hint=format_hint) from None



# ── the calibration file ──────────────────────────────────────────────────────────────────

class _Pinhole(BaseModel):
    fx: float
    fy: float
    cx: float
    cy: float
    width: float
    height: float
    skew: float | None = 0.0


class _RadialTangential(BaseModel):
    radial: list[float] = Field(min_length=1, max_length=2)
    t1: float
    t2: float


class LensFile(BaseModel):
    """A Mei lens calibration file (BoofCV's ``omnidirectional_universal`` layout); other keys
    are ignored."""

    model: object = None
    pinhole: _Pinhole
    radial_tangential: _RadialTangential
    mirror_offset: float


#: The fields a lens file must have, in the order a missing one is reported.
_LENS_FIELDS = ("pinhole.fx", "pinhole.fy", "pinhole.cx", "pinhole.cy", "pinhole.width", "pinhole.height",
                "radial_tangential.radial", "radial_tangential.t1", "radial_tangential.t2", "mirror_offset")
#: pydantic's words for a field, or the mapping holding it, that is not there
_ABSENT = {"missing", "model_type", "model_attributes_type", "dict_type"}
_RADIAL = "radial_tangential.radial"


def _refusal(exc: ValidationError, where: str) -> StitchError:
    """The StitchError for a lens file pydantic refused: a missing field first (in the order of
    the file's layout), then a radial list of the wrong shape, then a value that is no number."""
    errors = [(".".join(str(part) for part in error["loc"]), error) for error in exc.errors()]
    absent = [loc for loc, error in errors if error["type"] in _ABSENT]
    for name in _LENS_FIELDS:
        if any(loc == "" or name == loc or name.startswith(loc + ".") for loc in absent):
            return StitchError(f"veld '{name}' ontbreekt in de kalibratie", where=where,
                               hint=f"vul '{name}' in; zie de kop van het kalibratiebestand")
    if any(loc == _RADIAL for loc, _ in errors):
        return StitchError("veld 'radial_tangential.radial' moet een lijst van 1 of 2 getallen zijn (k1, k2)",
                           where=where, hint="dit model kent alleen k1 en k2")
    loc, error = errors[0]
    return StitchError(f"kalibratie bevat een veld dat geen getal is ({loc}: {error['input']!r})", where=where,
                       hint="elk veld van pinhole, radial_tangential en mirror_offset is een getal")


@dataclass(frozen=True)
class MeiLens:
    """One fisheye lens in the unified omnidirectional model (Mei & Rives 2007).

    ``width`` × ``height`` is the image the calibration was made on; ``xi`` the mirror offset.
    """

    fx: float
    fy: float
    cx: float
    cy: float
    width: int
    height: int
    xi: float
    k1: float = 0.0
    k2: float = 0.0
    p1: float = 0.0
    p2: float = 0.0
    skew: float = 0.0

    @classmethod
    def from_yaml(cls, path: Path | str) -> MeiLens:
        """Read a calibration file (BoofCV's ``omnidirectional_universal`` layout, :class:`LensFile`)."""
        path = Path(path)
        where = str(path)
        doc = read_yaml(path, "kalibratiebestand", missing_hint="geef het pad naar de YAML-kalibratie van deze lens",
                        format_hint="het moet een YAML-bestand zijn (Mei-model, omnidirectional_universal)")
        model = doc.get("model") if isinstance(doc, Mapping) else None
        if model is not None and model != "omnidirectional_universal":
            raise StitchError(f"onbekend lensmodel '{model}'", where=where,
                              hint="alleen het Mei-model (model: omnidirectional_universal) wordt ondersteund")
        try:
            found = LensFile.model_validate(doc)
        except ValidationError as exc:
            raise _refusal(exc, where) from None
        pinhole, distortion = found.pinhole, found.radial_tangential
        k1, k2 = (list(distortion.radial) + [0.0])[:2]
        lens = cls(fx=pinhole.fx, fy=pinhole.fy, cx=pinhole.cx, cy=pinhole.cy, width=int(pinhole.width),
                   height=int(pinhole.height), xi=found.mirror_offset, k1=k1, k2=k2, p1=distortion.t1,
                   p2=distortion.t2, skew=pinhole.skew or 0.0)
        if lens.fx <= 0 or lens.fy <= 0 or lens.width <= 0 or lens.height <= 0 or lens.xi < 0:
            raise StitchError("kalibratie onmogelijk: fx, fy, width en height moeten positief zijn, "
                              "mirror_offset niet negatief", where=where, hint="controleer de kalibratie")
        return lens

    def scaled(self, width: int, height: int) -> MeiLens:
        """The same lens on an image of ``width`` × ``height`` (same aspect, e.g. video vs photo)."""
        if (width, height) == (self.width, self.height):
            return self
        sx, sy = width / self.width, height / self.height
        if abs(sx - sy) > 0.01 * max(sx, sy):
            raise StitchError(
                f"beeld {width}×{height} heeft een andere verhouding dan de kalibratie ({self.width}×{self.height})",
                hint="kalibreer de lens op deze beeldgrootte, of snijd het beeld bij tot dezelfde verhouding")
        # pixel centres stay pixel centres: (c + 0.5) scales, not c
        return replace(self, fx=self.fx * sx, fy=self.fy * sy, skew=self.skew * sx,
                       cx=(self.cx + 0.5) * sx - 0.5, cy=(self.cy + 0.5) * sy - 0.5,
                       width=width, height=height)

    @functools.cached_property
    def _fold_radius2(self) -> float:
        """r² on the undistorted plane past which the radial polynomial turns back (∞ if never)."""
        # d/dr [r (1 + k1 r² + k2 r⁴)] = 1 + 3 k1 s + 5 k2 s², s = r²
        roots = np.roots([5 * self.k2, 3 * self.k1, 1.0]) if self.k2 else (
            np.array([-1 / (3 * self.k1)]) if self.k1 else np.array([]))
        positive = [r.real for r in np.atleast_1d(roots) if abs(r.imag) < 1e-12 and r.real > 0]
        return min(positive) if positive else math.inf

    def project(self, points: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Pixel coordinates of directions ``points`` (…, 3) in the lens frame.

        Returns ``(u, v, valid)``; ``valid`` is False where the direction is behind what the
        model can see (the ray would meet the shifted sphere twice), where the distortion
        polynomial has folded back, or where the pixel falls outside the image.
        """
        p = np.asarray(points, dtype=np.float64)
        norm = np.linalg.norm(p, axis=-1)
        with np.errstate(divide="ignore", invalid="ignore"):
            x, y, z = (p[..., i] / norm for i in range(3))
            depth = z + self.xi
            mx, my = x / depth, y / depth
        r2 = mx * mx + my * my
        radial = 1 + self.k1 * r2 + self.k2 * r2 * r2
        xd = mx * radial + 2 * self.p1 * mx * my + self.p2 * (r2 + 2 * mx * mx)
        yd = my * radial + self.p1 * (r2 + 2 * my * my) + 2 * self.p2 * mx * my
        u = self.fx * xd + self.skew * yd + self.cx
        v = self.fy * yd + self.cy
        # one-to-one only in front of the plane z = -1/ξ (ξ > 1) or z = -ξ (ξ ≤ 1)
        horizon = -1 / self.xi if self.xi > 1 else -self.xi
        with np.errstate(invalid="ignore"):
            valid = ((norm > 0) & (z > horizon) & (r2 < self._fold_radius2)
                     & (u >= -0.5) & (u <= self.width - 0.5) & (v >= -0.5) & (v <= self.height - 0.5))
        return np.where(valid, u, -1.0), np.where(valid, v, -1.0), valid


    def unproject(self, u: np.ndarray, v: np.ndarray, *, iterations: int = 20) -> tuple[np.ndarray, np.ndarray]:
        """Unit directions (…, 3) in the lens frame of pixels ``(u, v)``: the inverse of :meth:`project`.

        The distortion is undone by Newton's method from the distorted point; ``valid`` is False
        where that does not come back to the pixel within a hundredth of one (outside the image
        circle, past the fold of the polynomial) or where the point lies off the model's sphere.
        """
        u, v = np.asarray(u, dtype=np.float64), np.asarray(v, dtype=np.float64)
        yd = (v - self.cy) / self.fy
        xd = (u - self.cx - self.skew * yd) / self.fx
        mx, my = xd.copy(), yd.copy()
        k1, k2, p1, p2 = self.k1, self.k2, self.p1, self.p2
        with np.errstate(invalid="ignore", over="ignore", divide="ignore"):
            for _ in range(iterations):
                r2 = mx * mx + my * my
                radial = 1 + k1 * r2 + k2 * r2 * r2
                g = 2 * k1 + 4 * k2 * r2
                ex = mx * radial + 2 * p1 * mx * my + p2 * (r2 + 2 * mx * mx) - xd
                ey = my * radial + p1 * (r2 + 2 * my * my) + 2 * p2 * mx * my - yd
                a = radial + g * mx * mx + 2 * p1 * my + 6 * p2 * mx
                b = g * mx * my + 2 * p1 * mx + 2 * p2 * my
                d = radial + g * my * my + 6 * p1 * my + 2 * p2 * mx
                det = a * d - b * b
                mx, my = mx - (d * ex - b * ey) / det, my - (a * ey - b * ex) / det
            r2 = mx * mx + my * my
            root = 1 + (1 - self.xi * self.xi) * r2
            factor = (self.xi + np.sqrt(root)) / (1 + r2)
            rays = np.stack([factor * mx, factor * my, factor - self.xi], -1)
            back_u, back_v, seen = self.project(rays)
            valid = seen & (root >= 0) & (np.hypot(back_u - u, back_v - v) < 0.01)
        rays = np.where(valid[..., None], rays, 0.0)
        norm = np.linalg.norm(rays, axis=-1, keepdims=True)
        return np.divide(rays, norm, out=np.zeros_like(rays), where=norm > 0), valid
