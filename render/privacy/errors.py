"""Privacy errors, each naming the file it concerns and what to do.

The whole error tree, with what each class means, is drawn once in :mod:`zorgblik.errors`.
A photo or clip that cannot be read raises :class:`zorgblik.media.errors.UnreadableMedia`, as in capture.
"""

from zorgblik.errors import ZorgblikError


class PrivacyError(ZorgblikError):
    """Faces cannot be found or blurred, or the blurred result cannot be written."""


class ModelMissing(PrivacyError):
    """The face-detection model is not installed."""


class NotEquirect(PrivacyError):
    """The footage is not a 2:1 equirectangular frame."""
