"""Every ffmpeg command the media layer runs, built one way: as a graph with ffmpeg-python.

Each function returns the argv (``ffmpeg.compile``) for :func:`zorgblik.tools.run_tool` or
:func:`zorgblik.tools.stream_tool`, which run it. Options a caller hands over as command-line
pairs (an encoder's ``("-c:v", "libx264", "-crf", "16")``) become the graph's keywords through
:func:`options`. ffmpeg-python puts the global options (``-v error``, ``-nostdin``, ``-y``) after
the outputs, where ffmpeg reads them just the same.

    decode_command(src, pix_fmt="bgr24")                       # raw frames of the first video stream to stdout
    encode_command(dst, (w, h), rate, pix_fmt="bgr24", video_args=..., audio_from=src)   # raw frames in
    still_command(src, dst, filters="scale=640:-1")            # one frame to an image file
    reproject_command(src, dst, source="eac", size=(w, h), output_args=...)   # v360: a cubemap to equirect
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import ffmpeg

#: ffmpeg says nothing but its errors (stream_tool and run_tool report the last line).
QUIET = ("-v", "error")


def options(args: Sequence[str | int | float]) -> dict[str, str]:
    """Command-line option pairs (``"-c:v", "libx264", …``) as ffmpeg-python keywords."""
    args = [str(a) for a in args]
    names = args[::2]
    if len(args) % 2 or not all(name.startswith("-") and len(name) > 1 for name in names):
        raise ValueError(f"ffmpeg-opties moeten paren '-naam waarde' zijn, niet {args!r}")
    return {name[1:]: value for name, value in zip(names, args[1::2])}


def cut(start: float | None = None, duration: float | None = None) -> dict[str, str]:
    """Input keywords that seek to ``start`` seconds and keep ``duration`` seconds (None: all)."""
    found = {}
    if start:
        found["ss"] = f"{start:.3f}"
    if duration is not None:
        found["t"] = f"{duration:.3f}"
    return found


def decode_command(src: Path | str, *, pix_fmt: str, filters: str | None = None, start: float | None = None,
                   duration: float | None = None, frames: int | None = None) -> list[str]:
    """Raw frames (``pix_fmt``) of the first video stream of ``src`` on stdout: from ``start``
    for ``duration`` seconds, through the filter chain ``filters``, at most ``frames`` of them."""
    source = ffmpeg.input(str(src), **cut(start, duration))
    opts: dict[str, object] = {"f": "rawvideo", "pix_fmt": pix_fmt}
    if filters:
        opts["vf"] = filters
    if frames is not None:
        opts["frames:v"] = frames
    return ffmpeg.output(source["v:0"], "pipe:1", **opts).global_args(*QUIET, "-nostdin").compile(cmd="ffmpeg")


def encode_command(dst: Path | str, size: tuple[int, int], rate: object, *, pix_fmt: str,
                   video_args: Sequence[str], audio_from: Path | str | None = None,
                   audio_args: Sequence[str] = ("-c:a", "copy"), audio_start: float | None = None,
                   audio_duration: float | None = None) -> list[str]:
    """Raw frames (``pix_fmt``, ``size``, ``rate`` a second) from stdin encoded into ``dst`` with
    ``video_args``, and the audio of ``audio_from`` (if it has any; cut like the frames were) with
    ``audio_args``. Overwrites ``dst``."""
    width, height = size
    frames = ffmpeg.input("pipe:0", f="rawvideo", pix_fmt=pix_fmt, s=f"{width}x{height}", r=str(rate))
    streams = [frames["v"]]
    opts = options(video_args)
    if audio_from is not None:
        streams.append(ffmpeg.input(str(audio_from), **cut(audio_start, audio_duration))["a?"])
        opts.update(options(audio_args))
    out = ffmpeg.output(*streams, str(dst), **opts).global_args(*QUIET)
    return out.compile(cmd="ffmpeg", overwrite_output=True)


def still_command(src: Path | str, dst: Path | str, *, at: float | None = None, filters: str | None = None,
                  pix_fmt: str | None = None, overwrite: bool = False) -> list[str]:
    """One frame of ``src`` (``at`` seconds in), through ``filters``, written to the image ``dst``."""
    source = ffmpeg.input(str(src), **({"ss": f"{at}"} if at is not None else {}))
    opts: dict[str, object] = {"frames:v": 1}
    if filters:
        opts["vf"] = filters
    if pix_fmt:
        opts["pix_fmt"] = pix_fmt
    out = ffmpeg.output(source, str(dst), **opts).global_args(*QUIET, "-nostdin")
    return out.compile(cmd="ffmpeg", overwrite_output=overwrite)


#: ffmpeg's ``v360`` interpolation for a whole-picture reprojection: bilinear. Its lookup table
#: holds every output pixel's taps: for a 4032×2688 EAC photo to 5376×2688, bilinear took 0.56 GB
#: and 4.1 s, bicubic 1.58 GB and 5.0 s, lanczos 1.58 GB and 8.5 s; and bicubic's round trip
#: (equirect → 3×2 → equirect, compared at 1024×512) was no better: 3.34 against 3.43 grey levels.
REPROJECT_INTERP = "linear"


def reproject_command(src: Path | str, dst: Path | str, *, source: str, size: tuple[int, int], target: str = "e",
                      fixed_pad: int = 0, output_args: Sequence[str] = (), audio: bool = False,
                      interp: str = REPROJECT_INTERP) -> list[str]:
    """The first video stream of ``src`` (a photo or a clip) turned from the projection ``source``
    into ``target`` at ``size`` (width, height) by ffmpeg's ``v360`` filter, written to ``dst``
    with ``output_args`` (an encoder, a quality); with ``audio`` the audio, if any, comes along
    as ``output_args`` say. ``source`` and ``target`` are v360's names: ``eac`` (equi-angular
    cubemap), ``c3x2`` (a 3×2 cubemap, faces right left up / down front back), ``e`` (equirect).
    ``fixed_pad``: pixels of padding round each input cube face. Overwrites ``dst``."""
    width, height = size
    stream = ffmpeg.input(str(src))
    pad = {"fin_pad": fixed_pad} if fixed_pad else {}
    video = stream["v:0"].filter("v360", input=source, output=target, w=width, h=height, interp=interp, **pad)
    streams = [video, stream["a?"]] if audio else [video]
    out = ffmpeg.output(*streams, str(dst), **options(output_args)).global_args(*QUIET, "-nostdin")
    return out.compile(cmd="ffmpeg", overwrite_output=True)


def remap_command(src: Path | str, dst: Path | str, xmap: Path | str, ymap: Path | str, *,
                  output_args: Sequence[str] = (), audio: bool = False) -> list[str]:
    """The first video stream of ``src`` resampled through ffmpeg's ``remap`` filter: each output
    pixel is taken from the source pixel the 16-bit grey images ``xmap`` and ``ymap`` give (the
    output's size); a pixel they point outside the source is black. Written to ``dst`` with
    ``output_args``; with ``audio`` the audio, if any, comes along. Overwrites ``dst``."""
    stream = ffmpeg.input(str(src))
    video = ffmpeg.filter([stream["v:0"], ffmpeg.input(str(xmap)).video, ffmpeg.input(str(ymap)).video], "remap",
                          fill="black")
    streams = [video, stream["a?"]] if audio else [video]
    out = ffmpeg.output(*streams, str(dst), **options(output_args)).global_args(*QUIET, "-nostdin")
    return out.compile(cmd="ffmpeg", overwrite_output=True)
