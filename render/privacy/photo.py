"""Photos: one equirect frame, or a photo file, blurred in one go (one face search, no tracks to follow)."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import cv2
import numpy as np

from render.privacy.blur import BlurSettings
from render.privacy.detect import SphereDetector, sphere_detector
from render.privacy.errors import PrivacyError
from render.privacy.picture import Picture, check_equirect
from render.privacy.report import PrivacyReport
from render.privacy.tracker import Eyes
from scripts_vr.model import BlurRegion, KeepUnblurred
from zorgblik.media.errors import UnreadableMedia


def blur_frame(frame: np.ndarray, *, keep: Sequence[KeepUnblurred] = (), regions: Sequence[BlurRegion] = (),
               settings: BlurSettings = BlurSettings(), detector: SphereDetector | None = None,
               source: str = "frame", stereo: str = "mono") -> tuple[np.ndarray, PrivacyReport]:
    """A blurred copy of one equirect BGR frame (``stereo``: mono, top-bottom or left-right),
    and the report on what was done."""
    h, w = frame.shape[:2]
    check_equirect(w, h, source, stereo)
    report = PrivacyReport(source, w, h, frames=1)
    work = Eyes(report, stereo, keep=keep, regions=regions, settings=settings, detector=detector or sphere_detector(),
                fps=0.0)
    out = frame.copy()
    picture = Picture.from_bgr(out)
    key = work.detect(0, picture, None)
    work.apply(picture, 0, work.boxes_at(0, key, None), keyframe=True)
    return out, report


def blur_image(src: Path, dst: Path | None, **options) -> PrivacyReport:
    """Blur an equirect photo file into ``dst`` (None: only the report). Options as
    :func:`blur_frame`."""
    frame = cv2.imread(str(src), cv2.IMREAD_COLOR)
    if frame is None:
        raise UnreadableMedia("foto kan niet gelezen worden", where=str(src),
                              hint="geef een JPEG- of PNG-bestand van een equirectangulaire 360°-foto")
    out, report = blur_frame(frame, source=str(src), **options)
    if dst is not None:
        dst = Path(dst)
        dst.parent.mkdir(parents=True, exist_ok=True)
        if not cv2.imwrite(str(dst), out, [cv2.IMWRITE_JPEG_QUALITY, 95]):
            raise PrivacyError("vervaagde foto kan niet geschreven worden", where=str(dst),
                               hint="kies een uitvoernaam op .jpg of .png in een map waarin je mag schrijven")
    return report
