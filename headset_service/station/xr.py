"""OpenXR on the station. Only :func:`open_instance` is here so far: it turns pyopenxr's
``RuntimeUnavailableError`` into :class:`NoRuntime`, so the CLI says in one line what to install.
The frame loop (OpenGL context, swapchains, drawing :func:`views.sphere` per eye) is still to come."""

from __future__ import annotations

import os

from headset_service.station.errors import NoRuntime, StationError


def open_instance():
    """An OpenXR instance for the station, or :class:`NoRuntime` when this PC has no runtime."""
    os.environ.setdefault("XR_LOADER_DEBUG", "none")  # the loader's own lines would drown ours
    import xr

    try:
        return xr.create_instance(xr.InstanceCreateInfo(
            application_info=xr.ApplicationInfo(application_name="zorgblik station", engine_name="zorgblik")))
    except xr.exception.RuntimeUnavailableError as e:
        raise NoRuntime() from e
    except xr.exception.XrException as e:
        raise StationError(f"OpenXR start niet: {e}", hint="start de runtime (SteamVR, Meta Quest Link, Monado) opnieuw") from e
