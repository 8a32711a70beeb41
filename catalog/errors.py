"""Catalog errors: the catalog refuses a change or cannot find what was asked for.

The whole error tree, with what each class means, is drawn once in :mod:`zorgblik.errors`.
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


class ApprovalRequired(Conflict):
    """A script's profile lacks a current approval from the school side or the practice side;
    :attr:`sides` names the missing ones."""

    def __init__(self, message: str, *, sides: list[str], hint: str | None = None):
        super().__init__(message, hint=hint)
        self.sides = sides


class Misfit(Conflict):
    """A scene does not fit a playlist's context or audience, or an item's setting does not fit
    its scene; the message is the reason, in Dutch, as staff read it."""
