"""The media layer: what a photo or clip is, its 360° metadata, and its frames through ffmpeg.

    found = probe(path)                          # Probe: kind, codec, size, rate, duration, rotation
    end = media_end(path)                        # where an MP4's media data ends (past a cut-off file)
    info = read_spherical(path)                  # V1/V2 spherical video metadata, or None
    inject_spherical(src, dst, stereo="top-bottom"); verify_spherical(dst, "top-bottom")
    pano = read_gpano(path)                      # a 360° photo's XMP GPano, or None
    for frame in read_frames(src, (w, h), pix_fmt="bgr24"): ...     # the one frame reader
    with frame_writer(dst, (w, h), rate, pix_fmt="bgr24", video_args=..., audio_from=src) as write: ...

The modules, one idea each: :mod:`~zorgblik.media.errors` (what goes wrong),
:mod:`~zorgblik.media.probe` (ffprobe), :mod:`~zorgblik.media.bmff` (MP4 box walking),
:mod:`~zorgblik.media.spherical` (360° video metadata), :mod:`~zorgblik.media.gpano` (360° photo
metadata), :mod:`~zorgblik.media.xmp` (XMP properties both read), :mod:`~zorgblik.media.ffmpeg`
(every ffmpeg command, built as a graph with ffmpeg-python) and :mod:`~zorgblik.media.frames`
(raw frames in and out of ffmpeg through a pipe). Running the tools is :mod:`zorgblik.tools`.
"""

import lazy_loader as _lazy

# Names load from their module on first use: probing a file does not import numpy.
__getattr__, __dir__, __all__ = _lazy.attach(
    __name__,
    submod_attrs={
        "bmff": ["media_end"],
        "errors": [
            "DamagedMedia", "InvalidSpherical", "MediaError", "NoVideoTrack", "NotAJpeg", "NotAnMp4",
            "SphericalMetadataError", "SphericalMismatch", "UnreadableMedia", "UnsupportedLayout",
        ],
        "frames": ["frame_writer", "read_frames"],
        "gpano": ["PanoInfo", "read_gpano"],
        "probe": ["Probe", "ffprobe_json", "header_size", "probe"],
        "spherical": [
            "STEREO_MODES", "VR180_BOUNDS", "CubemapFormat", "EquirectBounds", "Pose", "SphericalInfo",
            "inject_spherical", "read_spherical", "verify_spherical",
        ],
    },
)
