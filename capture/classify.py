"""Which projection and layout a footage file has: from its metadata first, then its pixels.

The answer carries a confidence and the reasons, in Dutch, because the communications team
reads them. Metadata wins where it speaks (Spherical Video V1/V2 in MP4, XMP GPano in JPEG);
the pixels then only confirm it or are reported as disagreeing. Without metadata the pixels
decide::

    layout         projection        what the pixels show
    full           equirectangular   2:1 per eye; left and right edge columns meet (the seam)
    partial        equirectangular   wider than 2:1, seam closes: the vertical field is cropped
    dual-fisheye   fisheye           two bright circles on black, side by side
    fisheye-half   fisheye           one circle on black (~1:1.1): one lens, not 360° on its own
    vr180          equirectangular   2:1 of two near-identical halves whose outer edges do not meet
    eac            cubemap           3:2, faces meet where an equi-angular cubemap's would (capture.cubemap)
    cubemap-3x2    cubemap           3:2, faces meet where a 3×2 cubemap's would (right left up / down front back)
    flat           not_360           anything else (a 2:1 photo whose seam does not close, 4:3, …)

A V2 ``cbmp`` box says "cubemap" but not which of the two: the face edges decide that too.

Stereo: top-bottom is 1:1 of two similar 2:1 halves, left-right 4:1 of two similar 2:1 halves.

    kind = classify(probe(path), path)
    kind.layout, kind.stereo, kind.confidence, kind.reasons, kind.pose, kind.crop

Whether capture *accepts* a layout is decided in :mod:`capture.ingest`, not here.
"""

from __future__ import annotations

import logging
import tempfile
from dataclasses import dataclass, field, replace
from pathlib import Path

import cv2
import numpy as np

from capture.cubemap import CUBE_EDGES_STRONG, CUBEMAP_3X2, CubeFit, measure_cube
from zorgblik.errors import ToolError
from zorgblik.media.errors import SphericalMetadataError
from zorgblik.media.ffmpeg import still_command
from zorgblik.media.gpano import PanoInfo, read_gpano
from zorgblik.media.probe import Probe
from zorgblik.media.spherical import CubemapFormat, EquirectBounds, Pose, SphericalInfo, read_spherical
from zorgblik.terms import CUBEMAP_LAYOUTS, STEREO_MODES
from zorgblik.tools import run_tool

log = logging.getLogger(__name__)

EQUIRECT = "equirectangular"
FISHEYE = "fisheye"
CUBEMAP = "cubemap"
NOT_360 = "not_360"

FULL, PARTIAL, DUAL_FISHEYE, FISHEYE_HALF, VR180, FLAT = "full", "partial", "dual-fisheye", "fisheye-half", "vr180", "flat"

#: Largest width the pixel checks look at; edges and halves survive this downscale.
ANALYSIS_WIDTH = 1024
#: Seam ratio (edge-column difference / difference to columns elsewhere) below which the
#: left and right edges meet. Measured on the fixtures: true equirects 0.01–0.28, broken
#: seams (crops, 2:1 resizes of ordinary video, VR180 pairs) 0.59 and up.
SEAM_MEETS = 0.4
SEAM_STRONG = 0.2
#: Normalised cross-correlation above which two halves show the same scene (stereo pairs
#: 0.93–0.99; unrelated halves of a mono equirect up to 0.35, a symmetric test room 0.99).
SIMILAR = 0.85
ASPECT_TOLERANCE = 0.03


