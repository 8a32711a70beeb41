"""Capture errors: a file that cannot be taken in, with what to do about it::

    CaptureError (ZorgblikError)
    ├── UnreadableMedia      empty, truncated, not a video or photo, audio only
    ├── NotPanoramic         a picture, but not 360°
    ├── LayoutNotSupported   360°, but a layout capture cannot use yet (VR180, cubemap, …)
    ├── RejectedName         a name or extension that does not fit
    ├── TooLarge             over the size limit (setting max_footage_bytes)
    └── ConsentError         a consent record that cannot be made or changed

(capture.stitch adds StitchError under CaptureError.)
"""

from zorgblik.errors import ZorgblikError


class CaptureError(ZorgblikError):
    """A footage file cannot be taken in; nothing was stored."""


class UnreadableMedia(CaptureError):
    """Empty, truncated, not a video or photo, or sound only."""


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
