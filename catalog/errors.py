"""Catalog errors::

    CatalogError (ZorgblikError)
    └── NotFound        no row with that id or key
"""

from zorgblik.errors import ZorgblikError


class CatalogError(ZorgblikError):
    """The catalog refuses a change or cannot find what was asked for."""


class NotFound(CatalogError):
    """No row with that id or key."""
