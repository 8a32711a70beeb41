"""A synced bundle's media as RGB frames for the station's texture: ffmpeg decodes through a pipe
(:func:`zorgblik.media.frames.read_frames`) in a thread of its own, a frame or two ahead, so the
frame loop never waits on the decoder; a photo is one frame."""

from __future__ import annotations

import queue
import threading
from pathlib import Path

import numpy as np

from headset_service.station.errors import StationError
from headset_service.station.playback import texture_size
from zorgblik.bundle import MANIFEST, read_manifest
from zorgblik.errors import ToolError
from zorgblik.media.frames import read_frames
from zorgblik.media.probe import probe

AHEAD = 3  # decoded frames waiting at most (a 4096×2048 RGB frame is 24 MiB)


class Media:
    """The media of bundle folder ``folder`` decoded to at most ``max_size`` a side. :meth:`take`
    gives frames (width×height×3 bytes as a flat uint8 array, rows top first) or None at the end."""

    def __init__(self, folder: Path, max_size: int):
        self.manifest = read_manifest(folder / MANIFEST)
        names = [f.name for f in self.manifest.media() if (folder / f.name).exists()]
        if not names:
            raise StationError(f"{folder.name}: geen media op schijf", hint="laat het station opnieuw synchroniseren")
        self.path = folder / names[0]
        self.stereo = self.manifest.stereo
        self.is_video = self.manifest.media_kind == "video"
        found = probe(self.path)
        self.width, self.height = texture_size(found.width, found.height, max_size)
        self.fps = found.fps or 30.0
        self._frames: queue.Queue[np.ndarray | None] = queue.Queue(AHEAD)
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._decode, name=f"decode {folder.name}", daemon=True)
        self._thread.start()

    def _decode(self) -> None:
        frames = read_frames(self.path, (self.width, self.height), pix_fmt="rgb24",
                             filters=f"scale={self.width}:{self.height}", frames=None if self.is_video else 1)
        try:
            for frame in frames:
                if self._stop.is_set():
                    break
                self._put(frame)
        except ToolError:
            if not self._stop.is_set():
                raise
        finally:
            frames.close()  # stopped early: the decoder stops with it
            self._put(None)

    def _put(self, item: np.ndarray | None) -> None:
        while not self._stop.is_set():
            try:
                self._frames.put(item, timeout=0.1)
                return
            except queue.Full:
                continue

    def take(self, count: int) -> tuple[np.ndarray | None | bool, int]:
        """(the newest of up to ``count`` decoded frames, how many were taken): the frame is False
        when none is decoded yet, None at the end of the media."""
        frame: np.ndarray | None | bool = False
        taken = 0
        while taken < count:
            try:
                item = self._frames.get_nowait()
            except queue.Empty:
                break
            taken += 1
            if item is None:
                return None, taken
            frame = item
        return frame, taken

    def close(self) -> None:
        self._stop.set()
        self._thread.join(timeout=5)

    def __enter__(self) -> Media:
        return self

    def __exit__(self, *exc) -> None:
        self.close()
