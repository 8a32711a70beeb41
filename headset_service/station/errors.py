"""Station errors: the station cannot go on.

The whole error tree, with what each class means, is drawn once in :mod:`zorgblik.errors`.
"""

from __future__ import annotations

from zorgblik.errors import ZorgblikError


class StationError(ZorgblikError):
    """The station cannot go on."""


class NoRuntime(StationError):
    """No OpenXR runtime on this PC: the station cannot drive a headset."""

    exit_code = 3

    def __init__(self) -> None:
        super().__init__("geen OpenXR-runtime gevonden: dit station kan geen headset aansturen",
                         hint="installeer en start SteamVR, Meta Quest Link of Monado (monado-service) en probeer opnieuw")
