"""Capture errors: a file that cannot be taken in, with what to do about it.

The whole error tree, with what each class means, is drawn once in :mod:`zorgblik.errors`. A
photo or clip that cannot be read at all is :class:`zorgblik.media.errors.UnreadableMedia`.
"""

from zorgblik.errors import ZorgblikError


class CaptureError(ZorgblikError):
    """A footage file cannot be taken in; nothing was stored."""


class NotPanoramic(CaptureError):
    """A picture, but not a 360° one."""


class LayoutNotSupported(CaptureError):
    """A 360° layout that capture recognises but does not take in yet."""


class RejectedName(CaptureError):
    """A file name or extension that does not fit its content."""


class TooLarge(CaptureError):
    """A file larger than the setting ``max_footage_bytes`` allows."""


class ConsentError(CaptureError):
    """A consent record that cannot be made or changed as asked."""


class StitchError(CaptureError):
    """A dual-fisheye capture cannot be stitched: its calibration, rig or pixels do not fit."""
