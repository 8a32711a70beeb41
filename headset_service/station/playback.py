"""What the station's frame loop decides without OpenGL or OpenXR, so it is tested in CI:
how big a frame goes into the texture, which video frame is due, how a recenter turns the
world, and what a :class:`~headset_service.station.session.Session` change asks of the loop."""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np


def texture_size(width: int, height: int, max_size: int) -> tuple[int, int]:
    """The size frames are decoded to: the video's own, shrunk (aspect kept, even sides, for
    ffmpeg's yuv→rgb) until both sides fit the GPU's ``GL_MAX_TEXTURE_SIZE``."""
    if width <= 0 or height <= 0:
        raise ValueError(f"frame size {width}×{height}")
    scale = min(1.0, max_size / width, max_size / height)
    even = lambda v: max(2, int(v * scale) // 2 * 2)  # noqa: E731
    return even(width), even(height)


class FrameClock:
    """Which frame of a ``fps`` video is due at a monotonic time, pausing when told. A late loop
    skips frames (the picture keeps time with the sound and the service's position) rather than
    playing slow."""

    def __init__(self, fps: float, now: float):
        self.fps = fps if fps and fps > 0 else 30.0
        self._started = now
        self._paused_at: float | None = None
        self.shown = -1  # the last frame index handed to the texture

    def pause(self, now: float) -> None:
        if self._paused_at is None:
            self._paused_at = now

    def resume(self, now: float) -> None:
        if self._paused_at is not None:
            self._started += now - self._paused_at
            self._paused_at = None

    def position(self, now: float) -> float:
        return max(0.0, (self._paused_at if self._paused_at is not None else now) - self._started)

    def due(self, now: float) -> int:
        """How many frames to take from the decoder now: 0 (keep the texture), 1, or more (skip)."""
        return max(0, math.floor(self.position(now) * self.fps) - self.shown)

    def took(self, frames: int) -> None:
        self.shown += frames


def yaw_of(orientation: tuple[float, float, float, float]) -> float:
    """Heading of a pose in radians (turning right is negative about +y, as OpenXR's)."""
    x, y, z, w = orientation
    forward = np.array([-2 * (x * z + y * w), -2 * (y * z - x * w), -(1 - 2 * (x * x + y * y))])
    return math.atan2(-forward[0], -forward[2])


def recenter_yaw(head: tuple[float, float, float, float], scene_yaw_deg: float = 0.0) -> float:
    """The world turn (radians about +y) that puts the scene's starting view where the head looks."""
    return yaw_of(head) + math.radians(scene_yaw_deg)


def world_turn(yaw: float) -> np.ndarray:
    """4×4 model matrix turning the sphere by ``yaw`` radians about +y."""
    c, s = math.cos(yaw), math.sin(yaw)
    m = np.eye(4)
    m[0, 0], m[0, 2], m[2, 0], m[2, 2] = c, s, -s, c
    return m


@dataclass(frozen=True)
class Show:
    """What the loop must show: a bundle's media (or nothing), and whether its clock runs."""
    scene: str | None
    running: bool


def wanted(state: str, scene: str | None) -> Show:
    """The session's state as the loop sees it: idle shows the waiting sphere."""
    return Show(scene if state != "idle" else None, state == "playing")


def transition(before: Show, after: Show) -> list[str]:
    """The loop's steps from one :class:`Show` to the next: ``close``, ``open``, ``pause``, ``resume``."""
    steps = []
    if after.scene != before.scene:
        if before.scene is not None:
            steps.append("close")
        if after.scene is not None:
            steps.append("open")
            if not after.running:
                steps.append("pause")
    elif after.scene is not None and after.running != before.running:
        steps.append("resume" if after.running else "pause")
    return steps
