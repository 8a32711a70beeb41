"""The ffmpeg commands a scene's pictures are made with: the filters between the source and the face
search, a rendition's encode or photo from the blurred intermediate, and the poster with its
thumbnail. They only build the command line; the stages run it."""

from __future__ import annotations

from pathlib import Path

import ffmpeg

from render.plan import Rendition, ScenePlan

POSTER_SIZE = (1280, 720)
THUMB_SIZE = (320, 180)
_V360_STEREO = {"mono": "2d", "top-bottom": "tb", "left-right": "sbs"}


def prepare_filters(plan: ScenePlan) -> str | None:
    """The ffmpeg filters between the source and the face search: level, then each eye to 2:1."""
    steps = []
    if plan.levelled:
        stereo = _V360_STEREO[plan.stereo]
        yaw, pitch, roll = plan.level
        steps.append(f"v360=e:e:yaw={yaw}:pitch={pitch}:roll={roll}:in_stereo={stereo}:out_stereo={stereo}:interp=cubic")
    if tuple(plan.source_size) != plan.intermediate_size:
        steps.append("scale={}:{}:flags=lanczos".format(*plan.intermediate_size))
    return ",".join(steps) or None


def scale(plan: ScenePlan, rendition: Rendition, video):
    return video.filter("scale", rendition.width, rendition.height, flags="lanczos")


#: What a rendition does to the (already trimmed, levelled and blurred) intermediate's picture.
MEDIA_STEPS = (scale,)


def _picture(plan: ScenePlan, rendition: Rendition, video):
    for step in MEDIA_STEPS:
        video = step(plan, rendition, video)
    return video


def encode_command(plan: ScenePlan, rendition: Rendition, src: Path, dst: Path) -> list[str]:
    """The one ffmpeg command that scales and encodes one rendition from the intermediate ``src``."""
    p = rendition.profile
    inp = ffmpeg.input(str(src))
    video = _picture(plan, rendition, inp.video).filter("format", "yuv420p")
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


def photo_command(plan: ScenePlan, rendition: Rendition, src: Path, dst: Path) -> list[str]:
    image = _picture(plan, rendition, ffmpeg.input(str(src)).video)
    out = ffmpeg.output(image, str(dst), **{"frames:v": 1, "q:v": 2, "map_metadata": -1})
    return out.compile(cmd="ffmpeg", overwrite_output=True)


def poster_command(plan: ScenePlan, src: Path, seek: float | None, poster: Path, thumb: Path) -> list[str]:
    """One ffmpeg run for both: a perspective view at the scene's initial view direction, and the
    thumbnail scaled down from that same view."""
    yaw, pitch = plan.view
    (width, height), thumb_size = POSTER_SIZE, THUMB_SIZE
    opts = {"ss": f"{seek:.3f}"} if seek else {}
    view = ffmpeg.input(str(src), **opts).video.filter(
        "v360", "e", "flat", in_stereo=_V360_STEREO[plan.stereo], out_stereo="2d",
        yaw=yaw, pitch=pitch, h_fov=100, v_fov=round(100 * height / width, 2), w=width, h=height,
    ).split()
    small = view[1].filter("scale", *thumb_size, flags="lanczos")
    outputs = [ffmpeg.output(view[0], str(poster), **{"frames:v": 1, "q:v": 3}),
               ffmpeg.output(small, str(thumb), **{"frames:v": 1, "q:v": 3})]
    return ffmpeg.merge_outputs(*outputs).compile(cmd="ffmpeg", overwrite_output=True)
