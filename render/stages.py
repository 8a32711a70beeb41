"""The stages that turn a :class:`ScenePlan` into a scene bundle, in the order they run.

Each stage is a small function of the :class:`BundleJob`; :data:`STAGES` lists them in one
place, so the whole flow reads in one screen::

    encode_media   trim + level + scale + encode (cached by the plan's media key)
    check_media    probe the output: codec, size, spatial metadata
    make_poster    a perspective view at the scene's initial view direction, and a thumbnail
    write_captions WebVTT per language
    write_hotspots hotspots.json
    write_manifest manifest.json: files, sizes, sha256 and what the bundle is
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import ffmpeg

from capture.spherical import inject_spherical, verify_spherical
from render.errors import OutputInvalid
from render.plan import ScenePlan
from zorgblik.tools import ffprobe_json, run_tool

Progress = Callable[[str, float], None]

POSTER_SIZE = (1280, 720)
THUMB_SIZE = (320, 180)
_V360_STEREO = {"mono": "2d", "top-bottom": "tb", "left-right": "sbs"}


@dataclass
class BundleJob:
    plan: ScenePlan
    work_dir: Path  # the bundle folder being built; renamed into place when all stages ran
    cache_dir: Path
    progress: Progress | None = None
    files: dict[str, str] = field(default_factory=dict)  # role -> file name in work_dir
    media_info: dict = field(default_factory=dict)

    @property
    def where(self) -> str:
        return f"scène {self.plan.scene_key}"

    def report(self, fraction: float) -> None:
        if self.progress:
            self.progress(self.plan.scene_key, min(1.0, max(0.0, fraction)))


# encode ----------------------------------------------------------------------------------------
def encode_command(plan: ScenePlan, src: Path, dst: Path) -> list[str]:
    """The one ffmpeg command that trims, levels, scales and encodes a video scene."""
    p = plan.profile
    in_opts: dict = {}
    if plan.in_s:
        in_opts["ss"] = f"{plan.in_s:.3f}"
    if plan.duration_s is not None:
        in_opts["t"] = f"{plan.duration_s:.3f}"
    inp = ffmpeg.input(str(src), **in_opts)
    video = inp.video
    if plan.levelled:
        stereo = _V360_STEREO[plan.stereo]
        yaw, pitch, roll = plan.level
        video = video.filter("v360", "e", "e", yaw=yaw, pitch=pitch, roll=roll, in_stereo=stereo, out_stereo=stereo, interp="cubic")
    video = video.filter("scale", plan.out_width, plan.out_height, flags="lanczos").filter("format", "yuv420p")
    streams = [video]
    fps = plan.source_fps or 30.0
    opts: dict = {
        "c:v": p.encoder,
        "crf": p.crf,
        "preset": plan.preset,
        "maxrate": f"{p.maxrate_kbps}k",
        "bufsize": f"{p.maxrate_kbps * 2}k",
        "g": p.gop(fps),
        "keyint_min": p.gop(fps),
        "sc_threshold": 0,
        "level": p.level,
        "map_metadata": -1,  # cameras write serial numbers and GPS positions; none of that leaves
        "movflags": "+faststart",
        "f": "mp4",
    }
    if p.encoder == "libx264":
        opts["profile:v"] = "high"
        if p.encoder_params:
            opts["x264-params"] = p.encoder_params
    elif p.encoder == "libx265":
        opts["tag:v"] = "hvc1"
        x265 = f"keyint={p.gop(fps)}:min-keyint={p.gop(fps)}:scenecut=0"
        opts["x265-params"] = f"{x265}:{p.encoder_params}" if p.encoder_params else x265
        del opts["sc_threshold"], opts["keyint_min"]
    if plan.has_audio:
        streams.append(inp.audio.filter("loudnorm", I=p.loudness_lufs, TP=-1.5, LRA=11).filter("aresample", p.audio_rate)
                       .filter("aformat", sample_fmts="fltp", channel_layouts="stereo|mono"))
        opts.update({"c:a": "aac", "b:a": f"{p.audio_kbps}k", "ar": p.audio_rate})
    out = ffmpeg.output(*streams, str(dst), **opts)
    return out.compile(cmd="ffmpeg", overwrite_output=True)


def photo_command(plan: ScenePlan, src: Path, dst: Path) -> list[str]:
    image = ffmpeg.input(str(src)).video
    if plan.levelled:
        yaw, pitch, roll = plan.level
        image = image.filter("v360", "e", "e", yaw=yaw, pitch=pitch, roll=roll, interp="cubic")
    image = image.filter("scale", plan.out_width, plan.out_height, flags="lanczos")
    out = ffmpeg.output(image, str(dst), **{"frames:v": 1, "q:v": 2, "map_metadata": -1})
    return out.compile(cmd="ffmpeg", overwrite_output=True)


def _progress_reader(job: BundleJob) -> Callable[[str], None]:
    total = job.plan.duration_s or 0.0

    def on_line(line: str) -> None:
        key, _, value = line.partition("=")
        if key == "out_time_us" and total > 0 and value.strip().lstrip("-").isdigit():
            job.report(int(value) / 1e6 / total)

    return on_line


def encode_media(job: BundleJob) -> None:
    plan = job.plan
    suffix = ".mp4" if plan.media_kind == "video" else ".jpg"
    cached = job.cache_dir / "encode" / f"{plan.media_key()}{suffix}"
    if not cached.exists():
        cached.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp_name = tempfile.mkstemp(dir=cached.parent, suffix=".part" + suffix)
        os.close(fd)
        tmp = Path(tmp_name)
        try:
            if plan.media_kind == "video":
                argv = encode_command(plan, Path(plan.source_path), tmp) + ["-nostats", "-progress", "pipe:1"]
                run_tool(argv, where=job.where, on_line=_progress_reader(job))
                inject_spherical(tmp, tmp, stereo=plan.stereo)
            else:
                run_tool(photo_command(plan, Path(plan.source_path), tmp), where=job.where)
            os.replace(tmp, cached)
        finally:
            tmp.unlink(missing_ok=True)
    name = f"scene.{plan.profile.name}{suffix}"
    _link(cached, job.work_dir / name)
    job.files["media"] = name
    job.report(1.0)


def _link(src: Path, dst: Path) -> None:
    try:
        os.link(src, dst)
    except OSError:
        shutil.copy2(src, dst)


# check -----------------------------------------------------------------------------------------
def check_media(job: BundleJob) -> None:
    plan = job.plan
    path = job.work_dir / job.files["media"]
    info = ffprobe_json(path, where=job.where)
    video = next(s for s in info["streams"] if s.get("codec_type") == "video")
    size = (int(video["width"]), int(video["height"]))
    if size != (plan.out_width, plan.out_height):
        raise OutputInvalid(f"uitvoer is {size[0]}×{size[1]}, verwacht {plan.out_width}×{plan.out_height}", where=job.where)
    if plan.media_kind == "video":
        if video.get("codec_name") != plan.profile.codec:
            raise OutputInvalid(f"uitvoer-codec is {video.get('codec_name')}, verwacht {plan.profile.codec}", where=job.where)
        verify_spherical(path, plan.stereo)
    job.media_info = {
        "codec": video.get("codec_name"),
        "width": size[0],
        "height": size[1],
        "fps": plan.source_fps if plan.media_kind == "video" else None,
        "duration_s": float(info["format"]["duration"]) if plan.media_kind == "video" else None,
    }


# extras ----------------------------------------------------------------------------------------
def _perspective(job: BundleJob, seek: float | None, size: tuple[int, int], name: str) -> None:
    plan = job.plan
    src = job.work_dir / job.files["media"]
    yaw, pitch = plan.view
    opts = {"ss": f"{seek:.3f}"} if seek else {}
    view = ffmpeg.input(str(src), **opts).video.filter(
        "v360", "e", "flat", in_stereo=_V360_STEREO[plan.stereo], out_stereo="2d",
        yaw=yaw, pitch=pitch, h_fov=100, v_fov=round(100 * size[1] / size[0], 2), w=size[0], h=size[1],
    )
    out = ffmpeg.output(view, str(job.work_dir / name), **{"frames:v": 1, "q:v": 3})
    run_tool(out.compile(cmd="ffmpeg", overwrite_output=True), where=job.where)


def make_poster(job: BundleJob) -> None:
    duration = job.media_info.get("duration_s") or 0.0
    seek = min(1.0, duration / 2) if duration else None
    _perspective(job, seek, POSTER_SIZE, "poster.jpg")
    _perspective(job, seek, THUMB_SIZE, "thumb.jpg")
    job.files["poster"], job.files["thumbnail"] = "poster.jpg", "thumb.jpg"


def _vtt_time(seconds: float) -> str:
    ms = round(seconds * 1000)
    h, rest = divmod(ms, 3_600_000)
    m, rest = divmod(rest, 60_000)
    s, ms = divmod(rest, 1000)
    return f"{h:02d}:{m:02d}:{s:02d}.{ms:03d}"


def write_captions(job: BundleJob) -> None:
    languages = sorted({lang for c in job.plan.captions for lang in c.text})
    for lang in languages:
        cues = [c for c in job.plan.captions if lang in c.text]
        lines = ["WEBVTT", ""]
        for n, cue in enumerate(cues, 1):
            lines += [str(n), f"{_vtt_time(cue.start)} --> {_vtt_time(cue.end)}", cue.text[lang].strip(), ""]
        name = f"captions.{lang}.vtt"
        (job.work_dir / name).write_text("\n".join(lines), encoding="utf-8")
        job.files[f"captions.{lang}"] = name


def write_hotspots(job: BundleJob) -> None:
    data = [
        {"id": h.id, "kind": h.kind, "yaw": h.yaw, "pitch": h.pitch, "start": h.start, "end": h.end, "label": h.label, "text": h.text}
        for h in job.plan.hotspots
    ]
    (job.work_dir / "hotspots.json").write_text(json.dumps(data, ensure_ascii=False, indent=2), encoding="utf-8")
    job.files["hotspots"] = "hotspots.json"


def sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        while chunk := f.read(1 << 20):
            digest.update(chunk)
    return digest.hexdigest()


def write_manifest(job: BundleJob) -> None:
    plan = job.plan
    files = []
    for role, name in sorted(job.files.items()):
        path = job.work_dir / name
        files.append({"name": name, "role": role, "bytes": path.stat().st_size, "sha256": sha256_file(path)})
    manifest = {
        "format": "zorgblik-bundle/1",
        "bundle_key": plan.bundle_key(),
        "script": plan.script_name,
        "script_sha256": plan.script_sha256,
        "scene": plan.scene_key,
        "title": plan.title,
        "media_kind": plan.media_kind,
        "projection": "equirectangular",
        "stereo": plan.stereo,
        "profile": plan.profile.name,
        "view": {"yaw": plan.view[0], "pitch": plan.view[1]},
        "contexts": list(plan.contexts),
        "prompts": list(plan.prompts),
        "source_footage": [plan.source_sha256],
        **job.media_info,
        "files": files,
    }
    (job.work_dir / "manifest.json").write_text(json.dumps(manifest, ensure_ascii=False, indent=2), encoding="utf-8")


STAGES: tuple[Callable[[BundleJob], None], ...] = (
    encode_media,
    check_media,
    make_poster,
    write_captions,
    write_hotspots,
    write_manifest,
)


def build_bundle(plan: ScenePlan, bundles_dir: Path, cache_dir: Path, progress: Progress | None = None) -> Path:
    """Run every stage for ``plan``; the bundle folder appears whole or not at all."""
    final = bundles_dir / plan.bundle_key()
    if (final / "manifest.json").exists():
        if progress:
            progress(plan.scene_key, 1.0)
        return final
    bundles_dir.mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(dir=bundles_dir, prefix=".building-"))
    try:
        job = BundleJob(plan, work, cache_dir, progress)
        for stage in STAGES:
            stage(job)
        try:
            os.replace(work, final)
        except OSError:
            if not (final / "manifest.json").exists():  # a half folder from an older crash
                shutil.rmtree(final, ignore_errors=True)
                os.replace(work, final)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return final
