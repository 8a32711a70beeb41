"""Stitch dual-fisheye captures into equirectangular frames, from a lens calibration.

Consumer 360° cameras (Ricoh Theta, Samsung Gear 360, Insta360) record two fisheye images back
to back. This module turns such a pair into one 2:1 equirectangular frame, the projection every
later stage and every headset player expects::

    front = MeiLens.from_yaml("theta_front.yaml")          # one calibration per lens
    back = MeiLens.from_yaml("theta_back.yaml")
    pano = stitch_dual_fisheye(front_img, back_img, front, back, out_width=3840)
    pano = stitch_side_by_side(frame, front, back, out_width=3840)   # one 2-circle frame
    stitch_video(src, dst, front, back, out_width=3840)              # ffmpeg in, ffmpeg out

The lens (:mod:`capture.lens`) and the rig (:mod:`capture.rig`) say where each direction is
seen; the seam check is :mod:`capture.seam`; frames come and go through the media layer's
frame reader and writer (:mod:`zorgblik.media.frames`).

Output equirect: column 0 is longitude −180°, the centre column is longitude 0° = straight ahead
of the *front* lens, longitude grows to the right; row 0 is straight up, the last row straight down.

**The seam.** Each lens is trusted up to its usable half-angle (:attr:`DualFisheyeRig.
max_angle_deg`, and never past where its calibration stops being one-to-one or leaves the
image). Its weight falls linearly to zero over the last ``feather_deg`` before that edge; where
both lenses see a direction the two samples are mixed by their normalised weights; where
neither does, the output is black. That is ``blend="linear"``, the default (and the one video
uses: it costs a remap of the narrow seam band only). ``blend="multiband"`` (photos) blends
the two lenses' pictures band by band instead (Burt & Adelson's Laplacian pyramids): fine
detail switches from one lens to the other within a pixel or two at the seam, so a residual
misalignment leaves no double edges; coarse shading (the lenses' exposure) fades over the
whole overlap, so it leaves no step either.

**Speed.** The per-pixel lookup is computed once per (lenses, rig, size, layout) and kept by a
:class:`DualFisheyeStitcher`; a frame then costs one ``cv2.remap`` of the whole output with
fixed-point maps, from whichever lens weighs most, plus a second remap and a blend over the
narrow seam band only.

Errors::

    CaptureError
    └── StitchError    (capture.errors) a calibration or rig file that is missing or incomplete, an image that
                       does not fit its calibration, a video that cannot be stitched
"""

from __future__ import annotations

import functools
import logging
import math
from dataclasses import dataclass
from pathlib import Path

import cv2
import numpy as np

from capture.errors import StitchError
from capture.lens import MeiLens
from capture.rig import DualFisheyeRig
from zorgblik.media.frames import frame_writer, read_frames
from zorgblik.media.probe import ffprobe_json

log = logging.getLogger(__name__)

__all__ = [
    "DualFisheyeStitcher", "check_fits", "lens_images_from_equirect", "side_by_side_stitcher", "stitch_dual_fisheye",
    "stitch_side_by_side", "stitch_video",
]


# ── the lookup tables ─────────────────────────────────────────────────────────────────────

_ROWS_PER_CHUNK = 128
_PATCH_ROWS = 32            # the seam band is blended in patches this many rows high …
_PATCH_GAP = 64             # … and a gap narrower than this between two spans joins them
_OUTSIDE = -16.0            # a source coordinate that samples the black border


BLENDS = ("linear", "multiband")


def _lens_lookup(lens: MeiLens, to_lens: np.ndarray, dirs: np.ndarray, max_angle: float, feather: float):
    """Source coordinates, seam weight and where the lens sees at all, for world directions ``dirs`` (…, 3)."""
    cam = dirs @ to_lens.T
    u, v, valid = lens.project(cam)
    angle = np.arccos(np.clip(cam[..., 2], -1.0, 1.0))
    weight = np.clip((max_angle - angle) / feather, 0.0, 1.0) * valid
    return u, v, weight, valid


