"""The station player: a PC with a tethered headset (SteamVR, Meta Quest Link, Monado) that
speaks the same protocol as the WebXR player. The parts that need no headset live here and are
tested in CI; :mod:`headset_service.station.xr` opens OpenXR only when a runtime exists.

    sync      SyncClient: pair, manifest (ETag), files with Range resume and sha256, inventory;
              CommandFeed: the command channel polled in a background thread
    views     sphere geometry, per-eye projection and view matrices from OpenXR fov and pose
    session   Session: the command state machine; EventLog: events with an offline queue
    playback  the frame loop's pure decisions: texture size, video clock, recenter, loop steps
    media     a bundle's media as RGB frames from ffmpeg through a pipe, decoded ahead in a thread
    xr        open_instance() (NoRuntime without a runtime) and run(): the OpenXR frame loop
"""

from headset_service.station.errors import NoRuntime, StationError
from headset_service.station.session import EventLog, Session
from headset_service.station.sync import SyncClient

__all__ = ["EventLog", "NoRuntime", "Session", "StationError", "SyncClient"]
