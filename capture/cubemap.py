"""Cubemaps: which 3:2 layout a picture has, told by where its faces meet, and the equirect made
of it at capture.

A cubemap keeps the sphere as six square faces in a 3×2 grid. Two layouts come from cameras
and tools (their Dutch labels are ``zorgblik.terms.CUBEMAP_LAYOUTS``)::

    eac           equi-angular cubemap (YouTube, GoPro MAX)           ffmpeg v360 "eac"
    cubemap-3x2   plain cubemap: right left up / down front back      ffmpeg v360 "c3x2"
                  (Spherical Video V2's cbmp layout 0)

**Which layout, if any.** The pixels say "cube" only where the faces meet. Read with the right
layout, the equirect ffmpeg makes of it runs on smoothly across the face edges (the meridians
at ±45° and ±135° between the side faces, and the curves where the top and bottom faces begin);
read with the wrong layout, or made from an ordinary 3:2 photo, it jumps there. The *edge
ratio* is the mean jump across those edges over the mean jump across the same distance inside
the faces. Measured on the fixtures (tests/capture/test_cubemap.py makes the cubemaps with
v360): the right layout 0.93–1.55, the wrong one 2.2–5.6, ordinary 3:2 pictures (views and crops
of the fixtures, a lens image) 3.0 and up. The margin is smallest for a small, soft picture
(the cube of the 800×400 Theta photo: 1.52 right, 2.18 wrong). A room whose walls meet exactly
on the cube's edges (the synthetic test room) reads 6.3–6.9 even with the right layout: such a
file needs its V2 metadata to count as a cube.

    fit = measure_cube(gray)                       # CubeFit, or None for a picture without texture
    size = equirect_size(width, height)             # 4 faces wide, 2 high
    convert_to_equirect(src, dst, layout, found)   # ffmpeg v360; a clip gets V1+V2 equirect metadata
"""

from __future__ import annotations

import tempfile
from dataclasses import dataclass
from pathlib import Path

import cv2
import numpy as np

from zorgblik.media.ffmpeg import reproject_command
from zorgblik.media.probe import Probe
from zorgblik.media.spherical import Pose, inject_spherical
from zorgblik.terms import CUBEMAP_LAYOUTS
from zorgblik.tools import run_tool

EAC, CUBEMAP_3X2 = "eac", "cubemap-3x2"
#: ffmpeg's v360 name for each layout.
V360_NAMES = {EAC: "eac", CUBEMAP_3X2: "c3x2"}
#: Edge ratio below which a layout's faces meet (see the module docstring for the measurements).
CUBE_EDGES_MEET = 2.0
CUBE_EDGES_STRONG = 1.3
#: The equirect the edge check looks at, and the cubemap width it is made from (faces of 256 px,
#: as many as that equirect's 90° hold).
_CHECK_SIZE = (1024, 512)
_CHECK_CUBE_WIDTH = 768
_STEP = 2  # pixels either side of an edge
#: The clip made at capture: near-lossless, as the stitched intermediate (capture.dual_fisheye).
VIDEO_CRF = 16
JPEG_QUALITY = 2  # ffmpeg's -q:v: 2 is its best JPEG


@dataclass(frozen=True)
class CubeFit:
    """How well each layout's faces meet; ``layout`` is the one that fits best."""

    ratios: dict[str, float]

    @property
    def layout(self) -> str:
        return min(self.ratios, key=self.ratios.get)

    @property
    def ratio(self) -> float:
        return self.ratios[self.layout]

    @property
    def meets(self) -> bool:
        return self.ratio < CUBE_EDGES_MEET

    def text(self) -> str:
        """The Dutch reason a classification gives."""
        others = ", ".join(f"als {CUBEMAP_LAYOUTS[k]} {v:.2f}" for k, v in self.ratios.items() if k != self.layout)
        if self.meets:
            return (f"gelezen als {CUBEMAP_LAYOUTS[self.layout]} sluiten de kubusvlakken op elkaar aan "
                    f"(randverschil {self.ratio:.2f}; {others})")
        every = ", ".join(f"{CUBEMAP_LAYOUTS[k]} {v:.2f}" for k, v in self.ratios.items())
        return f"de kubusvlakken sluiten in geen enkele kubusindeling op elkaar aan (randverschil {every})"


