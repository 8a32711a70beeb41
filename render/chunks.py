"""A clip scene encoded in GOP-aligned chunks on several workers, and joined without encoding again.

On a Dask cluster (``build --executor dask``) a clip scene is not one task but three kinds::

    face search     the scene's one pass without an encoder (render.stages.run_one_pass with
                    nothing to encode): the face tracks, review sheet, summary and poster reach
                    the cache; skipped where they are there already
    encode_chunk    per chunk (a few seconds, :func:`plan_chunks`), on any worker: decode that
                    frame range (trimmed and levelled at the reader, as the one pass does), blur it
                    from the cached tracks (no search where the tracks have the frame) and encode
                    that range of every missing rendition in one ffmpeg (chunk_command)
    join            per rendition: the chunks concatenated with ``-c:v copy`` beside the source's
                    sound trimmed to the scene (join_command), the spherical metadata written as
                    the one pass writes it, then :func:`check_joined` before it enters the cache

Keyframe-aligned by construction: a chunk is a whole number of every rendition's GOP (and of the
tracker's keyframe interval), every encode has a fixed GOP and a closed one, so each chunk starts
on a keyframe exactly where the unchunked encode has one, and the tracker in a chunk searches the
frames the scene's search did (its last frame's neighbour, the next chunk's first, is decoded too
so that faces between keyframes are interpolated as in one pass). The local and inline executors
never chunk: a scene is the one pass of render.stages, as on a laptop.
"""

from __future__ import annotations

import hashlib
import json
import math
import os
import shutil
import tempfile
import time
from contextlib import contextmanager
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path

from render import privacy
from render.cache import cached_tracks
from render.errors import OutputInvalid
from render.ffmpeg_commands import chunk_command, clip_level, join_command, prepare_filters
from render.plan import Rendition, ScenePlan, sphere_bounds
from zorgblik.media.probe import ffprobe_json, video_packets
from zorgblik.media.spherical import inject_spherical, verify_spherical
from zorgblik.private import private_dir
from zorgblik.tools import run_tool, stream_tool

#: Seconds of a scene per chunk when no setting says otherwise (Settings.chunk_s).
DEFAULT_CHUNK_S = 4.0
#: Share of a chunked scene's progress bar the face search takes when it runs.
SEARCH_SHARE = 0.3


@dataclass(frozen=True)
class Chunk:
    index: int
    first: int  # the scene's frame index of its first frame
    frames: int  # frames it encodes
    start_s: float  # where the reader seeks in the source (half a frame before ``first``; the scene's in point for the first)
    duration_s: float  # how long the reader reads from there (half a frame past its last frame, or past the peeked one)
    peek: bool  # the frame after its last (the next chunk's first) is decoded too, for the tracker, not encoded


def chunk_length(plan: ScenePlan, fps: Fraction, chunk_s: float) -> int:
    """Frames per chunk: ``chunk_s`` rounded to a whole number of every rendition's GOP and of the
    tracker's keyframe interval (at least one of them)."""
    step = math.lcm(privacy.BlurSettings().keyframe_interval, *(r.profile.gop(float(fps)) for r in plan.renditions))
    return step * max(1, round(float(chunk_s * fps) / step))


def plan_chunks(plan: ScenePlan, fps: Fraction, chunk_s: float) -> list[Chunk]:
    """The scene's chunks, or none when it is shorter than two (it is encoded in one task)."""
    if plan.media_kind != "video" or plan.duration_s is None:
        return []
    total, length = round(plan.duration_s * fps), chunk_length(plan, fps, chunk_s)
    if total < 2 * length:
        return []
    in_s = round(plan.in_s or 0.0, 3)
    first_frame = math.ceil(in_s * fps - Fraction(1, 1000))  # the first frame the one pass's reader keeps
    count = math.ceil(total / length)
    chunks = []
    for n in range(count):
        first = n * length
        frames = min(length, total - first)
        peek = n < count - 1
        start = in_s if n == 0 else float((first_frame + first - Fraction(1, 2)) / fps)
        stop = float((first_frame + first + frames + peek - Fraction(1, 2)) / fps)
        chunks.append(Chunk(n, first, frames, start, stop - start, peek))
    return chunks