def _laplacian(image: np.ndarray, levels: int) -> list[np.ndarray]:
    """The Laplacian pyramid of ``image`` (float32), finest first, the last level its Gaussian top."""
    pyramid, current = [], image
    for _ in range(levels):
        smaller = cv2.pyrDown(current)
        pyramid.append(current - cv2.pyrUp(smaller, dstsize=(current.shape[1], current.shape[0])))
        current = smaller
    return pyramid + [current]


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

    def __init__(self, front: MeiLens, back: MeiLens, out_width: int, rig: DualFisheyeRig, layout: _Layout,
                 blend: str = "linear"):
        if out_width < 8 or out_width % 2:
            raise StitchError(f"uitvoerbreedte {out_width} ongeldig", hint="kies een even breedte, bijvoorbeeld 3840")
        if blend not in BLENDS:
            raise StitchError(f"onbekende naadovergang '{blend}'", hint=f"kies uit: {', '.join(BLENDS)}")
        self.front, self.back, self.rig, self.layout, self.blend = front, back, rig, layout, blend
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
        multiband = self.blend == "multiband"
        if multiband:
            # each lens's picture wherever it sees, the other's where it does not (so that the
            # pyramids' coarse levels hold no black), and which lens wins each pixel
            lens_xy = np.empty((2, h, w, 2), np.float32)
            front_share = np.empty((h, w), np.float32)
        for r0 in range(0, h, _ROWS_PER_CHUNK):
            rows = slice(r0, min(h, r0 + _ROWS_PER_CHUNK))
            lat = (0.5 - (np.arange(rows.start, rows.stop) + 0.5) / h) * math.pi
            clat = np.cos(lat)[:, None]
            dirs = np.stack(np.broadcast_arrays(clat * np.sin(lon), np.sin(lat)[:, None], clat * np.cos(lon)), -1)
            fu, fv, fw, f_sees = _lens_lookup(self.front, to_front, dirs, max_angle, feather)
            bu, bv, bw, b_sees = _lens_lookup(self.back, to_back, dirs, max_angle, feather)
            front = np.stack([fu + self.layout.front_x, fv], -1)
            back = np.stack([bu + self.layout.back_x, bv], -1)
            front_wins = (fw >= bw)[..., None]
            seen = ((fw + bw) > 0)[..., None]
            primary[rows] = np.where(seen, np.where(front_wins, front, back), _OUTSIDE)
            other[rows] = np.where(front_wins, back, front)
            weights[rows] = np.where(front_wins, np.stack([fw, bw], -1), np.stack([bw, fw], -1))
            if multiband:
                lens_xy[0, rows] = np.where(f_sees[..., None], front, back)
                lens_xy[1, rows] = np.where(b_sees[..., None], back, front)
                front_share[rows] = (front_wins & seen)[..., 0]
        self.coverage = weights.sum(-1)                 # 0 where no lens sees
        self._map1, self._map2 = cv2.convertMaps(primary, None, cv2.CV_16SC2)
        if multiband:
            self._lens_maps = [cv2.convertMaps(lens_xy[i], None, cv2.CV_16SC2) for i in range(2)]
            # as many bands as halvings fit in the cross-fade's width: the coarsest spans it
            fade_px = 2 * rig.feather_deg / 360.0 * w
            self._levels = max(1, min(8, round(math.log2(max(2.0, fade_px)))))
            share = [front_share]
            for _ in range(self._levels):
                share.append(cv2.pyrDown(share[-1]))
            self._front_share = share
            del lens_xy
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
        if self.blend == "multiband":
            return self._remap_multiband(source, out)
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

    def _remap_multiband(self, source: np.ndarray, out: np.ndarray | None) -> np.ndarray:
        pictures = [cv2.remap(source, m1, m2, cv2.INTER_LINEAR, borderMode=cv2.BORDER_CONSTANT, borderValue=0)
                    for m1, m2 in self._lens_maps]
        front, back = (_laplacian(p.astype(np.float32), self._levels) for p in pictures)
        blended = None
        for level in range(self._levels, -1, -1):          # coarsest first, each added to the one above
            share = self._front_share[level]
            share = share if source.ndim == 2 else share[..., None]
            band = back[level] + share * (front[level] - back[level])
            if blended is not None:
                band += cv2.pyrUp(blended, dstsize=(band.shape[1], band.shape[0]))
            blended = band
        pano = np.clip(blended, 0, 255, out=blended).round().astype(np.uint8)
        pano[self.coverage == 0] = 0
        if out is not None:
            out[...] = pano
            return out
        return pano


@functools.lru_cache(maxsize=4)
def _stitcher(front: MeiLens, back: MeiLens, out_width: int, rig: DualFisheyeRig,
              layout: _Layout, blend: str = "linear") -> DualFisheyeStitcher:
    return DualFisheyeStitcher(front, back, out_width, rig, layout, blend)


