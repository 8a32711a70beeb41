"""Capture errors: a file that cannot be taken in, with what to do about it::

    CaptureError (ZorgblikError)
    ├── UnreadableMedia      empty, truncated, not a video or photo, audio only
    ├── NotPanoramic         a picture, but not 360°
    └── RejectedName         a name or extension that does not fit
"""

from zorgblik.errors import ZorgblikError


class CaptureError(ZorgblikError):
    """A footage file cannot be taken in; nothing was stored."""


class UnreadableMedia(CaptureError):
    """Empty, truncated, not a video or photo, or sound only."""


class NotPanoramic(CaptureError):
    """A picture, but not a 360° one."""


class RejectedName(CaptureError):
    """A file name or extension that does not fit its content."""
