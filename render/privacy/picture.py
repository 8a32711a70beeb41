"""One frame as the pass sees it: the planes that are blurred in place, and each eye of a stereo frame.

Stereo footage (``stereo="top-bottom"`` or ``"left-right"``, laid out as
:data:`render.plan.EYE_LAYOUT` says) is two equirect pictures in one frame; :func:`eye_view`
gives one of them as a picture of its own, whose blurring lands in the frame.
"""

from __future__ import annotations

from collections.abc import Callable

import cv2
import numpy as np

from render.plan import EYE_LAYOUT
from render.privacy.blur import blur_box
from render.privacy.errors import NotEquirect
from render.privacy.tiles import SphereBox


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