def check_fits(img: np.ndarray, lens: MeiLens, which: str) -> None:
    if img.ndim not in (2, 3) or img.dtype != np.uint8:
        raise StitchError(f"{which} beeld moet uint8 zijn (BGR of grijs), niet {img.dtype} met vorm {img.shape}",
                          hint="lees het in met cv2.imread")
    if img.shape[:2] != (lens.height, lens.width):
        raise StitchError(
            f"{which} beeld is {img.shape[1]}×{img.shape[0]}, de kalibratie hoort bij {lens.width}×{lens.height}",
            hint="gebruik de kalibratie van deze camera en deze beeldgrootte (MeiLens.scaled bij dezelfde verhouding)")


def stitch_dual_fisheye(front_img: np.ndarray, back_img: np.ndarray, front_lens: MeiLens, back_lens: MeiLens,
                        out_width: int, rig: DualFisheyeRig | None = None, *, blend: str = "linear") -> np.ndarray:
    """The equirect frame (out_width × out_width/2, BGR uint8) from the two fisheye images.

    Each image must have its lens's calibrated size. The lookup tables are cached, so calling
    this for every frame of a video pays for them once. ``blend``: one of :data:`BLENDS`.
    """
    check_fits(front_img, front_lens, "voorste")
    check_fits(back_img, back_lens, "achterste")
    if front_img.shape[2:] != back_img.shape[2:]:
        raise StitchError("voorste en achterste beeld hebben een ander aantal kleurkanalen",
                          hint="lees beide in met cv2.imread (BGR)")
    height = max(front_lens.height, back_lens.height)
    layout = _Layout(0, front_lens.width, front_lens.width + back_lens.width, height)
    source = np.zeros((height, layout.width) + front_img.shape[2:], np.uint8)
    source[: front_lens.height, : front_lens.width] = front_img
    source[: back_lens.height, front_lens.width:] = back_img
    return _stitcher(front_lens, back_lens, out_width, rig or DualFisheyeRig(), layout, blend).remap(source)


def side_by_side_stitcher(width: int, height: int, front_lens: MeiLens, back_lens: MeiLens, out_width: int,
                          rig: DualFisheyeRig | None = None, *, front_on_left: bool = True,
                          blend: str = "linear") -> DualFisheyeStitcher:
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
    return _stitcher(front, back, out_width, rig or DualFisheyeRig(), layout, blend)


def stitch_side_by_side(frame: np.ndarray, front_lens: MeiLens, back_lens: MeiLens, out_width: int,
                        rig: DualFisheyeRig | None = None, *, front_on_left: bool = True,
                        blend: str = "linear") -> np.ndarray:
    """The equirect frame from one dual-fisheye frame with the two circles side by side."""
    if frame.ndim not in (2, 3) or frame.dtype != np.uint8:
        raise StitchError(f"beeld moet uint8 zijn, niet {frame.dtype}", hint="lees het in met cv2.imread")
    stitcher = side_by_side_stitcher(frame.shape[1], frame.shape[0], front_lens, back_lens, out_width, rig,
                                     front_on_left=front_on_left, blend=blend)
    return stitcher.remap(frame)


def lens_images_from_equirect(pano: np.ndarray, front_lens: MeiLens, back_lens: MeiLens,
                              rig: DualFisheyeRig | None = None) -> tuple[np.ndarray, np.ndarray]:
    """The two fisheye images a camera with these lenses and this rig would take of an equirect
    scene: the inverse of :func:`stitch_dual_fisheye`, for tests and benches (a second unit of
    the same camera is a rig and lens centres a little off the calibration's).

    Pixels the lens model does not see are black, as outside a real lens's image circle.
    """
    rig = rig or DualFisheyeRig()
    height, width = pano.shape[:2]
    images = []
    for side, lens in (("front", front_lens), ("back", back_lens)):
        v, u = np.mgrid[0:lens.height, 0:lens.width].astype(np.float64)
        rays, seen = lens.unproject(u, v)
        world = rays @ rig.to_lens(side)                 # lens frame → world (the matrix is a rotation)
        lon = np.arctan2(world[..., 0], world[..., 2])
        lat = np.arcsin(np.clip(world[..., 1], -1.0, 1.0))
        x = np.where(seen, (lon / math.pi + 1.0) / 2.0 * width - 0.5, _OUTSIDE).astype(np.float32)
        y = np.where(seen, (0.5 - lat / math.pi) * height - 0.5, _OUTSIDE).astype(np.float32)
        image = cv2.remap(pano, x, y, cv2.INTER_LINEAR, borderMode=cv2.BORDER_WRAP)
        image[~seen] = 0
        images.append(image)
    return images[0], images[1]


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
