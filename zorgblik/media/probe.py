"""What a footage file is, according to ffprobe: streams, codec, size, rate, duration, rotation.

And what ffprobe does not look at: a photo's size from its header (``header_size``). Where an
MP4's media data ends is :func:`zorgblik.media.bmff.media_end`.
"""

from __future__ import annotations

import json
import struct
from dataclasses import dataclass, field
from fractions import Fraction
from pathlib import Path

from zorgblik.errors import ToolError
from zorgblik.media.errors import UnreadableMedia
from zorgblik.tools import run_tool

PHOTO_CODECS = {"mjpeg", "png"}
PHOTO_FORMATS = {"image2", "jpeg_pipe", "png_pipe"}

_PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
#: JPEG frame headers (SOF0–SOF15), which hold the image size; C4, C8 and CC are other segments.
_JPEG_FRAMES = set(range(0xC0, 0xD0)) - {0xC4, 0xC8, 0xCC}
_JPEG_STANDALONE = set(range(0xD0, 0xD8)) | {0x01}  # RSTn and TEM: markers without a length


@dataclass(frozen=True)
class Probe:
    media_kind: str  # "video" | "photo"
    container: str
    codec: str
    width: int
    height: int
    frame_rate: Fraction | None  # exact, as the container states it (30000/1001); None for photos
    duration_s: float | None
    rotation: int
    has_audio: bool
    side_data: tuple[dict, ...] = ()
    raw: dict = field(default_factory=dict, compare=False, repr=False)

    frames: int | None = None  # the video stream's frame count, stated or from the duration

    @property
    def aspect(self) -> float:
        return self.width / self.height

    @property
    def fps(self) -> float | None:
        return float(self.frame_rate) if self.frame_rate else None


def _rate(text: str | None) -> Fraction | None:
    try:
        value = Fraction(text) if text else None
    except (ValueError, ZeroDivisionError):
        return None
    return value if value and value > 0 else None


def _frames(stream: dict, duration: float | None, rate: Fraction | None) -> int | None:
    stated = str(stream.get("nb_frames", ""))
    if stated.isdigit():
        return int(stated)
    return round(duration * rate) if duration and rate else None


def _rotation(stream: dict) -> int:
    for item in stream.get("side_data_list", []):
        if "rotation" in item:
            return int(item["rotation"]) % 360
    return int(stream.get("tags", {}).get("rotate", 0)) % 360


def header_size(path: Path) -> tuple[int, int] | None:
    """The width and height a PNG or JPEG declares in its header, read without decoding a pixel
    (ffprobe and OpenCV both decode a photo to learn its size); None for anything else."""
    with open(path, "rb") as f:
        start = f.read(24)
        if start.startswith(_PNG_SIGNATURE) and start[12:16] == b"IHDR":
            width, height = struct.unpack(">II", start[16:24])
            return width, height
        if not start.startswith(b"\xff\xd8"):
            return None
        f.seek(2)
        while True:
            byte = f.read(1)
            if byte != b"\xff":
                return None
            marker = f.read(1)
            while marker == b"\xff":  # fill bytes before a marker
                marker = f.read(1)
            if not marker or marker[0] in (0xD9, 0xDA):  # the end, or the scan, before any frame header
                return None
            if marker[0] in _JPEG_STANDALONE:
                continue
            length = f.read(2)
            if len(length) < 2 or struct.unpack(">H", length)[0] < 2:
                return None
            if marker[0] in _JPEG_FRAMES:
                frame = f.read(5)  # precision, height, width
                if len(frame) < 5:
                    return None
                height, width = struct.unpack(">HH", frame[1:5])
                return width, height
            f.seek(struct.unpack(">H", length)[0] - 2, 1)


def ffprobe_json(path: Path, *, where: str | None = None) -> dict:
    """ffprobe's view of ``path``: format and streams, with side data, as a dict."""
    out = run_tool(
        ["ffprobe", "-v", "error", "-print_format", "json", "-show_format", "-show_streams", path],
        where=where or str(path),
    )
    return json.loads(out)


@dataclass(frozen=True)
class VideoPackets:
    """The first video stream's packets: how many, and when its keyframes show (seconds, in order)."""

    frames: int
    keyframes: tuple[float, ...]


def video_packets(path: Path, *, where: str | None = None) -> VideoPackets:
    """Count the first video stream's packets and find its keyframes, without decoding."""
    out = run_tool(["ffprobe", "-v", "error", "-select_streams", "v:0", "-show_entries", "packet=pts_time,flags",
                    "-print_format", "json", path], where=where or str(path))
    packets = json.loads(out).get("packets", [])
    keys = sorted(float(p["pts_time"]) for p in packets if "K" in p.get("flags", "") and "pts_time" in p)
    return VideoPackets(len(packets), tuple(keys))


def probe(path: Path) -> Probe:
    """Probe ``path``; raises UnreadableMedia with a plain reason when it is not usable footage."""
    where = str(path)
    if path.stat().st_size == 0:
        raise UnreadableMedia("leeg bestand (0 bytes)", where=where, hint="kopieer het bestand opnieuw van de camera")
    try:
        info = ffprobe_json(path, where=where)
    except ToolError as exc:
        if "niet gevonden" in exc.message:
            raise
        raise UnreadableMedia(
            "geen leesbare video of foto (beschadigd of afgebroken tijdens kopiëren?)",
            where=where,
            hint="kopieer het bestand opnieuw van de camera",
        ) from exc
    streams = info.get("streams", [])
    video = [s for s in streams if s.get("codec_type") == "video" and not s.get("disposition", {}).get("attached_pic")]
    audio = [s for s in streams if s.get("codec_type") == "audio"]
    if not video:
        what = "alleen geluid, geen beeld" if audio else "geen beeld gevonden"
        raise UnreadableMedia(what, where=where, hint="lever de 360°-video of -foto zelf aan")
    v = video[0]
    fmt = info.get("format", {})
    container = fmt.get("format_name", "")
    photo = v.get("codec_name") in PHOTO_CODECS and container in PHOTO_FORMATS
    duration = fmt.get("duration") or v.get("duration")
    width, height = int(v.get("width") or 0), int(v.get("height") or 0)
    if width <= 0 or height <= 0:
        raise UnreadableMedia("beeld zonder afmetingen", where=where, hint="kopieer het bestand opnieuw van de camera")
    rate = None if photo else _rate(v.get("avg_frame_rate")) or _rate(v.get("r_frame_rate"))
    seconds = None if photo else (float(duration) if duration else None)
    return Probe(
        media_kind="photo" if photo else "video",
        container=container,
        codec=v.get("codec_name", ""),
        width=width,
        height=height,
        frame_rate=rate,
        duration_s=seconds,
        rotation=_rotation(v),
        has_audio=bool(audio),
        side_data=tuple(v.get("side_data_list", [])),
        raw=info,
        frames=None if photo else _frames(v, seconds, rate),
    )
