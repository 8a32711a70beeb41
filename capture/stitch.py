"""Stitch dual-fisheye captures into equirectangular frames, from a lens calibration.

Consumer 360° cameras (Ricoh Theta, Samsung Gear 360, Insta360) record two fisheye images back
to back. This module turns such a pair into one 2:1 equirectangular frame, the projection every
later stage and every headset player expects::

    front = MeiLens.from_yaml("theta_front.yaml")          # one calibration per lens
    back = MeiLens.from_yaml("theta_back.yaml")
    pano = stitch_dual_fisheye(front_img, back_img, front, back, out_width=3840)
    pano = stitch_side_by_side(frame, front, back, out_width=3840)   # one 2-circle frame
    stitch_video(src, dst, front, back, out_width=3840)              # ffmpeg in, ffmpeg out

**The lens model** is the unified omnidirectional model of Mei & Rives (ICRA 2007), the one the
calibration files carry: a direction is put on the unit sphere, seen from a centre shifted by
the mirror offset ξ along the optical axis, divided by its depth, distorted (radial k1 k2,
tangential p1 p2, Brown's form) and mapped through the pinhole matrix (fx, fy, cx, cy, skew).

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

**The seam.** Each lens is trusted up to its usable half-angle (:attr:`DualFisheyeRig.
max_angle_deg`, and never past where its calibration stops being one-to-one or leaves the
image). Its weight falls linearly to zero over the last ``feather_deg`` before that edge; where
both lenses see a direction the two samples are mixed by their normalised weights; where
neither does, the output is black.

**Speed.** The per-pixel lookup is computed once per (lenses, rig, size, layout) and kept by a
:class:`DualFisheyeStitcher`; a frame then costs one ``cv2.remap`` of the whole output with
fixed-point maps, from whichever lens weighs most, plus a second remap and a blend over the
narrow seam band only.

Errors::

    CaptureError
    └── StitchError    a calibration or rig file that is missing or incomplete, an image that
                       does not fit its calibration, a video that cannot be stitched
"""

from __future__ import annotations

import functools
import logging
import math
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path

import cv2
import numpy as np
import yaml

from capture.errors import CaptureError
from zorgblik.media.frames import frame_writer, read_frames
from zorgblik.media.probe import ffprobe_json

log = logging.getLogger(__name__)

__all__ = [
    "DualFisheyeRig", "DualFisheyeStitcher", "LensPose", "MeiLens", "SeamMeasure", "StitchError",
    "measure_seam", "side_by_side_stitcher", "stitch_dual_fisheye", "stitch_side_by_side", "stitch_video",
]


class StitchError(CaptureError):
    """A dual-fisheye capture cannot be stitched: its calibration, rig or pixels do not fit."""


# ── the lens ─────────────────────────────────────────────────────────────────────────────

#: The calibration fields a Mei lens file must have, as (path in the YAML, attribute).
_LENS_FIELDS = (
    (("pinhole", "fx"), "fx"), (("pinhole", "fy"), "fy"),
    (("pinhole", "cx"), "cx"), (("pinhole", "cy"), "cy"),
    (("pinhole", "width"), "width"), (("pinhole", "height"), "height"),
    (("radial_tangential", "radial"), "radial"),
    (("radial_tangential", "t1"), "p1"), (("radial_tangential", "t2"), "p2"),
    (("mirror_offset",), "xi"),
)


def _lookup(doc: object, keys: tuple[str, ...]) -> object:
    for key in keys:
        if not isinstance(doc, Mapping) or key not in doc:
            raise KeyError(".".join(keys))
        doc = doc[key]
    return doc


