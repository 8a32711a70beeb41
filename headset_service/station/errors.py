"""Station errors::

    ZorgblikError
    └── StationError        the station cannot go on (service unreachable, bad pairing code)
        └── NoRuntime       no OpenXR runtime on this PC
"""

from __future__ import annotations

from zorgblik.errors import ZorgblikError


class StationError(ZorgblikError):
    """The station cannot go on."""


class NoRuntime(StationError):
    exit_code = 3

    def __init__(self) -> None:
        super().__init__("geen OpenXR-runtime gevonden: dit station kan geen headset aansturen",
                         hint="installeer en start SteamVR, Meta Quest Link of Monado (monado-service) en probeer opnieuw")
