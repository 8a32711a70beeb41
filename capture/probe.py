"""What a footage file is, according to ffprobe: streams, codec, size, rate, duration, rotation.

And what ffprobe does not look at: a photo's size from its header (``header_size``), and where an
MP4's media data ends (``media_end``).
"""

from __future__ import annotations

import struct
import sys
from array import array
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from fractions import Fraction
from pathlib import Path

from capture.errors import UnreadableMedia
from zorgblik.errors import ToolError
from zorgblik.tools import ffprobe_json

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


#: The largest moov read: an hour of 60 fps video indexes in a few MB.
_MAX_MOOV = 256 * 1024 * 1024


def _boxes(read: Callable[[int, int], bytes], start: int, end: int) -> Iterator[tuple[bytes, int, int]]:
    """(type, payload start, box end) of the ISO BMFF boxes from ``start`` to ``end``. A box may
    say it ends past ``end`` (it was cut off); the walk stops at what is no box."""
    pos = start
    while pos + 8 <= end:
        head = read(pos, 16)
        if len(head) < 8:
            return
        size, kind = struct.unpack(">I4s", head[:8])
        header = 8
        if size == 1 and len(head) == 16:  # the size follows in 64 bits: an mdat past 4 GB
            size, header = struct.unpack(">Q", head[8:16])[0], 16
        elif size == 0:  # up to the end
            size = end - pos
        if size < header:
            return
        yield kind, pos + header, pos + size
        pos += size


def _numbers(data: bytes, start: int, count: int, width: int) -> array:
    """``count`` big-endian unsigned numbers of ``width`` bytes (1, 2, 4 or 8) from ``data[start:]``."""
    raw = data[start:start + count * width]
    numbers = array({1: "B", 2: "H", 4: "I", 8: "Q"}[width], raw[:len(raw) - len(raw) % width])
    if width > 1 and sys.byteorder == "little":
        numbers.byteswap()
    return numbers


def _count(data: bytes, at: int) -> int:
    return struct.unpack(">I", data[at:at + 4])[0]


def _track_end(moov: bytes, table: dict[bytes, int]) -> int:
    """The furthest byte one track's samples reach: each chunk's offset plus its samples' sizes.
    ``table`` holds where the payload of each box in the track's stbl starts."""
    if b"stsz" in table:
        at = table[b"stsz"]
        same, count = _count(moov, at + 4), _count(moov, at + 8)
        sizes = None if same else _numbers(moov, at + 12, count, 4)
    elif b"stz2" in table and moov[table[b"stz2"] + 7] in (8, 16):  # (4-bit sizes: no video)
        at = table[b"stz2"]
        same, count = 0, _count(moov, at + 8)
        sizes = _numbers(moov, at + 12, count, moov[at + 7] // 8)
    else:
        return 0
    if b"stsc" not in table or not {b"stco", b"co64"} & set(table):
        return 0
    at = table.get(b"co64", table.get(b"stco"))
    offsets = _numbers(moov, at + 8, _count(moov, at + 4), 8 if b"co64" in table else 4)
    at = table[b"stsc"]
    runs = _numbers(moov, at + 8, 3 * _count(moov, at + 4), 4)  # (first chunk, samples per chunk, description)
    furthest, sample = 0, 0
    firsts = [*runs[0::3], len(offsets) + 1]
    for first, following, per_chunk in zip(firsts, firsts[1:], runs[1::3]):
        for chunk in range(first, min(following, len(offsets) + 1)):
            n = min(per_chunk, count - sample)
            if n <= 0:
                return furthest
            size = same * n if same else sum(sizes[sample:sample + n])
            furthest = max(furthest, offsets[chunk - 1] + size)
            sample += n
    return furthest


def _samples_end(moov: bytes) -> int:
    """The furthest byte any track in ``moov`` (its payload) points to."""
    def read(pos: int, n: int) -> bytes:
        return moov[pos:pos + n]

    def child(box: tuple[int, int], name: bytes) -> tuple[int, int] | None:
        return next(((inner, min(end, box[1])) for kind, inner, end in _boxes(read, *box) if kind == name), None)

    furthest = 0
    for kind, inner, end in _boxes(read, 0, len(moov)):
        box = (inner, min(end, len(moov))) if kind == b"trak" else None
        for name in (b"mdia", b"minf", b"stbl"):
            box = box and child(box, name)
        if box:
            table = {name: at for name, at, _ in _boxes(read, *box)}
            furthest = max(furthest, _track_end(moov, table))
    return furthest


def media_end(path: Path) -> int:
    """Where an MP4's or MOV's media data ends, by its own account: past the end of the file when
    the file was cut off. 0 for a file that is no MP4 or MOV.

    ffprobe only reads the header: with the moov at the front (and in fragmented MP4) a cut-off
    file probes as whole. Decoding the last seconds does not find a cut either: a decoder stops
    without complaint at a cut between two frames. The sample tables say where every frame is,
    so reading them costs milliseconds, not a decode, whatever the size of the file.
    """
    size = path.stat().st_size
    furthest = 0
    with open(path, "rb") as f:
        def read(pos: int, n: int) -> bytes:
            f.seek(pos)
            return f.read(n)

        for kind, inner, end in _boxes(read, 0, size):
            if kind in (b"mdat", b"moof") or (kind == b"moov" and end > size):
                furthest = max(furthest, end)
            elif kind == b"moov" and end - inner <= _MAX_MOOV:
                try:
                    furthest = max(furthest, _samples_end(read(inner, end - inner)))
                except (IndexError, ValueError, struct.error):  # an index ffprobe read and we cannot: its word stands
                    pass
            if end > size:
                break
    return furthest


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