@dataclass(frozen=True)
class Classification:
    projection: str  # "equirectangular" | "fisheye" | "cubemap" | "mesh" | "not_360" | GPano's own name
    stereo: str  # "mono" | "top-bottom" | "left-right"
    confidence: float
    reasons: tuple[str, ...]
    layout: str = FULL  # full | partial | dual-fisheye | fisheye-half | vr180 | eac | cubemap-3x2 | flat
    pose: Pose = Pose()  # yaw, pitch, roll in degrees, from metadata; (0, 0, 0) when none
    crop: EquirectBounds | None = None  # for partial: how much of the sphere each edge leaves out
    source: str = "pixels"  # "metadata (…)" or "pixels" or "beeldverhouding"
    cube_padding: int = 0  # for a cubemap: pixels of padding round each face (V2 cbmp)

    @property
    def is_360(self) -> bool:
        return self.projection != NOT_360 and self.layout not in (FLAT, FISHEYE_HALF)

    @property
    def is_cubemap(self) -> bool:
        """A cubemap (eac or cubemap-3x2): capture turns it into equirect and keeps the original."""
        return self.layout in CUBEMAP_LAYOUTS

    @property
    def vr180_by_metadata(self) -> bool:
        """VR180 that the file's own metadata says is VR180 (not only two similar halves)."""
        return self.layout == VR180 and self.source.startswith("metadata")

    @property
    def needs_stitching(self) -> bool:
        return self.layout == DUAL_FISHEYE

    @property
    def catalog_projection(self) -> str:
        """The value for ``Footage.projection``: enough for the render stage to know what to do.

        ``equirectangular`` (full sphere), ``equirectangular-partial`` (cropped; the crop is in
        the original's GPano or V2 ``equi`` box), ``equirectangular-vr180`` (the front half
        sphere, V2 ``equi`` bounds of a quarter left and right), ``dual-fisheye`` (stitch first).
        """
        if self.layout == PARTIAL:
            return f"{self.projection}-partial"
        if self.layout == VR180:
            return f"{self.projection}-vr180"
        if self.layout == DUAL_FISHEYE:
            return DUAL_FISHEYE
        return self.projection


# ── pixels ──────────────────────────────────────────────────────────────────────────────


@dataclass(frozen=True)
class PixelFacts:
    """What one (grey, downscaled) frame shows; see the module docstring for the thresholds."""

    width: int
    height: int
    seam: float | None  # whole frame; None when the frame has too little texture to tell
    seam_top_half: float | None
    seam_left_half: float | None
    top_bottom_similar: float
    left_right_similar: float
    circles: int  # bright circles on black: 0, 1 (one lens) or 2 (two lenses side by side)

    @staticmethod
    def meets(seam: float | None) -> bool:
        return seam is not None and seam < SEAM_MEETS


