"""Catalog errors::

    CatalogError (ZorgblikError)
    ├── NotFound        no row with that id or key
    └── Conflict        the change does not fit the current state (a name taken, a session stopped)
        ├── SignoffRequired  publishing waits for a person to sign the privacy review sheet off
        └── Misfit           a scene does not fit a playlist (its context or audience), or an item's
                             setting does not fit its scene (photo seconds on a video)
"""

from zorgblik.errors import ZorgblikError


class CatalogError(ZorgblikError):
    """The catalog refuses a change or cannot find what was asked for."""


class NotFound(CatalogError):
    """No row with that id or key."""


class Conflict(CatalogError):
    """The change does not fit the current state: a name already taken, a stopped session."""


class SignoffRequired(Conflict):
    """A scene version shows someone without consent and nobody signed its review sheet off."""


class Misfit(Conflict):
    """A scene does not fit a playlist's context or audience, or an item's setting does not fit
    its scene; the message is the reason, in Dutch, as staff read it."""