def chunk_folder(plan: ScenePlan, todo: list[Rendition], chunks: list[Chunk], cache_dir: Path) -> Path:
    """Where a scene's chunks wait for their join: named by what they hold, so a chunk finished
    before a worker died is not encoded again."""
    key = {"media": [plan.media_key(r) for r in todo], "chunks": [(c.first, c.frames) for c in chunks]}
    return cache_dir / "chunks" / hashlib.sha256(json.dumps(key, sort_keys=True).encode()).hexdigest()[:24]


@dataclass(frozen=True)
class ChunkTask:
    """One chunk's work, sent to a worker: all it reads is the source and the cached tracks."""

    plan: ScenePlan
    cache_dir: Path
    chunk: Chunk
    renditions: tuple[Rendition, ...]
    folder: Path

    @property
    def files(self) -> list[Path]:
        return [self.folder / f"{self.chunk.index:04d}.{r.name}.mp4" for r in self.renditions]

    @property
    def done_file(self) -> Path:
        return self.folder / f"{self.chunk.index:04d}.json"


@dataclass(frozen=True)
class ChunkDone:
    index: int
    frames: int
    files: tuple[Path, ...]
    seconds: float  # how long the chunk took on its worker (0: it was there already)
    searches: int  # frames the chunk searched itself (the tracks lacked them: a cut across its start)


def _shifted(entries, by: float):
    """Script entries (keep_unblurred, blur_regions) with their time windows moved by ``by``
    seconds: the tracker's clock starts at a chunk's first frame."""
    out = []
    for e in entries:
        update = {k: getattr(e, k) - by for k in ("start", "end") if getattr(e, k) is not None}
        out.append(e.model_copy(update=update))
    return out


def encode_chunk(task: ChunkTask) -> ChunkDone:
    """A Dask task: decode the chunk's frames, blur them from the scene's cached tracks and encode
    them for every rendition; the files appear whole (renamed into place) with a note of their
    frame count written last, which marks a finished chunk."""
    plan, chunk = task.plan, task.chunk
    where = f"scène {plan.scene_slug} (stuk {chunk.index + 1})"
    if task.done_file.exists() and all(f.exists() for f in task.files):
        return ChunkDone(chunk.index, json.loads(task.done_file.read_text())["frames"], tuple(task.files), 0.0, 0)
    began = time.monotonic()
    tracks = privacy.FaceTracks.load(cached_tracks(plan, task.cache_dir, privacy.detection(model=plan.face_model)))
    if tracks is None:
        raise OutputInvalid("de gezichtssporen van de scène ontbreken in de cache", where=where,
                            hint="bouw de scène opnieuw (de gezichtszoektocht loopt dan eerst)")
    last = chunk.first + chunk.frames - 1 + chunk.peek
    local = privacy.FaceTracks([{i - chunk.first: boxes for i, boxes in eye.items() if chunk.first <= i <= last}
                                for eye in tracks.eyes])
    shift = chunk.first / (plan.source_fps or 30.0)
    private_dir(task.folder)
    with tempfile.TemporaryDirectory(dir=task.folder, prefix=".chunk-") as tmp:
        made = [Path(tmp) / f.name for f in task.files]
        written = 0

        @contextmanager
        def sink(info):
            argv = chunk_command(plan, task.renditions, made, (info.width, info.height), info.fps)
            with stream_tool(argv, stdin=True, where=where) as proc:
                def write(frame) -> None:
                    nonlocal written
                    if written < chunk.frames:  # the peeked frame is the next chunk's
                        proc.stdin.write(frame)
                        written += 1
                yield write

        report = privacy.blur_video(Path(plan.source_path), None, keep=_shifted(plan.privacy.keep, shift),
                                    regions=_shifted(plan.privacy.regions, shift), stereo=plan.stereo, tracks=local,
                                    sink=sink, model=plan.face_model,
                                    cut=privacy.ClipCut(chunk.start_s, chunk.duration_s, prepare_filters(plan, level=False),
                                                        plan.intermediate_size, clip_level(plan)))
        if written != chunk.frames:
            raise OutputInvalid(f"stuk las {written} beelden, verwacht {chunk.frames}", where=where,
                                hint="controleer de opname (een constante beeldsnelheid is nodig)")
        for path, final in zip(made, task.files):
            os.replace(path, final)
        note = Path(tmp) / "done.json"
        note.write_text(json.dumps({"frames": written}))
        os.replace(note, task.done_file)
    return ChunkDone(chunk.index, written, tuple(task.files), time.monotonic() - began, report.searches)


