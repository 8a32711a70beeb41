"""Media errors: a photo or clip that cannot be read, or whose 360° metadata cannot be read,
written or confirmed. Every failure on a bad file is one of these (or a ToolError when ffmpeg
itself is missing or fails), never a bare ``struct.error``.

The whole error tree, with what each class means, is drawn once in :mod:`zorgblik.errors`.
"""

from __future__ import annotations

from zorgblik.errors import ZorgblikError


class MediaError(ZorgblikError):
    """A photo or clip cannot be read, or its 360° metadata cannot be read, written or confirmed."""


class UnreadableMedia(MediaError):
    """A photo or clip cannot be read: empty, truncated, not a video or photo, or sound only."""


class SphericalMetadataError(MediaError):
    """Spherical metadata cannot be read, written or confirmed."""


class NotAnMp4(SphericalMetadataError):
    """The file is not an MP4 / MOV (ISO-BMFF) file."""


class NotAJpeg(SphericalMetadataError):
    """The file is not a JPEG photo."""


class DamagedMedia(SphericalMetadataError):
    """The file's structure is broken: truncated, or garbage where boxes should be."""


class NoVideoTrack(SphericalMetadataError):
    """The MP4 holds no video track to mark as spherical."""


class UnsupportedLayout(SphericalMetadataError):
    """A valid file whose layout this module does not rewrite."""


class InvalidSpherical(SphericalMetadataError, ValueError):
    """An argument that cannot be written: unknown stereo mode, pose out of range."""


class SphericalMismatch(SphericalMetadataError):
    """After writing, the metadata is missing, or our reader and ffprobe disagree."""


def damaged(where: str, what: str, *, photo: bool = False) -> DamagedMedia:
    """The DamagedMedia for a broken box or segment structure, saying ``what`` is broken."""
    source = "de foto" if photo else "de video"
    return DamagedMedia(
        f"{source} is beschadigd of onvolledig: {what}",
        where=where,
        hint="kopieer het bestand opnieuw van de camera of exporteer het opnieuw",
    )
