"""Headset profiles: every encoding choice for one kind of headset, declared in one place.

Limits follow Meta's published guidance (verify on devices): Quest 2 hardware-decodes H.264
up to 4096×2048 at 60 fps or 5760×2880 at 30 fps with level-5.2-compliant motion vectors
(``mvrange=511``); Quest 3 decodes 8K H.265; Pico 4 has no published limit and is treated as a
Quest 2 until measured; ``web`` is for the classroom laptop and projector.
"""

from __future__ import annotations

from dataclasses import dataclass, replace


@dataclass(frozen=True)
class SizeLimit:
    width: int
    height: int
    max_fps: float


@dataclass(frozen=True)
class HeadsetProfile:
    name: str
    description: str
    encoder: str  # ffmpeg encoder
    codec: str  # what ffprobe reports for the output
    level: str
    sizes: tuple[SizeLimit, ...]  # the largest frames the device decodes, at most at these rates
    encoder_params: str  # -x264-params / -x265-params
    crf: int
    maxrate_kbps: int
    keyframe_s: float = 1.0
    max_photo_width: int = 4096
    audio_rate: int = 48000
    audio_kbps: int = 192
    loudness_lufs: float = -23.0  # EBU R128

    def fit(self, width: int, height: int, fps: float) -> tuple[int, int]:
        """The output size: the source size, scaled down (never up) to fit this profile at ``fps``."""
        limits = [s for s in self.sizes if fps <= s.max_fps + 0.01] or [min(self.sizes, key=lambda s: s.max_fps)]
        best = (0, 0)
        for limit in limits:
            scale = min(1.0, limit.width / width, limit.height / height)
            size = (_even(width * scale), _even(height * scale))
            if size[0] * size[1] > best[0] * best[1]:
                best = size
        return best

    def fit_photo(self, width: int, height: int) -> tuple[int, int]:
        scale = min(1.0, self.max_photo_width / width)
        return _even(width * scale), _even(height * scale)

    def gop(self, fps: float) -> int:
        return max(1, round(fps * self.keyframe_s))


def _even(x: float) -> int:
    return max(2, int(x) // 2 * 2)


QUEST2 = HeadsetProfile(
    name="quest2",
    description="Meta Quest 2: H.264, ≤ 4096×2048 @ 60 of 5760×2880 @ 30",
    encoder="libx264",
    codec="h264",
    level="5.2",
    sizes=(SizeLimit(4096, 2048, 60), SizeLimit(5760, 2880, 30)),
    encoder_params="mvrange=511",
    crf=20,
    maxrate_kbps=60_000,
)

PROFILES: dict[str, HeadsetProfile] = {
    p.name: p
    for p in (
        QUEST2,
        HeadsetProfile(
            name="quest3",
            description="Meta Quest 3: H.265, tot 8K",
            encoder="libx265",
            codec="hevc",
            level="6.1",
            sizes=(SizeLimit(8192, 4096, 60),),
            encoder_params="log-level=error",
            crf=22,
            maxrate_kbps=100_000,
            max_photo_width=8192,
        ),
        # No published decoder limits: the Quest 2's, until it is measured on a device.
        replace(QUEST2, name="pico4", description="Pico 4: als Quest 2 tot er gemeten is"),
        HeadsetProfile(
            name="web",
            description="laptop en digibord in de klas: H.264, ≤ 3840×1920",
            encoder="libx264",
            codec="h264",
            level="5.1",
            sizes=(SizeLimit(3840, 1920, 60),),
            encoder_params="",
            crf=21,
            maxrate_kbps=30_000,
        ),
    )
}


#: What ``zorgblik build`` encodes when no ``--profile`` is given: the Quest 2 rendition (which
#: Pico 4 plays too) and the classroom one. Every extra rung is another full encode, and a
#: 2-core school server feels each one; ask for quest3 or pico4 by name.
DEFAULT_PROFILES: tuple[str, ...] = ("quest2", "web")


def get_profile(name: str) -> HeadsetProfile:
    from render.errors import RenderError

    try:
        return PROFILES[name]
    except KeyError:
        raise RenderError(f"onbekend headsetprofiel '{name}'", hint="kies uit " + ", ".join(PROFILES)) from None
