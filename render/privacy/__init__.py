"""Privacy: no recognisable face of someone who did not consent reaches a headset.

The front door for the render stage and the CLI::

    report = blur_image(src, dst, keep=script.privacy.keep_unblurred, regions=script.privacy.blur_regions)
    report = blur_video(src, dst, keep=..., regions=..., video_args=profile_args, progress=on_fraction)
    write_review_sheet(report, "sheet.png", scene="badkamer")
    report.summary()   # counts and items as a plain dict, for the catalog and the sign-off rule

Faces are blurred by default; a ``keep_unblurred`` entry keeps one consenting person sharp;
``blur_regions`` blur name badges, screens and whiteboards. See :mod:`render.privacy.blur`
(the blur itself, consent and the settings), :mod:`render.privacy.photo` and
:mod:`render.privacy.clip` (a photo, a clip through ffmpeg), :mod:`render.privacy.tracker`
(faces followed from frame to frame), :mod:`render.privacy.tracks` (what the search found, kept
so that it runs once per footage range), :mod:`render.privacy.picture` (a frame and its eyes),
:mod:`render.privacy.detect` (the model and the tiles), :mod:`render.privacy.tiles` (sphere
maths), :mod:`render.privacy.report` (what was done) and :mod:`render.privacy.review` (the sheet).
"""

from pathlib import Path

import lazy_loader as _lazy

from zorgblik.terms import PHOTO_SUFFIXES

# Names load from their module on first use: only the privacy pass itself needs OpenCV and the model.
__getattr__, __dir__, _lazy_names = _lazy.attach(
    __name__,
    submod_attrs={
        "blur": ["BlurSettings", "blur_box"],
        "clip": ["DEFAULT_VIDEO_ARGS", "ClipCut", "blur_video"],
        "detect": ["MODELS", "SphereDetector", "model_name", "sphere_detector"],
        "errors": ["ModelMissing", "NotEquirect", "PrivacyError"],
        "photo": ["blur_frame", "blur_image"],
        "picture": ["EYE_LAYOUT"],
        "report": ["PrivacyReport", "ReviewItem"],
        "review": ["review_sheet", "write_review_sheet"],
        "tiles": ["DEFAULT_TILES", "SphereBox", "Tile", "paste_perspective", "render_tile"],
        "tracks": ["FaceTracks", "detection"],
    },
)

def is_photo(path: str | Path) -> bool:
    """Whether ``path`` is handled as a photo (by its suffix, one capture takes photos in with);
    anything else goes through ffmpeg as a clip."""
    return Path(path).suffix.lower() in PHOTO_SUFFIXES


__all__ = sorted([*_lazy_names, "PHOTO_SUFFIXES", "is_photo"])
