"""The one frame reader (and its writer): raw frames of a clip or photo through an ffmpeg pipe.

    for frame in read_frames(src, (width, height), pix_fmt="bgr24"):
        image = frame.reshape(height, width, 3)          # each frame a flat uint8 array
    with frame_writer(dst, (width, height), rate, pix_fmt="bgr24", video_args=..., audio_from=src) as write:
        write(image)

The commands are built in :mod:`zorgblik.media.ffmpeg` and run by :func:`zorgblik.tools.stream_tool`:
a failing ffmpeg raises ToolError with its last line; leaving a loop over :func:`read_frames`
early (``break``, or closing the iterator) stops the decoder.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from fractions import Fraction
from pathlib import Path

import numpy as np

from zorgblik.media.ffmpeg import decode_command, encode_command
from zorgblik.tools import stream_tool

#: Bytes per pixel of the raw formats the readers ask for.
BYTES_PER_PIXEL = {"gray": Fraction(1), "yuv420p": Fraction(3, 2), "rgb24": Fraction(3), "bgr24": Fraction(3)}


def frame_bytes(size: tuple[int, int], pix_fmt: str) -> int:
    """How many bytes one raw ``pix_fmt`` frame of ``size`` (width, height) takes."""
    width, height = size
    return int(width * height * BYTES_PER_PIXEL[pix_fmt])


def read_frames(src: Path | str, size: tuple[int, int], *, pix_fmt: str, filters: str | None = None,
                start: float | None = None, duration: float | None = None, frames: int | None = None,
                spare: list[np.ndarray] | None = None, where: str | None = None) -> Iterator[np.ndarray]:
    """The frames of the first video stream of ``src``, decoded to ``pix_fmt`` at ``size`` (the
    size ``filters`` make, or the stream's own), each as a flat uint8 array.

    ``start``/``duration`` cut the clip (seconds), ``filters`` is an ffmpeg filter chain,
    ``frames`` the most to decode (1 for a photo). A frame's buffer is taken from ``spare``
    (frames the caller is done with) when there are any, so a clip need not allocate each frame.
    """
    nbytes = frame_bytes(size, pix_fmt)
    command = decode_command(src, pix_fmt=pix_fmt, filters=filters, start=start, duration=duration, frames=frames)
    with stream_tool(command, stdout=True, where=where or str(src)) as proc:
        while True:
            buffer = spare.pop() if spare else np.empty(nbytes, np.uint8)
            if proc.stdout.readinto(buffer) < nbytes:
                return
            yield buffer


@contextmanager
def frame_writer(dst: Path | str, size: tuple[int, int], rate: object, *, pix_fmt: str, video_args: Sequence[str],
                 audio_from: Path | str | None = None, audio_args: Sequence[str] = ("-c:a", "copy"),
                 audio_start: float | None = None, audio_duration: float | None = None,
                 ) -> Iterator[Callable[[np.ndarray], None]]:
    """A function that takes raw ``pix_fmt`` frames of ``size`` and has ffmpeg encode them into
    ``dst`` at ``rate`` frames a second, with ``video_args``, beside the audio of ``audio_from``
    (cut like the frames were). Leaving the block finishes the file."""
    command = encode_command(dst, size, rate, pix_fmt=pix_fmt, video_args=video_args, audio_from=audio_from,
                             audio_args=audio_args, audio_start=audio_start, audio_duration=audio_duration)
    with stream_tool(command, stdin=True, where=str(dst)) as proc:
        yield lambda frame: proc.stdin.write(frame.data)