def join_rendition(plan: ScenePlan, rendition: Rendition, files: list[Path], frames: int, fps: Fraction,
                   final: Path, cache_dir: Path, where: str) -> float:
    """Join a rendition's chunks into ``final`` (the cache's file), checked first; returns the
    seconds it took. A failed check raises OutputInvalid and leaves nothing."""
    began = time.monotonic()
    where = f"{where} ({rendition.name})"
    private_dir(cache_dir)
    with tempfile.TemporaryDirectory(dir=cache_dir, prefix=".join-") as tmp:
        listing = Path(tmp) / "chunks.txt"
        listing.write_text("".join("file '{}'\n".format(str(Path(f).resolve()).replace("'", "'\\''")) for f in files),
                           encoding="utf-8")
        joined = Path(tmp) / "joined.mp4"
        run_tool(join_command(plan, rendition, listing, joined), where=where)
        inject_spherical(joined, joined, stereo=plan.stereo, bounds=sphere_bounds(plan))
        check_joined(joined, plan, rendition, frames, fps, where)
        private_dir(final.parent)
        os.replace(joined, final)
    return time.monotonic() - began


def check_joined(path: Path, plan: ScenePlan, rendition: Rendition, frames: int, fps: Fraction, where: str) -> None:
    """The joined file against what its chunks were: the frame count, the duration, a keyframe
    at every GOP boundary and nowhere else (every chunk's start among them), codec, size and the
    spherical metadata."""
    info = ffprobe_json(path, where=where)
    video = next((s for s in info["streams"] if s.get("codec_type") == "video"), None)
    if video is None:
        raise OutputInvalid("samengevoegde rendition heeft geen beeld", where=where, hint="bouw de scène opnieuw")
    packets = video_packets(path, where=where)
    if packets.frames != frames:
        raise OutputInvalid(f"samengevoegde rendition heeft {packets.frames} beelden, verwacht {frames}", where=where,
                            hint="bouw de scène opnieuw")
    duration = float(video.get("duration") or info["format"].get("duration") or 0.0)
    if abs(duration - frames / fps) > 1.5 / fps:
        raise OutputInvalid(f"samengevoegde rendition duurt {duration:.3f} s, verwacht {float(frames / fps):.3f} s",
                            where=where, hint="bouw de scène opnieuw")
    start = float(video.get("start_time") or 0.0)
    keys = sorted({round((t - start) * fps) for t in packets.keyframes})
    expected = list(range(0, frames, rendition.profile.gop(float(fps))))
    if keys != expected:
        raise OutputInvalid(f"sleutelbeelden van de samengevoegde rendition op {keys[:8]}…, verwacht {expected[:8]}…",
                            where=where, hint="bouw de scène opnieuw")
    if video.get("codec_name") != rendition.profile.codec or (int(video["width"]), int(video["height"])) != (
            rendition.width, rendition.height):
        raise OutputInvalid(f"samengevoegde rendition is {video.get('codec_name')} {video['width']}×{video['height']}, "
                            f"verwacht {rendition.profile.codec} {rendition.width}×{rendition.height}", where=where,
                            hint="bouw de scène opnieuw")
    verify_spherical(path, plan.stereo, probed=info, expected_bounds=sphere_bounds(plan))


def remove_chunks(folder: Path) -> None:
    shutil.rmtree(folder, ignore_errors=True)