def _read_yaml(path: Path, what: str, *, missing_hint: str, format_hint: str) -> object:
    """A calibration or rig file's YAML, or a StitchError naming ``what`` and the file."""
    try:
        return yaml.safe_load(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise StitchError(f"{what} niet gevonden", where=str(path), hint=missing_hint) from None
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as exc:
        raise StitchError(f"{what} onleesbaar: {exc}", where=str(path), hint=format_hint) from None


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
        """Read a calibration file (BoofCV's ``omnidirectional_universal`` layout)."""
        path = Path(path)
        where = str(path)
        doc = _read_yaml(path, "kalibratiebestand", missing_hint="geef het pad naar de YAML-kalibratie van deze lens",
                         format_hint="het moet een YAML-bestand zijn (Mei-model, omnidirectional_universal)")
        model = doc.get("model") if isinstance(doc, Mapping) else None
        if model is not None and model != "omnidirectional_universal":
            raise StitchError(f"onbekend lensmodel '{model}'", where=where,
                              hint="alleen het Mei-model (model: omnidirectional_universal) wordt ondersteund")
        values: dict[str, object] = {}
        for keys, name in _LENS_FIELDS:
            try:
                values[name] = _lookup(doc, keys)
            except KeyError:
                raise StitchError(f"veld '{'.'.join(keys)}' ontbreekt in de kalibratie", where=where,
                                  hint=f"vul '{'.'.join(keys)}' in; zie de kop van het kalibratiebestand") from None
        radial = values.pop("radial")
        if not isinstance(radial, list) or not 1 <= len(radial) <= 2:
            raise StitchError("veld 'radial_tangential.radial' moet een lijst van 1 of 2 getallen zijn (k1, k2)",
                              where=where, hint="dit model kent alleen k1 en k2")
        values["k1"], values["k2"] = (list(radial) + [0.0])[:2]
        skew = doc["pinhole"].get("skew", 0.0) or 0.0
        try:
            lens = cls(**{k: (int(v) if k in ("width", "height") else float(v)) for k, v in values.items()},
                       skew=float(skew))
        except (TypeError, ValueError) as exc:
            raise StitchError(f"kalibratie bevat een veld dat geen getal is ({exc})", where=where,
                              hint="elk veld van pinhole, radial_tangential en mirror_offset is een getal") from None
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


# ── the rig ──────────────────────────────────────────────────────────────────────────────

@dataclass(frozen=True)
class LensPose:
    """A small correction of one lens's nominal orientation, in degrees (see module docstring)."""

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
        doc = _read_yaml(path, "rigbestand", missing_hint="geef het pad naar de YAML met de stand van de twee lenzen",
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


# ── the lookup tables ─────────────────────────────────────────────────────────────────────

_ROWS_PER_CHUNK = 128
_PATCH_ROWS = 32            # the seam band is blended in patches this many rows high …
_PATCH_GAP = 64             # … and a gap narrower than this between two spans joins them
_OUTSIDE = -16.0            # a source coordinate that samples the black border


def _lens_lookup(lens: MeiLens, to_lens: np.ndarray, dirs: np.ndarray, max_angle: float, feather: float):
    """Source coordinates and seam weight of one lens for world directions ``dirs`` (…, 3)."""
    cam = dirs @ to_lens.T
    u, v, valid = lens.project(cam)
    angle = np.arccos(np.clip(cam[..., 2], -1.0, 1.0))
    weight = np.clip((max_angle - angle) / feather, 0.0, 1.0) * valid
    return u, v, weight


def _spans(columns: np.ndarray, gap: int) -> list[tuple[int, int]]:
    """Sorted column indices → [(first, last + 1)], joining runs closer than ``gap``."""
    if not len(columns):
        return []
    breaks = np.nonzero(np.diff(columns) >= gap)[0]
    starts = np.concatenate([[columns[0]], columns[breaks + 1]])
    ends = np.concatenate([columns[breaks], [columns[-1]]]) + 1
    return list(zip(starts.tolist(), ends.tolist()))


@dataclass(frozen=True)
class _Layout:
    """Where each lens's image sits in the source frame the maps read from."""

    front_x: int
    back_x: int
    width: int
    height: int


@dataclass(frozen=True)
class _SeamPatch:
    """One rectangle of the seam band: the other lens's lookup and both weights."""

    rows: slice
    cols: slice
    map1: np.ndarray
    map2: np.ndarray
    weight_primary: np.ndarray
    weight_other: np.ndarray


class DualFisheyeStitcher:
    """Lookup tables for one (front lens, back lens, rig, output width, source layout).

    Build once, call for every frame: ``pano = stitcher.remap(source)`` where ``source`` is
    the side-by-side frame the layout describes. A frame costs one ``cv2.remap`` of the whole
    output from the lens that weighs most, then, in rectangles covering the seam band only, a
    remap from the other lens and a weighted blend (``cv2.blendLinear``).
    """

    def __init__(self, front: MeiLens, back: MeiLens, out_width: int, rig: DualFisheyeRig, layout: _Layout):
        if out_width < 8 or out_width % 2:
            raise StitchError(f"uitvoerbreedte {out_width} ongeldig", hint="kies een even breedte, bijvoorbeeld 3840")
        self.front, self.back, self.rig, self.layout = front, back, rig, layout
        self.out_width, self.out_height = out_width, out_width // 2
        self._build()

    def _build(self) -> None:
        w, h, rig = self.out_width, self.out_height, self.rig
        to_front, to_back = rig.to_lens("front"), rig.to_lens("back")
        max_angle, feather = math.radians(rig.max_angle_deg), math.radians(rig.feather_deg)
        lon = ((np.arange(w) + 0.5) / w * 2.0 - 1.0) * math.pi
        primary = np.empty((h, w, 2), np.float32)
        other = np.empty((h, w, 2), np.float32)
        weights = np.empty((h, w, 2), np.float32)       # (primary, other) lens weight
        for r0 in range(0, h, _ROWS_PER_CHUNK):
            rows = slice(r0, min(h, r0 + _ROWS_PER_CHUNK))
            lat = (0.5 - (np.arange(rows.start, rows.stop) + 0.5) / h) * math.pi
            clat = np.cos(lat)[:, None]
            dirs = np.stack(np.broadcast_arrays(clat * np.sin(lon), np.sin(lat)[:, None], clat * np.cos(lon)), -1)
            fu, fv, fw = _lens_lookup(self.front, to_front, dirs, max_angle, feather)
            bu, bv, bw = _lens_lookup(self.back, to_back, dirs, max_angle, feather)
            front = np.stack([fu + self.layout.front_x, fv], -1)
            back = np.stack([bu + self.layout.back_x, bv], -1)
            front_wins = (fw >= bw)[..., None]
            seen = ((fw + bw) > 0)[..., None]
            primary[rows] = np.where(seen, np.where(front_wins, front, back), _OUTSIDE)
            other[rows] = np.where(front_wins, back, front)
            weights[rows] = np.where(front_wins, np.stack([fw, bw], -1), np.stack([bw, fw], -1))
        self.coverage = weights.sum(-1)                 # 0 where no lens sees
        self._map1, self._map2 = cv2.convertMaps(primary, None, cv2.CV_16SC2)
        # the seam band: the other lens is worth more than half a grey level there
        in_band = weights[..., 1] * 512 > weights.sum(-1)
        self.seam_pixels = int(in_band.sum())
        self._patches = []
        for r0 in range(0, h, _PATCH_ROWS):
            rows = slice(r0, min(h, r0 + _PATCH_ROWS))
            for c0, c1 in _spans(np.nonzero(in_band[rows].any(0))[0], _PATCH_GAP):
                cols = slice(c0, c1)
                band = in_band[rows, cols]
                xy = np.where(band[..., None], other[rows, cols], _OUTSIDE)
                map1, map2 = cv2.convertMaps(np.ascontiguousarray(xy), None, cv2.CV_16SC2)
                wp = np.where(band, weights[rows, cols, 0], 1.0).astype(np.float32)
                wo = np.where(band, weights[rows, cols, 1], 0.0).astype(np.float32)
                self._patches.append(_SeamPatch(rows, cols, map1, map2, wp, wo))
        patch_area = sum(p.weight_primary.size for p in self._patches)
        log.debug("stitch maps %d×%d: %d seam pixels (%.1f%%) in %d patches (%.1f%% of the frame)",
                  w, h, self.seam_pixels, 100 * self.seam_pixels / (w * h), len(self._patches),
                  100 * patch_area / (w * h))

    def remap(self, source: np.ndarray, out: np.ndarray | None = None) -> np.ndarray:
        """One equirect frame (BGR uint8, out_height × out_width) from one source frame."""
        lay = self.layout
        if source.shape[:2] != (lay.height, lay.width) or source.dtype != np.uint8:
            raise StitchError(
                f"bronbeeld {source.shape[1]}×{source.shape[0]} {source.dtype} past niet bij de kaarten "
                f"({lay.width}×{lay.height} uint8)", hint="bouw de stitcher voor deze beeldgrootte")
        pano = cv2.remap(source, self._map1, self._map2, cv2.INTER_LINEAR,
                         dst=out, borderMode=cv2.BORDER_CONSTANT, borderValue=0)
        scratch = np.empty((_PATCH_ROWS, self.out_width) + source.shape[2:], np.uint8)
        for patch in self._patches:
            h, w = patch.weight_primary.shape
            second = cv2.remap(source, patch.map1, patch.map2, cv2.INTER_LINEAR, dst=scratch[:h, :w],
                               borderMode=cv2.BORDER_CONSTANT, borderValue=0)
            region = pano[patch.rows, patch.cols]
            cv2.blendLinear(region, second, patch.weight_primary, patch.weight_other, dst=region)
        return pano


@functools.lru_cache(maxsize=4)
def _stitcher(front: MeiLens, back: MeiLens, out_width: int, rig: DualFisheyeRig,
              layout: _Layout) -> DualFisheyeStitcher:
    return DualFisheyeStitcher(front, back, out_width, rig, layout)


def _check_fits(img: np.ndarray, lens: MeiLens, which: str) -> None:
    if img.ndim not in (2, 3) or img.dtype != np.uint8:
        raise StitchError(f"{which} beeld moet uint8 zijn (BGR of grijs), niet {img.dtype} met vorm {img.shape}",
                          hint="lees het in met cv2.imread")
    if img.shape[:2] != (lens.height, lens.width):
        raise StitchError(
            f"{which} beeld is {img.shape[1]}×{img.shape[0]}, de kalibratie hoort bij {lens.width}×{lens.height}",
            hint="gebruik de kalibratie van deze camera en deze beeldgrootte (MeiLens.scaled bij dezelfde verhouding)")


def stitch_dual_fisheye(front_img: np.ndarray, back_img: np.ndarray, front_lens: MeiLens, back_lens: MeiLens,
                        out_width: int, rig: DualFisheyeRig | None = None) -> np.ndarray:
    """The equirect frame (out_width × out_width/2, BGR uint8) from the two fisheye images.

    Each image must have its lens's calibrated size. The lookup tables are cached, so calling
    this for every frame of a video pays for them once.
    """
    _check_fits(front_img, front_lens, "voorste")
    _check_fits(back_img, back_lens, "achterste")
    if front_img.shape[2:] != back_img.shape[2:]:
        raise StitchError("voorste en achterste beeld hebben een ander aantal kleurkanalen",
                          hint="lees beide in met cv2.imread (BGR)")
    height = max(front_lens.height, back_lens.height)
    layout = _Layout(0, front_lens.width, front_lens.width + back_lens.width, height)
    source = np.zeros((height, layout.width) + front_img.shape[2:], np.uint8)
    source[: front_lens.height, : front_lens.width] = front_img
    source[: back_lens.height, front_lens.width:] = back_img
    return _stitcher(front_lens, back_lens, out_width, rig or DualFisheyeRig(), layout).remap(source)


def side_by_side_stitcher(width: int, height: int, front_lens: MeiLens, back_lens: MeiLens, out_width: int,
                          rig: DualFisheyeRig | None = None, *, front_on_left: bool = True) -> DualFisheyeStitcher:
    """The (cached) stitcher for side-by-side frames of ``width`` × ``height``.

    Each half gets its lens's calibration, scaled when the half is a resized version of the
    calibrated image (video modes often are).
    """
    if width % 2:
        raise StitchError(f"een dubbel-fisheyebeeld van {width} breed valt niet in twee gelijke helften",
                          hint="verwacht twee cirkels naast elkaar, bijvoorbeeld 3840×1920")
    half = width // 2
    front, back = front_lens.scaled(half, height), back_lens.scaled(half, height)
    layout = _Layout(0 if front_on_left else half, half if front_on_left else 0, width, height)
    return _stitcher(front, back, out_width, rig or DualFisheyeRig(), layout)


def stitch_side_by_side(frame: np.ndarray, front_lens: MeiLens, back_lens: MeiLens, out_width: int,
                        rig: DualFisheyeRig | None = None, *, front_on_left: bool = True) -> np.ndarray:
    """The equirect frame from one dual-fisheye frame with the two circles side by side."""
    if frame.ndim not in (2, 3) or frame.dtype != np.uint8:
        raise StitchError(f"beeld moet uint8 zijn, niet {frame.dtype}", hint="lees het in met cv2.imread")
    stitcher = side_by_side_stitcher(frame.shape[1], frame.shape[0], front_lens, back_lens, out_width, rig,
                                     front_on_left=front_on_left)
    return stitcher.remap(frame)


# ── seam check ────────────────────────────────────────────────────────────────────────

@dataclass(frozen=True)
class SeamMeasure:
    """How well the two lenses agree on one seam (the left one at −90° or the right one at +90°).

    ``shift_lon_deg`` / ``shift_lat_deg``: how far the back lens's picture must move (towards
    larger longitude / latitude) to fit the front lens's best: 0, 0 on a perfectly calibrated
    rig and a far scene. ``mismatch`` is what is left after that shift: 1 − the normalised
    correlation of the two lenses' intensity gradients where both see (0 = the same edges,
    1 = unrelated); parallax of near objects, noise and exposure keep it above 0.
    """

    seam_lon_deg: float
    shift_lon_deg: float
    shift_lat_deg: float
    mismatch: float
    pixels: int

    @property
    def error_deg(self) -> float:
        """The misalignment across this seam, in degrees."""
        return math.hypot(self.shift_lon_deg, self.shift_lat_deg)


def _gradients(gray: np.ndarray) -> np.ndarray:
    return np.stack([cv2.Sobel(gray, cv2.CV_32F, 1, 0, ksize=3), cv2.Sobel(gray, cv2.CV_32F, 0, 1, ksize=3)], -1)


def _lens_view(img, lens, to_lens, lon, lat, max_angle):
    """One lens's grey picture of the directions (lon × lat grid), with where it sees them."""
    clat = np.cos(lat)[:, None]
    dirs = np.stack(np.broadcast_arrays(clat * np.sin(lon), np.sin(lat)[:, None], clat * np.cos(lon)), -1)
    cam = dirs @ to_lens.T
    u, v, valid = lens.project(cam)
    valid &= np.arccos(np.clip(cam[..., 2], -1.0, 1.0)) <= max_angle
    gray = img if img.ndim == 2 else cv2.cvtColor(img, cv2.COLOR_BGR2GRAY)
    view = cv2.remap(gray.astype(np.float32), u.astype(np.float32), v.astype(np.float32), cv2.INTER_LINEAR,
                     borderMode=cv2.BORDER_CONSTANT, borderValue=0)
    # a gradient is only trusted where its whole 3×3 neighbourhood was seen
    valid = cv2.erode(valid.astype(np.uint8), np.ones((3, 3), np.uint8)).astype(bool)
    return _gradients(view), valid


def _mismatch(front_g, front_ok, back_g, back_ok, dx: int, dy: int, margin: int) -> tuple[float, int]:
    """1 − the normalised correlation of the two gradient fields, back shifted by (dx, dy)."""
    h, w = front_ok.shape
    ys, xs = slice(margin, h - margin), slice(margin, w - margin)
    ys2, xs2 = slice(margin + dy, h - margin + dy), slice(margin + dx, w - margin + dx)
    both = front_ok[ys, xs] & back_ok[ys2, xs2]
    n = int(both.sum())
    if n < 100:
        return math.inf, n
    f, b = front_g[ys, xs][both], back_g[ys2, xs2][both]
    denominator = math.sqrt(float((f * f).sum()) * float((b * b).sum())) + 1e-9
    return 1.0 - float((f * b).sum()) / denominator, n


def _best_shift(fg, fok, bg, bok, margin: int, around: tuple[int, int] = (0, 0), reach: int | None = None):
    """(mismatch, dx, dy, pixels) of the best shift within ``reach`` of ``around``."""
    reach = margin if reach is None else reach
    best = (math.inf, 0, 0, 0)
    for dy in range(max(-margin, around[1] - reach), min(margin, around[1] + reach) + 1):
        for dx in range(max(-margin, around[0] - reach), min(margin, around[0] + reach) + 1):
            score, n = _mismatch(fg, fok, bg, bok, dx, dy, margin)
            best = min(best, (score, dx, dy, n))
    return best


def _halve(gradients: np.ndarray, seen: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    small = cv2.pyrDown(gradients)
    ok = cv2.erode(seen.astype(np.uint8), np.ones((5, 5), np.uint8))[::2, ::2].astype(bool)
    return small, ok[: small.shape[0], : small.shape[1]]


def measure_seam(front_img: np.ndarray, back_img: np.ndarray, front_lens: MeiLens, back_lens: MeiLens,
                 rig: DualFisheyeRig | None = None, *, reach_deg: float = 98.0, degrees_per_pixel: float = 0.25,
                 search_deg: float = 7.0, max_lat_deg: float = 45.0) -> list[SeamMeasure]:
    """Compare the two lenses where both see (around longitude −90° and +90°), per seam.

    Each lens is sampled on its own onto a longitude × latitude grid around the seam (up to
    ``reach_deg`` from its axis, further than the stitch uses it, so that shifts can be tried;
    |latitude| ≤ ``max_lat_deg``, away from the poles where longitude means little); their
    gradient fields are correlated at every shift up to ``search_deg`` (at a quarter of the
    resolution, then refined to the pixel) and the best one is reported. A wrong rotation or a wrong mirror offset
    shows as a shift of degrees; a good rig leaves a fraction of one.
    """
    rig = rig or DualFisheyeRig()
    _check_fits(front_img, front_lens, "voorste")
    _check_fits(back_img, back_lens, "achterste")
    max_angle = math.radians(reach_deg)
    half_band = reach_deg - 90.0 + search_deg
    step = math.radians(degrees_per_pixel)
    margin = 4 * int(math.ceil(search_deg / degrees_per_pixel / 4))
    n_lon = 8 * int(round(half_band / degrees_per_pixel / 4))
    n_lat = 8 * int(round((max_lat_deg + search_deg) / degrees_per_pixel / 4))
    lat = (np.arange(n_lat) - (n_lat - 1) / 2) * -step
    to_front, to_back = rig.to_lens("front"), rig.to_lens("back")
    measures = []
    for seam in (-90.0, 90.0):
        lon = math.radians(seam) + (np.arange(n_lon) - (n_lon - 1) / 2) * step
        fg, fok = _lens_view(front_img, front_lens, to_front, lon, lat, max_angle)
        bg, bok = _lens_view(back_img, back_lens, to_back, lon, lat, max_angle)
        # coarse to fine: every shift at a quarter of the resolution, then ±2 px at each finer level
        levels = [(fg, fok, bg, bok)]
        for _ in range(2):
            f_, fo_, b_, bo_ = levels[-1]
            levels.append((*_halve(f_, fo_), *_halve(b_, bo_)))
        score, dx, dy, n = _best_shift(*levels[2], margin // 4)
        for level in (1, 0):
            score, dx, dy, n = _best_shift(*levels[level], margin >> level, around=(2 * dx, 2 * dy), reach=2)
        # the back picture at (x + dx, y + dy) fits the front's at (x, y): it must move by −dx, −dy;
        # rows run downwards, so a positive dy means the back picture must move up
        measures.append(SeamMeasure(seam, -dx * degrees_per_pixel, dy * degrees_per_pixel, score, n))
    return measures


# ── video ─────────────────────────────────────────────────────────────────────────────────

def _video_size_and_rate(src: Path) -> tuple[int, int, str]:
    info = ffprobe_json(src)
    video = [s for s in info.get("streams", []) if s.get("codec_type") == "video"]
    if not video:
        raise StitchError("geen videostroom gevonden", where=str(src), hint="geef een dubbel-fisheyevideo")
    stream = video[0]
    rate = stream.get("avg_frame_rate") or "0/0"
    if rate in ("0/0", "0/1"):
        rate = stream.get("r_frame_rate") or "30/1"
    return int(stream["width"]), int(stream["height"]), rate


def stitch_video(src: Path | str, dst: Path | str, front_lens: MeiLens, back_lens: MeiLens, out_width: int,
                 rig: DualFisheyeRig | None = None, *, front_on_left: bool = True, crf: int = 18,
                 preset: str = "medium") -> int:
    """Stitch a side-by-side dual-fisheye video into an equirect H.264 MP4; returns the frame count.

    ffmpeg decodes ``src`` to raw BGR frames on a pipe, each is remapped here, and a second
    ffmpeg encodes them (yuv420p, ``crf``, ``preset``) and copies the source's audio, if any.
    """
    src, dst = Path(src), Path(dst)
    width, height, rate = _video_size_and_rate(src)
    stitcher = side_by_side_stitcher(width, height, front_lens, back_lens, out_width, rig,
                                     front_on_left=front_on_left)
    encoder = ["-c:v", "libx264", "-preset", preset, "-crf", str(crf), "-pix_fmt", "yuv420p", "-movflags", "+faststart"]
    frames = 0
    pano = np.empty((out_width // 2, out_width, 3), np.uint8)
    with frame_writer(dst, (out_width, out_width // 2), rate, pix_fmt="bgr24", video_args=encoder,
                      audio_from=src) as write:
        for frame in read_frames(src, (width, height), pix_fmt="bgr24"):
            write(stitcher.remap(frame.reshape(height, width, 3), out=pano))
            frames += 1
    if frames == 0:
        raise StitchError("de video bevat geen beelden", where=str(src), hint="controleer het bronbestand")
    log.info("stitched %d frames %s → %s", frames, src, dst)
    return frames
