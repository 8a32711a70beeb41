"""How well the two lenses of a dual-fisheye capture agree on the seams, measured on a still pair.

    measures = measure_seam(front_img, back_img, front_lens, back_lens, rig)
    worst = max(m.error_deg for m in measures)          # degrees of misalignment across a seam
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import cv2
import numpy as np

from capture.lens import MeiLens
from capture.rig import DualFisheyeRig
from capture.stitch import check_fits

__all__ = ["SeamMeasure", "measure_seam"]


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
    check_fits(front_img, front_lens, "voorste")
    check_fits(back_img, back_lens, "achterste")
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