def edge_ratio(equirect: np.ndarray) -> float | None:
    """Mean jump across the cube's face edges in ``equirect`` (grey, 2:1, front face at the
    centre) over the mean jump across the same distance inside the faces; None when the picture
    has too little texture to tell."""
    e = np.asarray(equirect, np.float32)
    h, w = e.shape
    d = _STEP
    lat = 90 - (np.arange(h) + 0.5) * 180 / h
    lon = (np.arange(w) + 0.5) * 360 / w - 180
    band = np.abs(lat) < 30  # the side faces' edges run from −35° to +35° latitude

    def across_columns(at_lon: float) -> float:
        c = round((at_lon + 180) / 360 * w)
        return float(np.abs(e[band, c + d - 1] - e[band, c - d]).mean())

    def across_rows(rows: np.ndarray) -> float:
        return float(np.abs(e[rows + d - 1, np.arange(w)] - e[rows - d, np.arange(w)]).mean())

    side_edges = np.mean([across_columns(x) for x in (-135, -45, 45, 135)])
    side_inside = np.mean([across_columns(x) for x in np.arange(-157.5, 180, 45)])
    # Where the top (bottom) face begins: latitude atan(cos φ), φ the longitude from the nearest face centre.
    phi = (lon + 45) % 90 - 45
    edge_lat = np.degrees(np.arctan(np.cos(np.radians(phi))))
    cap_edges, cap_inside = [], []
    for sign in (1, -1):
        cap_edges.append(across_rows(np.round((90 - sign * edge_lat) / 180 * h).astype(int)))
        cap_inside += [across_rows(np.full(w, round((90 - sign * inside) / 180 * h))) for inside in (20, 65)]
    edges = (side_edges + np.mean(cap_edges)) / 2
    inside = (side_inside + np.mean(cap_inside)) / 2
    if inside < 1.0:  # a flat picture: nothing to compare
        return None
    return float(edges / inside)


def measure_cube(gray: np.ndarray, padding: int = 0) -> CubeFit | None:
    """Read the grey picture ``gray`` as each cubemap layout (ffmpeg's v360 makes the equirect;
    ``padding``: pixels of ``gray`` round each face) and measure how well its faces meet; None
    when it has too little texture to tell."""
    ratios = {}
    gray = np.asarray(gray)
    if gray.shape[1] > _CHECK_CUBE_WIDTH:
        scale = _CHECK_CUBE_WIDTH / gray.shape[1]
        gray = cv2.resize(gray, (_CHECK_CUBE_WIDTH, round(gray.shape[0] * scale)), interpolation=cv2.INTER_AREA)
        padding = round(padding * scale)
    with tempfile.TemporaryDirectory(prefix="zorgblik-cube-") as tmp:
        frame = Path(tmp) / "frame.png"
        cv2.imwrite(str(frame), gray)
        for layout, name in V360_NAMES.items():
            out = Path(tmp) / f"{name}.png"
            run_tool(reproject_command(frame, out, source=name, size=_CHECK_SIZE, fixed_pad=padding,
                                       output_args=("-pix_fmt", "gray")), where="kubuscontrole")
            ratio = edge_ratio(cv2.imread(str(out), cv2.IMREAD_GRAYSCALE))
            if ratio is None:
                return None
            ratios[layout] = ratio
    return CubeFit(ratios)


def equirect_size(width: int, height: int, *, max_width: int | None = None) -> tuple[int, int]:
    """The equirect a ``width``×``height`` 3×2 cubemap holds: four faces round, two high (a
    4032×2688 GoPro MAX frame: 5376×2688), at most ``max_width`` wide; even sizes."""
    out_w = round(4 * width / 3)
    if max_width:
        out_w = min(out_w, max_width)
    out_w -= out_w % 4
    return out_w, out_w // 2


def convert_to_equirect(src: Path, dst: Path, layout: str, found: Probe, *, padding: int = 0, pose: Pose = Pose(),
                        max_width: int | None = None, preset: str = "medium") -> tuple[int, int]:
    """Turn the cubemap ``src`` (``layout``: eac or cubemap-3x2; ``padding`` pixels round each
    face) into the equirect ``dst``: a photo into a photo of ``dst``'s kind, a clip into H.264
    (``VIDEO_CRF``) with its audio copied and V1+V2 equirect metadata with ``pose``. Returns the
    equirect's size."""
    size = equirect_size(found.width, found.height, max_width=max_width)
    if found.media_kind == "photo":
        args: tuple[str, ...] = ("-frames:v", "1")
        if dst.suffix.lower() in (".jpg", ".jpeg"):
            args += ("-q:v", str(JPEG_QUALITY))
        run_tool(reproject_command(src, dst, source=V360_NAMES[layout], size=size, fixed_pad=padding, output_args=args),
                 where=str(src))
        return size
    args = ("-c:v", "libx264", "-crf", str(VIDEO_CRF), "-preset", preset, "-pix_fmt", "yuv420p", "-c:a", "copy",
            "-movflags", "+faststart")
    run_tool(reproject_command(src, dst, source=V360_NAMES[layout], size=size, fixed_pad=padding, output_args=args,
                               audio=True), where=str(src))
    inject_spherical(dst, dst, pose=pose)
    return size
