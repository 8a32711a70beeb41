"""Privacy: no recognisable face of someone who did not consent reaches a headset.

The front door for the render stage and the CLI::

    report = blur_image(src, dst, keep=script.privacy.keep_unblurred, regions=script.privacy.blur_regions)
    report = blur_video(src, dst, keep=..., regions=..., video_args=profile_args, progress=on_fraction)
    write_review_sheet(report, "sheet.png", scene="badkamer")
    report.summary()   # counts and items as a plain dict, for the catalog and the sign-off rule

Faces are blurred by default; a ``keep_unblurred`` entry keeps one consenting person sharp;
``blur_regions`` blur name badges, screens and whiteboards. See :mod:`render.privacy.blur`
(how), :mod:`render.privacy.detect` (the model and the tiles), :mod:`render.privacy.tiles`
(sphere maths) and :mod:`render.privacy.review` (the sheet).
"""

from pathlib import Path

from render.privacy.blur import (
    DEFAULT_VIDEO_ARGS,
    EYE_LAYOUT,
    BlurSettings,
    ClipCut,
    PrivacyReport,
    ReviewItem,
    blur_box,
    blur_frame,
    blur_image,
    blur_video,
)
from render.privacy.detect import MODELS, SphereDetector, sphere_detector
from render.privacy.errors import MediaUnreadable, ModelMissing, NotEquirect, PrivacyError
from render.privacy.review import review_sheet, write_review_sheet
from render.privacy.tiles import DEFAULT_TILES, SphereBox, Tile, paste_perspective, render_tile

#: File suffixes treated as photos; anything else goes through ffmpeg as a clip.
PHOTO_SUFFIXES = (".jpg", ".jpeg", ".png", ".tif", ".tiff", ".webp")


def is_photo(path: str | Path) -> bool:
    """Whether ``path`` is handled as a photo (by its suffix)."""
    return Path(path).suffix.lower() in PHOTO_SUFFIXES


__all__ = [
    "BlurSettings",
    "ClipCut",
    "DEFAULT_TILES",
    "DEFAULT_VIDEO_ARGS",
    "EYE_LAYOUT",
    "MODELS",
    "MediaUnreadable",
    "ModelMissing",
    "NotEquirect",
    "PHOTO_SUFFIXES",
    "PrivacyError",
    "PrivacyReport",
    "ReviewItem",
    "SphereBox",
    "SphereDetector",
    "Tile",
    "blur_box",
    "blur_frame",
    "blur_image",
    "blur_video",
    "is_photo",
    "paste_perspective",
    "render_tile",
    "review_sheet",
    "sphere_detector",
    "write_review_sheet",
]
