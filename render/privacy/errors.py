"""Privacy errors, each naming the file it concerns and what to do::

    PrivacyError (ZorgblikError)
    ├── ModelMissing        the face model is not installed (no download at run time)
    ├── MediaUnreadable     a photo or clip cannot be read as an equirectangular frame
    └── NotEquirect         the frame is not 2:1, so directions on the sphere mean nothing
"""

from zorgblik.errors import ZorgblikError


class PrivacyError(ZorgblikError):
    """Faces cannot be found or blurred."""


class ModelMissing(PrivacyError):
    """The face-detection model is not installed."""


class MediaUnreadable(PrivacyError):
    """A photo or clip cannot be read."""


class NotEquirect(PrivacyError):
    """The footage is not a 2:1 equirectangular frame."""