def seam_ratio(gray: np.ndarray) -> float | None:
    """How far apart the leftmost and rightmost columns are, relative to columns elsewhere.

    A true 360° equirect wraps around, so its edge columns nearly match (ratio near 0); an
    ordinary picture's edges are as unlike as any two columns (ratio near 1 or more).
    """
    h, w = gray.shape
    if w < 16:
        return None
    edge = float(np.abs(gray[:, 0] - gray[:, -1]).mean())
    step = max(1, w // 8)
    elsewhere = float(np.mean([np.abs(gray[:, 0] - gray[:, k]).mean() for k in range(step, w - 1, step)]))
    if elsewhere < 2.0:  # flat picture: nothing to compare
        return None
    return edge / elsewhere


def similarity(a: np.ndarray, b: np.ndarray) -> float:
    """Normalised cross-correlation of two halves at low resolution (tolerates stereo parallax)."""
    a = cv2.resize(a, (128, 64), interpolation=cv2.INTER_AREA)
    b = cv2.resize(b, (128, 64), interpolation=cv2.INTER_AREA)
    a, b = a - a.mean(), b - b.mean()
    norm = float(np.sqrt((a * a).sum() * (b * b).sum()))
    return float((a * b).sum() / norm) if norm > 1e-6 else 0.0


def _is_circle_on_black(cell: np.ndarray) -> bool:
    """A lens image: black outside a centred circle, lit inside."""
    h, w = cell.shape
    yy, xx = np.mgrid[:h, :w]
    r = np.hypot(xx - (w - 1) / 2, yy - (h - 1) / 2)
    outside = r > 0.55 * max(w, h)
    inside = r < 0.35 * min(w, h)
    if outside.sum() < 0.02 * h * w or not inside.any():
        return False
    out_mean, in_mean = float(cell[outside].mean()), float(cell[inside].mean())
    corners = [cell[: h // 8, : w // 8], cell[: h // 8, -w // 8 :], cell[-h // 8 :, : w // 8], cell[-h // 8 :, -w // 8 :]]
    dark_corners = all(float(c.min()) < 24 for c in corners)
    return out_mean < 16 and dark_corners and in_mean > max(30.0, 3 * out_mean)


def measure_pixels(gray: np.ndarray) -> PixelFacts:
    """The pixel facts of one frame (any size; it is downscaled to ANALYSIS_WIDTH first)."""
    gray = np.asarray(gray)
    if gray.ndim == 3:
        gray = cv2.cvtColor(gray, cv2.COLOR_BGR2GRAY)
    h, w = gray.shape
    if w > ANALYSIS_WIDTH:
        gray = cv2.resize(gray, (ANALYSIS_WIDTH, max(2, round(h * ANALYSIS_WIDTH / w))), interpolation=cv2.INTER_AREA)
    g = gray.astype(np.float32)
    gh, gw = g.shape
    top, bottom, left, right = g[: gh // 2], g[gh // 2 : 2 * (gh // 2)], g[:, : gw // 2], g[:, gw // 2 : 2 * (gw // 2)]
    circles = 0
    aspect = w / h
    if 1.5 <= aspect <= 2.3 and _is_circle_on_black(left) and _is_circle_on_black(right):
        circles = 2
    elif 0.75 <= aspect <= 1.3 and _is_circle_on_black(g):
        circles = 1
    return PixelFacts(
        width=w, height=h,
        seam=seam_ratio(g), seam_top_half=seam_ratio(top), seam_left_half=seam_ratio(left),
        top_bottom_similar=similarity(top, bottom), left_right_similar=similarity(left, right),
        circles=circles,
    )


def read_frame(path: Path, found: Probe) -> np.ndarray | None:
    """One grey frame of ``path`` (a photo, or a video frame about 1 s in), or None if unreadable."""
    path = Path(path)
    if found.media_kind == "photo":
        flag = cv2.IMREAD_GRAYSCALE
        if found.width >= 4 * ANALYSIS_WIDTH:
            flag = cv2.IMREAD_REDUCED_GRAYSCALE_4
        elif found.width >= 2 * ANALYSIS_WIDTH:
            flag = cv2.IMREAD_REDUCED_GRAYSCALE_2
        image = cv2.imread(str(path), flag)
        if image is not None:
            return image
    at = 1.0 if (found.duration_s or 0) > 2 else 0.0
    with tempfile.TemporaryDirectory(prefix="zorgblik-frame-") as tmp:
        out = Path(tmp) / "frame.png"
        try:
            run_tool(still_command(path, out, at=at, filters=f"scale='min({ANALYSIS_WIDTH},iw)':-1", pix_fmt="gray"),
                     where=str(path))
        except ToolError as exc:
            if "niet gevonden" in exc.message:
                raise
            log.warning("%s: geen beeld te lezen voor de pixelcontrole: %s", path, exc.message)
            return None
        image = cv2.imread(str(out), cv2.IMREAD_GRAYSCALE)
    return image


# ── metadata ────────────────────────────────────────────────────────────────────────────


@dataclass
class _Meta:
    source: str
    projection: str | None
    stereo: str | None
    pose: Pose = Pose()
    crop: EquirectBounds | None = None
    vr180: bool = False
    cubemap: CubemapFormat | None = None
    reasons: list[str] = field(default_factory=list)
    flags: list[str] = field(default_factory=list)  # where metadata and pixels disagree


def _from_spherical(info: SphericalInfo) -> _Meta:
    source = "metadata (Spherical Video " + "+".join(s.upper() for s in info.sources) + ")"
    meta = _Meta(source, info.projection, info.stereo, info.pose, cubemap=info.cubemap)
    meta.reasons.append(f"{source}: projectie {info.projection or 'onbekend'}, {STEREO_MODES.get(info.stereo or '', info.stereo or 'stereo-indeling onbekend')}")
    bounds = info.bounds
    if bounds is not None and bounds.is_cropped:
        if abs(bounds.left + bounds.right - 0.5) < 0.02 and bounds.top == bounds.bottom == 0:
            meta.vr180 = True
            meta.reasons.append(f"{source}: beeld beslaat 180° in de breedte (VR180)")
        else:
            meta.crop = bounds
            meta.reasons.append(f"{source}: bijgesneden bol (boven {bounds.top:.0%}, onder {bounds.bottom:.0%}, "
                                f"links {bounds.left:.0%}, rechts {bounds.right:.0%} weggelaten)")
    return meta


def _from_gpano(pano: PanoInfo, found: Probe) -> _Meta:
    source = "metadata (XMP GPano)"
    meta = _Meta(source, pano.projection, "mono", Pose(0.0, pano.pitch_deg or 0.0, pano.roll_deg or 0.0))
    meta.reasons.append(f"{source}: projectie {pano.projection or 'onbekend'}")
    full_w, full_h = pano.full_width, pano.full_height
    if full_w and full_h and pano.cropped_width and pano.cropped_height:
        left, top = pano.cropped_left or 0, pano.cropped_top or 0
        crop = EquirectBounds(
            top=top / full_h, bottom=max(0, full_h - top - pano.cropped_height) / full_h,
            left=left / full_w, right=max(0, full_w - left - pano.cropped_width) / full_w,
        )
        if crop.is_cropped:
            meta.crop = crop
            meta.reasons.append(
                f"{source}: bijgesneden uit {full_w}×{full_h}: {pano.cropped_width}×{pano.cropped_height} vanaf "
                f"({left}, {top}); verticaal {180 * pano.cropped_height / full_h:.0f}° van 180°")
        claimed = pano.cropped_width / pano.cropped_height
        if (pano.cropped_width, pano.cropped_height) != (found.width, found.height):
            same_shape = abs(claimed / found.aspect - 1) < ASPECT_TOLERANCE
            meta.flags.append(
                f"metadata en pixels verschillen: XMP noemt {pano.cropped_width}×{pano.cropped_height}, de pixels zijn "
                f"{found.width}×{found.height}"
                + (" (zelfde verhouding: vermoedelijk een verkleinde kopie)" if same_shape else
                   f" ({found.aspect:.2f}:1 tegen {claimed:.2f}:1: bijgesneden of vervormd na de opname?)")
                + "; projectie uit de metadata aangehouden")
    elif not _near(found.aspect, 2.0):
        meta.flags.append(f"metadata en pixels verschillen: GPano noemt geen bijsnijding, maar {found.width}×{found.height} "
                          f"({found.aspect:.2f}:1) is geen 2:1; projectie uit de metadata aangehouden")
    if pano.pitch_deg or pano.roll_deg:
        meta.reasons.append(f"{source}: stand van de camera pitch {meta.pose.pitch:+.1f}°, roll {meta.pose.roll:+.1f}° "
                            "(wordt bij het renderen rechtgezet)")
    if pano.heading_deg is not None:
        meta.reasons.append(f"{source}: kompasrichting {pano.heading_deg:.1f}° genoteerd, niet als yaw gebruikt "
                            "(de kijkrichting blijft die van de camera)")
    return meta


def _read_metadata(path: Path, found: Probe) -> _Meta | None:
    try:
        if found.media_kind == "video":
            info = read_spherical(path)
            return _from_spherical(info) if info is not None else None
        if found.codec == "mjpeg":
            pano = read_gpano(path)
            return _from_gpano(pano, found) if pano is not None and pano.projection else None
    except SphericalMetadataError as exc:
        log.warning("%s: 360°-metadata onleesbaar (%s); alleen de pixels tellen", path, exc.message)
    return None


def _from_side_data(found: Probe) -> _Meta | None:
    """ffprobe's view of V2 metadata, for when no file path is given."""
    mapping = next((d for d in found.side_data if d.get("side_data_type") == "Spherical Mapping"), None)
    if not mapping:
        return None
    stereo_data = next((d for d in found.side_data if d.get("side_data_type") == "Stereo 3D"), None)
    names = {"top and bottom": "top-bottom", "side by side": "left-right", "2D": "mono"}
    stereo = names.get(stereo_data.get("type", ""), None) if stereo_data else "mono"
    meta = _Meta("metadata (ffprobe)", mapping.get("projection"), stereo,
                 Pose(float(mapping.get("yaw", 0)), float(mapping.get("pitch", 0)), float(mapping.get("roll", 0))))
    meta.reasons.append(f"metadata (ffprobe): projectie {meta.projection}, {STEREO_MODES.get(stereo or '', 'stereo onbekend')}")
    return meta


# ── deciding ────────────────────────────────────────────────────────────────────────────


def _near(value: float, target: float) -> bool:
    return abs(value / target - 1) <= ASPECT_TOLERANCE


def _eye(found: Probe, stereo: str) -> tuple[int, int]:
    if stereo == "top-bottom":
        return found.width, found.height // 2
    if stereo == "left-right":
        return found.width // 2, found.height
    return found.width, found.height


def _seam_text(seam: float | None) -> str:
    if seam is None:
        return "naadcontrole niet mogelijk (te weinig beeldinhoud)"
    if seam < SEAM_MEETS:
        return f"linker- en rechterrand sluiten op elkaar aan (naadverschil {seam:.2f}), zoals bij 360°"
    return f"linker- en rechterrand sluiten niet op elkaar aan (naadverschil {seam:.2f}), geen rondom-beeld"


def _decide_with_metadata(found: Probe, meta: _Meta, px: PixelFacts | None) -> Classification:
    reasons, flags = list(meta.reasons), list(meta.flags)
    projection = meta.projection or EQUIRECT
    stereo = meta.stereo or "mono"
    if meta.stereo is None:
        flags.append("stereo-indeling in de metadata onbekend; als mono behandeld")
    layout = VR180 if meta.vr180 else PARTIAL if meta.crop is not None else FULL
    if projection == EQUIRECT:
        eye_w, eye_h = _eye(found, stereo)
        expected = {FULL: 2.0, VR180: 1.0}.get(layout)
        if expected and not _near(eye_w / eye_h, expected) and meta.source.startswith("metadata (Spherical"):
            flags.append(f"metadata en pixels verschillen: per oog {eye_w}×{eye_h} ({eye_w / eye_h:.2f}:1), geen "
                         f"{expected:.0f}:1; de metadata is aangehouden, de speler rekt het beeld uit")
        if px is not None:
            if stereo == "top-bottom":
                _check_pair(px.top_bottom_similar, "boven- en onderhelft", flags, reasons)
                seam = px.seam_top_half
            elif stereo == "left-right":
                _check_pair(px.left_right_similar, "linker- en rechterhelft", flags, reasons)
                seam = px.seam_left_half
            else:
                if _near(found.aspect, 1.0) and px.top_bottom_similar >= SIMILAR:
                    flags.append(f"metadata zegt mono, maar boven- en onderhelft zijn vrijwel gelijk "
                                 f"(overeenkomst {px.top_bottom_similar:.2f}): misschien stereo boven-onder")
                seam = px.seam
            if layout == FULL or (layout == PARTIAL and meta.crop and not (meta.crop.left or meta.crop.right)):
                (reasons if seam is None or seam < SEAM_MEETS else flags).append(_seam_text(seam))
    confidence = max(0.5, 0.97 - 0.12 * len(flags))
    return Classification(projection, stereo, round(confidence, 2), tuple(reasons + flags), layout,
                          meta.pose, meta.crop, meta.source)


def _check_pair(score: float, what: str, flags: list[str], reasons: list[str]) -> None:
    """Metadata says stereo: the two eyes' halves should show the same scene."""
    if score >= SIMILAR:
        reasons.append(f"{what} tonen hetzelfde beeld (overeenkomst {score:.2f}), zoals bij stereo")
    else:
        flags.append(f"metadata zegt stereo, maar {what} verschillen (overeenkomst {score:.2f})")


def _decide_from_pixels(found: Probe, px: PixelFacts) -> Classification:
    size = f"{found.width}×{found.height}"
    aspect = found.aspect
    if px.circles == 2:
        return Classification(FISHEYE, "mono", 0.85, (
            f"{size}: twee lichte cirkels op zwart naast elkaar: dual-fisheye (twee lenzen)",
            "moet nog gestitcht worden tot equirectangular; dat doet de render-stap"), DUAL_FISHEYE)
    if px.circles == 1:
        return Classification(FISHEYE, "mono", 0.8, (
            f"{size}: één lichte cirkel op zwart: het beeld van één fisheye-lens, op zichzelf geen 360°",),
            FISHEYE_HALF)
    if _near(aspect, 2.0):
        if px.meets(px.seam):
            confidence = 0.9 if px.seam < SEAM_STRONG else 0.8
            return Classification(EQUIRECT, "mono", confidence, (
                f"beeldverhouding {size} is 2:1, zoals equirectangular", _seam_text(px.seam)), FULL)
        if px.left_right_similar >= SIMILAR:
            return Classification(EQUIRECT, "left-right", 0.65, (
                f"beeldverhouding {size} is 2:1 uit twee vrijwel gelijke vierkante helften "
                f"(overeenkomst {px.left_right_similar:.2f}): VR180, stereo naast elkaar", _seam_text(px.seam)), VR180)
        return Classification(NOT_360, "mono", 0.75, (
            f"beeldverhouding {size} is 2:1, maar " + _seam_text(px.seam),), FLAT)
    if _near(aspect, 1.0) and px.top_bottom_similar >= SIMILAR:
        if px.meets(px.seam_top_half):
            return Classification(EQUIRECT, "top-bottom", 0.9, (
                f"beeldverhouding {size} is 1:1: twee 2:1-helften boven elkaar met hetzelfde beeld "
                f"(overeenkomst {px.top_bottom_similar:.2f}): stereo boven-onder", _seam_text(px.seam_top_half)), FULL)
    if _near(aspect, 4.0) and px.left_right_similar >= SIMILAR and px.meets(px.seam_left_half):
        return Classification(EQUIRECT, "left-right", 0.9, (
            f"beeldverhouding {size} is 4:1: twee 2:1-helften naast elkaar met hetzelfde beeld "
            f"(overeenkomst {px.left_right_similar:.2f}): stereo naast elkaar", _seam_text(px.seam_left_half)), FULL)
    if aspect > 2.0 * (1 + ASPECT_TOLERANCE) and px.meets(px.seam):
        field_deg = 360 / aspect
        return Classification(EQUIRECT, "mono", 0.7, (
            f"beeldverhouding {size} ({aspect:.2f}:1) is breder dan 2:1: rondom-beeld met een verticaal "
            f"bijgesneden blikveld van ongeveer {field_deg:.0f}°", _seam_text(px.seam),
            "waar de bijsnijding zit staat niet in de metadata (geen GPano Cropped*)"), PARTIAL)
    why = f"beeldverhouding {size} ({aspect:.2f}:1) past niet bij 360° (2:1, 1:1, 4:1 of een kubus in 3:2)"
    if aspect > 2.0 * (1 + ASPECT_TOLERANCE):
        why = f"beeldverhouding {size} ({aspect:.2f}:1) is breed, maar " + _seam_text(px.seam)
    return Classification(NOT_360, "mono", 0.8, (why + " en er is geen 360°-metadata",), FLAT)


def _decide_from_aspect(found: Probe) -> Classification:
    """No pixels to look at: the aspect ratio alone, with little confidence."""
    size, aspect = f"{found.width}×{found.height}", found.aspect
    if _near(aspect, 2.0):
        return Classification(EQUIRECT, "mono", 0.6, (f"beeldverhouding {size} is 2:1, zoals equirectangular "
                                                      "(pixels niet gecontroleerd)",), FULL, source="beeldverhouding")
    if _near(aspect, 1.0):
        return Classification(EQUIRECT, "top-bottom", 0.5, (f"beeldverhouding {size} is 1:1: twee 2:1-helften boven "
                                                            "elkaar (pixels niet gecontroleerd)",), FULL, source="beeldverhouding")
    return Classification(NOT_360, "mono", 0.7, (f"beeldverhouding {size} ({aspect:.2f}:1) past niet bij 360° "
                                                 "en er is geen 360°-metadata",), FLAT, source="beeldverhouding")


# ── cubemaps ────────────────────────────────────────────────────────────────────────────


def _could_be_cube(found: Probe, meta: _Meta | None) -> bool:
    """Metadata that says cubemap, or none and a 3:2 picture."""
    if meta is not None and meta.projection:
        return meta.projection == CUBEMAP
    return _near(found.aspect, 1.5)


def _decide_cubemap(found: Probe, meta: _Meta | None, fit: CubeFit | None) -> Classification | None:
    """A cubemap, with the layout its face edges show; None when neither metadata nor pixels say cube."""
    size = f"{found.width}×{found.height}"
    if meta is None or meta.projection != CUBEMAP:
        if fit is None or not fit.meets:
            return None
        confidence = 0.85 if fit.ratio < CUBE_EDGES_STRONG else 0.75
        return Classification(CUBEMAP, "mono", confidence, (
            f"beeldverhouding {size} is 3:2, zoals een kubus (zes vlakken in 3×2)", fit.text()), fit.layout)
    reasons, flags = list(meta.reasons), list(meta.flags)
    stereo = meta.stereo or "mono"
    eye_w, eye_h = _eye(found, stereo)
    if not _near(eye_w / eye_h, 1.5):
        flags.append(f"metadata en pixels verschillen: per oog {eye_w}×{eye_h} ({eye_w / eye_h:.2f}:1), geen 3:2 "
                     "zoals een kubus in 3×2")
    cube = meta.cubemap or CubemapFormat()
    if cube.layout != 0:
        flags.append(f"{meta.source}: kubusindeling {cube.layout} is onbekend (alleen 0, 3×2, is beschreven); "
                     "de pixels bepalen de indeling")
    # Layout 0 is the plain 3×2 cube; EAC only where its faces are the ones that meet.
    layout = fit.layout if fit is not None and fit.meets else CUBEMAP_3X2
    if fit is None:
        flags.append(f"kubusvlakken niet gecontroleerd: {CUBEMAP_LAYOUTS[layout]} aangenomen (indeling 0 van de metadata)")
    elif fit.meets:
        reasons.append(fit.text())
    else:
        flags.append(fit.text() + f"; {CUBEMAP_LAYOUTS[layout]} aangenomen (indeling 0 van de metadata)")
    if cube.padding:
        reasons.append(f"{meta.source}: {cube.padding} pixels rand om elk kubusvlak")
    confidence = max(0.5, 0.95 - 0.12 * len(flags))
    return Classification(CUBEMAP, stereo, round(confidence, 2), tuple(reasons + flags), layout, meta.pose,
                          source=meta.source, cube_padding=cube.padding)


def _measure_cube(found: Probe, meta: _Meta | None, frame: np.ndarray) -> CubeFit | None:
    """The face-edge check on one eye of ``frame``, with the metadata's face padding scaled to it."""
    h, w = frame.shape[:2]
    stereo = meta.stereo if meta is not None else None
    eye = frame[: h // 2] if stereo == "top-bottom" else frame[:, : w // 2] if stereo == "left-right" else frame
    padding = meta.cubemap.padding if meta is not None and meta.cubemap is not None else 0
    return measure_cube(eye, round(padding * w / found.width) if found.width else 0)


def classify(found: Probe, path: Path | None = None, *, frame: np.ndarray | None = None) -> Classification:
    """Classify the footage ``found`` describes; ``path`` lets it read metadata and pixels.

    ``frame`` (a grey or BGR image) replaces reading pixels from ``path``.
    """
    meta = _read_metadata(Path(path), found) if path is not None else None
    meta = meta or _from_side_data(found)
    if frame is None and path is not None:
        frame = read_frame(Path(path), found)
    px = measure_pixels(frame) if frame is not None else None
    not_cube = None
    if _could_be_cube(found, meta):
        fit = _measure_cube(found, meta, frame) if frame is not None else None
        cube = _decide_cubemap(found, meta, fit)
        if cube is not None:
            return cube
        not_cube = fit.text() if fit is not None else None
    if meta is not None and meta.projection:
        return _decide_with_metadata(found, meta, px)
    if px is None:
        return _decide_from_aspect(found)
    kind = _decide_from_pixels(found, px)
    return replace(kind, reasons=kind.reasons + (not_cube,)) if not_cube and not kind.is_360 else kind
