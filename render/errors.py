"""Render errors, each naming the scene it concerns::

    RenderError (ZorgblikError)
    ├── FootageMissing     a scene's footage is not in the catalog or store
    ├── FootageNotReady    footage render cannot use as it is (dual-fisheye not stitched, cropped)
    └── OutputInvalid      the encoded output does not match what was asked (probe check)
"""

from zorgblik.errors import ZorgblikError


class RenderError(ZorgblikError):
    """A scene bundle cannot be built."""


class FootageMissing(RenderError):
    """A scene refers to footage the catalog does not know."""


class FootageNotReady(RenderError):
    """A scene refers to footage that must be prepared first (stitched, or delivered whole)."""


class OutputInvalid(RenderError):
    """The encoded output failed its check against the plan."""
