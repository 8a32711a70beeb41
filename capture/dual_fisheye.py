"""Taking a dual-fisheye capture in: stitch it with the lenses' calibration, keep the
originals, and record the equirect result as footage that render can use.

    add_dual_fisheye([front.jpg, back.jpg], front_lens=…, back_lens=…)   two lens images
    add_dual_fisheye([capture.mp4], front_lens=…, back_lens=…)           both circles side by side

The originals go into the store unchanged; the stitched file is footage like any other, and
its reasons say where it came from and how well the seam fits (``measure_seam``). Before
stitching, the calibration's rig (and where needed its lens centres) is refined on the capture
itself (:func:`capture.refine.refine_stitch`: on the photo, or on the middle frame of a video)
and used only when that makes the seam smaller; the reason gives the seam before and after.
Photos are blended multi-band at the seam, videos linearly (:mod:`capture.stitch`).
"""

from __future__ import annotations

import tempfile
from collections.abc import Sequence
from pathlib import Path

import cv2
import numpy as np

from capture.classify import DUAL_FISHEYE, classify
from capture.errors import LayoutNotSupported
from capture.ingest import Ingested, add_footage, check_complete, check_name, check_pixels
from capture.lens import MeiLens
from capture.refine import refine_stitch
from capture.stitch import stitch_dual_fisheye, stitch_side_by_side, stitch_video
from capture.store import FootageStore
from catalog import Catalog, Footage
from zorgblik.media.errors import UnreadableMedia
from zorgblik.media.frames import read_frames
from zorgblik.media.probe import probe

JPEG_QUALITY = 95
VIDEO_CRF = 16  # a near-lossless intermediate: render encodes the headset renditions from it
#: a photo's seam is blended band by band (no double edges where the lenses disagree a little);
#: a video keeps the linear cross-fade, which costs a tenth as much per frame (bench/README.md)
PHOTO_BLEND = "multiband"


def _read(path: Path) -> np.ndarray:
    image = cv2.imread(str(path), cv2.IMREAD_COLOR)
    if image is None:
        raise UnreadableMedia("geen leesbare foto", where=str(path), hint="lever JPEG- of PNG-lensbeelden aan")
    return image


def _middle_frame(source: Path, width: int, height: int, duration: float | None) -> np.ndarray:
    """The frame in the middle of a video (BGR), to refine the stitch on."""
    start = duration / 2 if duration else None
    for frame in read_frames(source, (width, height), pix_fmt="bgr24", start=start, frames=1):
        return frame.reshape(height, width, 3)
    raise UnreadableMedia("de video bevat geen beelden", where=str(source), hint="controleer het bronbestand")


def _halves(frame: np.ndarray, front_lens: MeiLens, back_lens: MeiLens):
    half = frame.shape[1] // 2
    front, back = frame[:, :half], frame[:, half:2 * half]
    return front, back, front_lens.scaled(half, frame.shape[0]), back_lens.scaled(half, frame.shape[0])


def add_dual_fisheye(
    sources: Sequence[Path],
    *,
    front_lens: Path,
    back_lens: Path,
    catalog: Catalog,
    store: FootageStore,
    out_width: int | None = None,
    category: str | None = None,
    location: str | None = None,
    team: str | None = None,
    preset: str = "medium",
) -> Ingested:
    """Stitch ``sources`` (two lens images, or one side-by-side photo or video) and take the
    equirect result in."""
    sources = [Path(s) for s in sources]
    if len(sources) not in (1, 2):
        raise LayoutNotSupported(f"{len(sources)} bestanden: verwacht één dual-fisheyebestand of twee lensbeelden",
                                 hint="geef het voorste en het achterste lensbeeld, of één bestand met beide cirkels")
    for source in sources:
        check_name(source)
        check_pixels(source)  # before OpenCV or ffprobe decodes it
    lenses = MeiLens.from_yaml(front_lens), MeiLens.from_yaml(back_lens)
    where = " + ".join(str(s) for s in sources)
    with tempfile.TemporaryDirectory(prefix="zorgblik-stitch-") as tmp:
        if len(sources) == 2:
            front, back = _read(sources[0]), _read(sources[1])
            width = out_width or 2 * lenses[0].width
            refined = refine_stitch(front, back, *lenses)
            pano = stitch_dual_fisheye(front, back, refined.front_lens, refined.back_lens, width, refined.rig,
                                       blend=PHOTO_BLEND)
            suffix = ".jpg"
        else:
            source = sources[0]
            found = probe(source)
            check_complete(source, found)  # before stitching: the stitched file would look whole
            kind = classify(found, source)
            if kind.layout != DUAL_FISHEYE:
                raise LayoutNotSupported(f"geen dual-fisheyebeeld ({kind.layout}): " + "; ".join(kind.reasons),
                                         where=where, hint="voeg een gestitcht 2:1-bestand toe met 'zorgblik capture add'")
            width = out_width or found.width
            if found.media_kind == "photo":
                frame = _read(source)
                refined = refine_stitch(*_halves(frame, *lenses))
                pano = stitch_side_by_side(frame, refined.front_lens, refined.back_lens, width, refined.rig,
                                           blend=PHOTO_BLEND)
                suffix = ".jpg"
            else:
                frame = _middle_frame(source, found.width, found.height, found.duration_s)
                refined = refine_stitch(*_halves(frame, *lenses))
                pano, suffix = None, ".mp4"
        width -= width % 2
        stem = sources[0].stem
        out = Path(tmp) / f"{stem}-equirect{suffix}"
        if pano is not None:
            cv2.imwrite(str(out), pano, [cv2.IMWRITE_JPEG_QUALITY, JPEG_QUALITY])
        else:
            stitch_video(sources[0], out, refined.front_lens, refined.back_lens, width, refined.rig,
                         crf=VIDEO_CRF, preset=preset)
        ingested = add_footage(out, catalog=catalog, store=store, category=category, location=location, team=team)
        originals = [store.put(s, s.suffix) for s in sources]  # only once the stitched file is in
    provenance = ("gestitcht uit " + " + ".join(f"{s.name} (sha256 {o.sha256[:12]}…)" for s, o in zip(sources, originals))
                  + f" met de lenskalibratie {Path(front_lens).name} / {Path(back_lens).name}")
    with catalog.session() as db:
        footage = db.get(Footage, ingested.footage.id)
        added = [r for r in (provenance, refined.reason()) if r and r not in footage.reasons]
        footage.reasons = list(footage.reasons) + added
    return Ingested(footage, ingested.created, ingested.classification)
