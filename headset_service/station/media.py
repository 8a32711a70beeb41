"""A synced bundle's media as RGB frames for the station's texture: ffmpeg decodes through a pipe
(:func:`zorgblik.tools.stream_tool`) in a thread of its own, a frame or two ahead, so the frame
loop never waits on the decoder; a photo is one frame."""

from __future__ import annotations

import queue
import threading
from pathlib import Path

from headset_service.station.errors import StationError
from headset_service.station.playback import texture_size
from zorgblik.bundle import MANIFEST, read_manifest
from zorgblik.media.probe import probe
from zorgblik.tools import ToolError, stream_tool

AHEAD = 3  # decoded frames waiting at most (a 4096×2048 RGB frame is 24 MiB)


class Media:
    """The media of bundle folder ``folder`` decoded to at most ``max_size`` a side. ``frames``
    yields bytes (width×height×3, rows top first) or None at the end."""

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
        self._frames: queue.Queue[bytes | None] = queue.Queue(AHEAD)
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._decode, name=f"decode {folder.name}", daemon=True)
        self._thread.start()

    def _decode(self) -> None:
        size = self.width * self.height * 3
        args = ["ffmpeg", "-loglevel", "error", "-i", self.path, "-an", "-vf", f"scale={self.width}:{self.height}",
                "-f", "rawvideo", "-pix_fmt", "rgb24", "-"]
        if not self.is_video:
            args[5:5] = ["-frames:v", "1"]
        try:
            with stream_tool(args, stdout=True) as proc:
                while not self._stop.is_set() and len(frame := proc.stdout.read(size)) == size:
                    self._put(frame)
                if self._stop.is_set():
                    proc.kill()
        except ToolError:
            if not self._stop.is_set():
                raise
        finally:
            self._put(None)

    def _put(self, item: bytes | None) -> None:
        while not self._stop.is_set():
            try:
                self._frames.put(item, timeout=0.1)
                return
            except queue.Full:
                continue

    def take(self, count: int) -> tuple[bytes | None | bool, int]:
        """(the newest of up to ``count`` decoded frames, how many were taken): the frame is False
        when none is decoded yet, None at the end of the media."""
        frame: bytes | None | bool = False
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
