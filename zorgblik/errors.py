"""The root of every zorgblik error.

Each package draws its own tree under :class:`ZorgblikError`::

    ZorgblikError
    ├── ToolError                 zorgblik.tools: ffmpeg / ffprobe missing or failing
    ├── scripts_vr.ScriptError    a VR script cannot be read or is wrong
    ├── capture.CaptureError      a footage file cannot be taken in
    ├── render.RenderError        a scene bundle cannot be built
    └── catalog.CatalogError      the database refuses a change

An error carries *what* went wrong, *where* (a file:line, a scene, a headset) and *what to
do*. The boundaries translate it once: the CLI into one line and an exit code, the service
into one JSON error shape.
"""

from __future__ import annotations


class ZorgblikError(Exception):
    """An error a user can act on."""

    exit_code = 1

    def __init__(self, message: str, *, where: str | None = None, hint: str | None = None):
        super().__init__(message)
        self.message = message
        self.where = where
        self.hint = hint

    def one_line(self) -> str:
        """``where: message (hint)``, the form the CLI prints."""
        text = f"{self.where}: {self.message}" if self.where else self.message
        if self.hint:
            text = f"{text} — {self.hint}"
        return text

    def __str__(self) -> str:
        return self.one_line()


class ToolError(ZorgblikError):
    """An external tool (ffmpeg, ffprobe) is missing or failed."""
