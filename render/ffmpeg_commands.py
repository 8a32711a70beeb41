"""The ffmpeg commands a scene's pictures are made with: the filters between the source and the face
search, a clip's whole encode ladder in one process from the blurred frames (ladder_command), a
photo's rendition from its blurred intermediate, and the poster with its thumbnail. They only
build the command line; the stages run it."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import ffmpeg

from render.plan import Rendition, ScenePlan
from zorgblik.media.ffmpeg import QUIET, cut

POSTER_SIZE = (1280, 720)
THUMB_SIZE = (320, 180)
_V360_STEREO = {"mono": "2d", "top-bottom": "tb", "left-right": "sbs"}


def clip_level(plan: ScenePlan) -> tuple[float, float, float] | None:
    """The level a clip's frames get on their way to the face search in Python
    (:class:`render.level.Leveller`, after :func:`prepare_filters` with ``level=False``) rather
    than in ffmpeg: a whole-sphere clip's (v360 at 3840×1920 holds 1.5 GB, #15). None: nothing
    to level, or VR180 (its half sphere stays with v360)."""
    return tuple(plan.level) if plan.levelled and not plan.vr180 else None  # type: ignore[return-value]


def prepare_filters(plan: ScenePlan, *, level: bool = True) -> str | None:
    """The ffmpeg filters between the source and the face search: level, then each eye to 2:1
    (``level=False``: each eye to 2:1 only, the caller levels by :func:`clip_level`).
    A VR180 eye (the front half, ``he`` to v360) is scaled to half its 2:1 eye and padded with
    black to the whole sphere, the picture unresampled in the middle: the search sees a whole
    sphere, and :func:`front_half` cuts the same pixels out again for the renditions."""
    steps = []
    if plan.levelled and (level or plan.vr180):
        stereo = _V360_STEREO[plan.stereo]
        yaw, pitch, roll = plan.level
        kind = "he" if plan.vr180 else "e"
        steps.append(f"v360={kind}:{kind}:yaw={yaw}:pitch={pitch}:roll={roll}:in_stereo={stereo}:out_stereo={stereo}"
                     ":interp=cubic")
    if plan.vr180:
        return ",".join(steps + [_padded_to_the_sphere(plan)])
    if tuple(plan.source_size) != plan.intermediate_size:
        steps.append("scale={}:{}:flags=lanczos".format(*plan.intermediate_size))
    return ",".join(steps) or None


def _eye_boxes(plan: ScenePlan) -> list[tuple[int, int, int, int]]:
    """Each eye of the intermediate as (x, y, width, height), left eye first."""
    rows, cols = plan.eyes
    width, height = plan.intermediate_size
    eye_w, eye_h = width // cols, height // rows
    return [(c * eye_w, r * eye_h, eye_w, eye_h) for r in range(rows) for c in range(cols)]


def _padded_to_the_sphere(plan: ScenePlan) -> str:
    """A VR180 frame to the intermediate: the whole frame to half the intermediate's width, then
    each eye padded left and right with black to a whole 2:1 eye (the eyes split and stacked
    again for stereo)."""
    rows, cols = plan.eyes
    width, height = plan.intermediate_size
    eye_w, eye_h = width // cols, height // rows
    scaled = f"scale={width // 2}:{height}:flags=lanczos"
    pad = f"pad={eye_w}:{eye_h}:{eye_w // 4}:0:black"
    if rows * cols == 1:
        return f"{scaled},{pad}"
    half = [(c * eye_w // 2, r * eye_h, eye_w // 2, eye_h) for r in range(rows) for c in range(cols)]
    eyes = ";".join(f"[in{n}]crop={w}:{h}:{x}:{y},{pad}[eye{n}]" for n, (x, y, w, h) in enumerate(half))
    stack = "hstack" if cols == 2 else "vstack"
    return f"{scaled},split=2[in0][in1];{eyes};[eye0][eye1]{stack}=inputs=2"


def front_half(plan: ScenePlan, rendition: Rendition, video):
    """A VR180 rendition: the front half of each eye of the intermediate (what
    :func:`prepare_filters` padded), the eyes side by side or one above the other as the source
    had them. Anything else passes as it is."""
    if not plan.vr180:
        return video
    boxes = _eye_boxes(plan)
    copies = [video] if len(boxes) == 1 else [video.split()[n] for n in range(len(boxes))]
    halves = [v.filter("crop", w // 2, h, x + w // 4, y) for v, (x, y, w, h) in zip(copies, boxes)]
    if len(halves) == 1:
        return halves[0]
    return ffmpeg.filter(halves, "hstack" if plan.eyes[1] == 2 else "vstack", inputs=2)


def scale(plan: ScenePlan, rendition: Rendition, video):
    return video.filter("scale", rendition.width, rendition.height, flags="lanczos")


#: What a rendition does to the (already trimmed, levelled and blurred) intermediate's picture.
MEDIA_STEPS = (front_half, scale)


def _picture(plan: ScenePlan, rendition: Rendition, video):
    for step in MEDIA_STEPS:
        video = step(plan, rendition, video)
    return video


def _encoder_options(plan: ScenePlan, rendition: Rendition, chunk: bool = False) -> dict:
    """The profile's encoder settings for one rendition's output (and its sound's, if any).
    ``chunk``: a piece of the picture for a join (render.chunks): no sound, no faststart, and a
    closed GOP for x265 too (x264's is closed already), so each piece starts on its own keyframe."""
    p = rendition.profile
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
        if chunk:
            x265 += ":open-gop=0"
        opts["x265-params"] = f"{x265}:{p.encoder_params}" if p.encoder_params else x265
        del opts["sc_threshold"], opts["keyint_min"]
    if chunk:
        del opts["movflags"]
        return opts
    if plan.has_audio:
        opts.update({"c:a": "aac", "b:a": f"{p.audio_kbps}k", "ar": p.audio_rate})
    return opts


def _sound(rendition: Rendition, audio):
    p = rendition.profile
    return (audio.filter("loudnorm", I=p.loudness_lufs, TP=-1.5, LRA=11).filter("aresample", p.audio_rate)
            .filter("aformat", sample_fmts="fltp", channel_layouts="stereo|mono"))


def ladder_command(plan: ScenePlan, renditions: Sequence[Rendition], dsts: Sequence[Path], size: tuple[int, int],
                   rate: object) -> list[str]:
    """One ffmpeg process for the whole ladder: blurred yuv420p frames of ``size`` come in on
    stdin at ``rate`` a second, are decoded once by the pass and split here, each copy scaled
    (MEDIA_STEPS) and encoded with its profile into its ``dsts`` entry, beside the source's sound
    trimmed like the frames (the scene's in and out points)."""
    width, height = size
    frames = ffmpeg.input("pipe:0", f="rawvideo", pix_fmt="yuv420p", s=f"{width}x{height}", r=str(rate)).video
    count = len(renditions)
    pictures = [frames] if count == 1 else [frames.split()[n] for n in range(count)]
    sounds: list = [None] * count
    if plan.has_audio:
        audio = ffmpeg.input(plan.source_path, **cut(plan.in_s, plan.duration_s)).audio
        splits = [audio] if count == 1 else [audio.filter_multi_output("asplit", count)[n] for n in range(count)]
        sounds = splits
    outputs = []
    for rendition, dst, picture, sound in zip(renditions, dsts, pictures, sounds):
        streams = [_picture(plan, rendition, picture).filter("format", "yuv420p")]
        if sound is not None:
            streams.append(_sound(rendition, sound))
        outputs.append(ffmpeg.output(*streams, str(dst), **_encoder_options(plan, rendition)))
    return ffmpeg.merge_outputs(*outputs).global_args(*QUIET).compile(cmd="ffmpeg", overwrite_output=True)


def chunk_command(plan: ScenePlan, renditions: Sequence[Rendition], dsts: Sequence[Path], size: tuple[int, int],
                  rate: object) -> list[str]:
    """One chunk of a scene for every rendition in one process (render.chunks): like
    :func:`ladder_command`, but the picture only (the join adds the sound) and a closed GOP. The
    GOP is fixed (``-g`` = ``keyint_min``, no scene cuts) and a chunk starts on a GOP boundary, so
    its keyframes fall where the unchunked encode puts them, the first one at the chunk's start."""
    width, height = size
    frames = ffmpeg.input("pipe:0", f="rawvideo", pix_fmt="yuv420p", s=f"{width}x{height}", r=str(rate)).video
    count = len(renditions)
    pictures = [frames] if count == 1 else [frames.split()[n] for n in range(count)]
    outputs = [ffmpeg.output(_picture(plan, rendition, picture).filter("format", "yuv420p"), str(dst),
                             **_encoder_options(plan, rendition, chunk=True))
               for rendition, dst, picture in zip(renditions, dsts, pictures)]
    return ffmpeg.merge_outputs(*outputs).global_args(*QUIET).compile(cmd="ffmpeg", overwrite_output=True)


def join_command(plan: ScenePlan, rendition: Rendition, chunk_list: Path, dst: Path) -> list[str]:
    """A rendition's chunks joined without encoding the picture again (the concat demuxer, ``-c:v
    copy``), beside the source's sound trimmed to the scene and treated as :func:`ladder_command`
    treats it. ``chunk_list``: the concat demuxer's list of chunk files, in order."""
    streams = [ffmpeg.input(str(chunk_list), f="concat", safe=0).video]
    if plan.has_audio:
        streams.append(_sound(rendition, ffmpeg.input(plan.source_path, **cut(plan.in_s, plan.duration_s)).audio))
    opts = {k: v for k, v in _encoder_options(plan, rendition).items()
            if k in ("map_metadata", "movflags", "f", "c:a", "b:a", "ar", "tag:v")}
    opts["c:v"] = "copy"
    return ffmpeg.output(*streams, str(dst), **opts).global_args(*QUIET).compile(cmd="ffmpeg", overwrite_output=True)


def photo_command(plan: ScenePlan, rendition: Rendition, src: Path, dst: Path) -> list[str]:
    image = _picture(plan, rendition, ffmpeg.input(str(src)).video)
    out = ffmpeg.output(image, str(dst), **{"frames:v": 1, "q:v": 2, "map_metadata": -1})
    return out.compile(cmd="ffmpeg", overwrite_output=True)


def poster_command(plan: ScenePlan, src: Path, seek: float | None, poster: Path, thumb: Path,
                   raw_size: tuple[int, int] | None = None) -> list[str]:
    """One ffmpeg run for both: a perspective view at the scene's initial view direction, and the
    thumbnail scaled down from that same view. ``raw_size``: ``src`` is one raw yuv420p frame of
    that size (the one the privacy pass kept at the poster's moment)."""
    yaw, pitch = plan.view
    (width, height), thumb_size = POSTER_SIZE, THUMB_SIZE
    if raw_size:
        opts = {"f": "rawvideo", "pix_fmt": "yuv420p", "s": "{}x{}".format(*raw_size)}
    else:
        opts = {"ss": f"{seek:.3f}"} if seek else {}
    view = ffmpeg.input(str(src), **opts).video.filter(
        "v360", "e", "flat", in_stereo=_V360_STEREO[plan.stereo], out_stereo="2d",
        yaw=yaw, pitch=pitch, h_fov=100, v_fov=round(100 * height / width, 2), w=width, h=height,
    ).split()
    small = view[1].filter("scale", *thumb_size, flags="lanczos")
    outputs = [ffmpeg.output(view[0], str(poster), **{"frames:v": 1, "q:v": 3}),
               ffmpeg.output(small, str(thumb), **{"frames:v": 1, "q:v": 3})]
    return ffmpeg.merge_outputs(*outputs).compile(cmd="ffmpeg", overwrite_output=True)
