"""Real portraits that ship inside packages (no download), planted into real 360° footage."""

from __future__ import annotations

import math
from pathlib import Path

import cv2
import numpy as np
import pytest

from render.privacy import SphereBox, Tile, paste_perspective, sphere_detector
from support import LANDSCAPE_PHOTO

#: (portrait, face box in its pixels (x0, y0, x1, y1)), measured once with CenterFace.
PORTRAITS = {
    "astronaut": (182, 58, 270, 178),
    "grace_hopper": (175, 132, 357, 336),
}


def load_portrait(name: str) -> np.ndarray:
    if name == "astronaut":
        from skimage import data

        return cv2.cvtColor(data.astronaut(), cv2.COLOR_RGB2BGR)
    import matplotlib

    return cv2.imread(str(Path(matplotlib.get_data_path()) / "sample_data" / "grace_hopper.jpg"))


def plant(frame: np.ndarray, name: str, yaw: float, pitch: float, face_deg: float,
          lean: float = 0.0) -> tuple[np.ndarray, SphereBox]:
    """``frame`` with the portrait seen straight on from (yaw, pitch), its face ``face_deg`` tall
    and its head leaning ``lean`` degrees to its right; and where that face now is on the sphere."""
    picture = load_portrait(name)
    x0, y0, x1, y1 = PORTRAITS[name]
    ph, pw = picture.shape[:2]
    vfov = face_deg * ph / (y1 - y0)
    fov = math.degrees(2 * math.atan(math.tan(math.radians(vfov / 2)) * pw / ph))
    view = Tile(yaw, pitch, fov, pw, ph, roll=-lean)
    return paste_perspective(frame, picture, yaw, pitch, fov, roll=-lean), view.box_to_sphere(x0, y0, x1, y1)


def apart(a: SphereBox, b: SphereBox) -> float:
    """Degrees between the centres of two boxes on the sphere (across the seam too)."""
    def unit(box: SphereBox) -> np.ndarray:
        yaw, pitch = math.radians(box.yaw), math.radians(box.pitch)
        return np.array([math.cos(pitch) * math.sin(yaw), math.sin(pitch), math.cos(pitch) * math.cos(yaw)])

    return math.degrees(math.acos(float(np.clip(unit(a) @ unit(b), -1.0, 1.0))))


def on_a_face(found: list[SphereBox], faces: list[SphereBox]) -> list[SphereBox]:
    """The boxes of ``found`` on one of the planted ``faces``: centred within a face's height of
    its centre. A face that reached a rendition unblurred is found there again; a box elsewhere
    (a near-threshold guess at a collar or a rock) is the search's extra caution, not a leak."""
    return [box for box in found if any(apart(box, face) < face.height for face in faces)]


@pytest.fixture(scope="session")
def detector():
    return sphere_detector()


@pytest.fixture(scope="session")
def pano() -> np.ndarray:
    """The pannellum landscape at 2048×1024: real, and without faces."""
    frame = cv2.imread(str(LANDSCAPE_PHOTO))
    return cv2.resize(frame, (2048, 1024), interpolation=cv2.INTER_AREA)


@pytest.fixture(scope="session")
def planter():
    """:func:`plant`, for tests (conftest modules cannot be imported under importlib mode)."""
    return plant


@pytest.fixture(scope="module")
def planted_clip(planted) -> Path:
    """The clip of the test module's own ``planted`` fixture: (clip, faces per frame)."""
    return planted[0]


@pytest.fixture(scope="module")
def planted_faces(planted) -> list[list[SphereBox]]:
    """Where the planted faces of the module's ``planted`` clip are, frame by frame."""
    return planted[1]


@pytest.fixture(scope="session")
def on_face():
    """:func:`on_a_face`, for tests."""
    return on_a_face
