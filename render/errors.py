"""Render errors, each naming the scene it concerns.

The whole error tree, with what each class means, is drawn once in :mod:`zorgblik.errors`.
"""

from zorgblik.errors import ZorgblikError


class RenderError(ZorgblikError):
    """A scene bundle cannot be built."""


class FootageMissing(RenderError):
    """A scene refers to footage the catalog does not know."""


class FootageNotReady(RenderError):
    """A scene refers to footage that must be prepared first (stitched, or delivered whole)."""


class LevelUnknown(RenderError):
    """A scene says ``level: auto`` but its footage has neither a pose in its metadata nor a level
    estimate read from its picture at capture."""


class OutputInvalid(RenderError):
    """The encoded output failed its check against the plan."""


class StoreUnreachable(RenderError):
    """The render store (``build --store URL``) cannot be reached, read or written."""


class StoreIncomplete(RenderError):
    """A file taken from the render store is missing or did not arrive whole (its sha256 differs)."""
