"""Blurring faces on equirectangular photos and clips, with consent deciding who stays sharp.

Every face found is blurred unless a script's ``privacy.keep_unblurred`` entry points at it (its
centre within :attr:`BlurSettings.keep_within` degrees, inside the entry's time window). The
script's ``privacy.blur_regions`` (name badges, screens with client records) are blurred as well,
in their time windows. Blurring is irreversible: the region is scaled down to a few cells across
(the detail is thrown away, not hidden) and scaled up smoothly again.

Clips are :mod:`render.privacy.clip`'s, photos :mod:`render.privacy.photo`'s; how faces are
followed from frame to frame, and each eye of stereo footage on its own, is
:mod:`render.privacy.tracker`'s.
"""

from __future__ import annotations

import logging
import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import cv2
import numpy as np

from render.plan import EYE_LAYOUT
from render.privacy.errors import NotEquirect
from render.privacy.tiles import SphereBox, angle_between, equirect_mask
from scripts_vr.model import KeepUnblurred

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class BlurSettings:
    """How hard and how often: each setting once, with its default and what it does."""

    keyframe_interval: int = 15
    """frames between two face searches (a cut always starts a new search)"""
    margin: float = 0.25
    """each face box grows by this share of its size on every side before blurring"""
    cells: int = 6
    """a blurred face keeps this many cells across its height: nothing recognisable survives"""
    keep_within: float = 5.0
    """degrees: a face whose centre is this close to a keep_unblurred direction stays sharp"""
    cut_threshold: float = 30.0
    """mean grey-level change (0–255) between two frames that counts as a cut"""
    thumbnail: int = 160
    """pixels: the side of each crop on the review sheet"""


# --- blurring one frame -------------------------------------------------------------------------


def blur_box(frame: np.ndarray, box: SphereBox, cells: int = 6) -> None:
    """Blur ``box`` in the equirect ``frame``, in place, irreversibly: the pixels inside are
    replaced by a ``cells``-across downscale of themselves, scaled up smoothly."""
    h, w = frame.shape[:2]
    rows, cols, mask = equirect_mask(box, w, h)
    if not mask.any():
        return
    contiguous = cols[-1] - cols[0] == len(cols) - 1
    region = frame[rows[0]:rows[-1] + 1, cols[0]:cols[-1] + 1] if contiguous else frame[np.ix_(rows, cols)]
    ch, cw = region.shape[:2]
    cell = max(2.0, box.height / 180.0 * h / cells)  # pixels per cell, vertically
    stretch = 1.0 / max(0.05, math.cos(math.radians(box.pitch)))  # equirect rows widen toward the poles
    small = cv2.resize(region, (max(1, round(cw / (cell * stretch))), max(1, round(ch / cell))),
                       interpolation=cv2.INTER_AREA)
    smooth = cv2.resize(small, (cw, ch), interpolation=cv2.INTER_LINEAR)
    if contiguous:
        region[mask] = smooth[mask]
    else:
        region[mask] = smooth[mask]
        frame[np.ix_(rows, cols)] = region


def in_window(t: float, start: float | None, end: float | None) -> bool:
    return (start is None or t >= start) and (end is None or t <= end)


def consenting(box: SphereBox, t: float, keep: Sequence[KeepUnblurred], within: float) -> KeepUnblurred | None:
    """The keep_unblurred entry that covers this face at time ``t``, if any."""
    for entry in keep:
        if in_window(t, entry.start, entry.end) and angle_between(box.yaw, box.pitch, entry.yaw, entry.pitch) <= within:
            return entry
    return None


class Picture:
    """One frame as the planes that are blurred in place (one BGR plane for a photo; Y, U and V
    for a clip, so frames stream through ffmpeg as yuv420p without colour conversion) and a BGR
    image made on demand for the detector and the sheet."""

    def __init__(self, planes: list[np.ndarray], to_bgr: Callable[[], np.ndarray], data: object = None):
        self.planes, self._to_bgr, self.data = planes, to_bgr, data
        self._bgr: np.ndarray | None = None

    @classmethod
    def from_bgr(cls, frame: np.ndarray) -> Picture:
        return cls([frame], lambda: frame, frame)

    @classmethod
    def from_i420(cls, flat: np.ndarray, width: int, height: int) -> Picture:
        luma, quarter = width * height, width * height // 4
        planes = [flat[:luma].reshape(height, width),
                  flat[luma:luma + quarter].reshape(height // 2, width // 2),
                  flat[luma + quarter:luma + 2 * quarter].reshape(height // 2, width // 2)]
        whole = flat.reshape(height * 3 // 2, width)
        return cls(planes, lambda: cv2.cvtColor(whole, cv2.COLOR_YUV2BGR_I420), flat)

    def bgr(self) -> np.ndarray:
        """The frame as BGR, as it is now (made again after the planes change)."""
        if self._bgr is None or len(self.planes) > 1:
            self._bgr = self._to_bgr()
        return self._bgr

    def blur(self, box: SphereBox, cells: int) -> None:
        for plane in self.planes:
            blur_box(plane, box, cells)


EYE_NAMES = {"mono": ("",), "top-bottom": ("linkeroog", "rechteroog"), "left-right": ("linkeroog", "rechteroog")}


def eye_view(picture: Picture, stereo: str, eye: int) -> Picture:
    """Eye ``eye`` of a stereo ``picture``: planes that are views into the frame's own planes (so
    blurring them blurs the frame) and a BGR image cut from the frame's."""
    rows, cols = EYE_LAYOUT[stereo]
    if rows == cols == 1:
        return picture

    def cut(plane: np.ndarray) -> np.ndarray:
        h, w = plane.shape[:2]
        r, c = divmod(eye, cols)
        return plane[r * h // rows:(r + 1) * h // rows, c * w // cols:(c + 1) * w // cols]

    return Picture([cut(p) for p in picture.planes], lambda: cut(picture.bgr()), picture.data)


def check_equirect(width: int, height: int, where: str, stereo: str = "mono") -> None:
    """Raise :class:`NotEquirect` unless the frame splits into ``stereo``'s eyes, each a 2:1 equirect."""
    rows, cols = EYE_LAYOUT.get(stereo, (1, 1))
    if width % cols or height % rows:
        raise NotEquirect(f"beeld is {width}×{height}, niet in {rows * cols} ogen te delen", where=where)
    width, height = width // cols, height // rows
    if width != 2 * height:
        raise NotEquirect(f"beeld is {width}×{height}, geen 2:1 equirectangulair 360°-beeld", where=where,
                          hint="geef een equirectangulaire opname: per oog 2:1 (mono, stereo boven-onder of naast elkaar)")
