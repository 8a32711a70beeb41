"""The root of every zorgblik error, and the whole tree under it, drawn once.

Every class below :class:`ZorgblikError` has its line here: its name (indented under its
parent), the module that defines it, and what it means. tests/zorgblik/test_error_tree.py walks
the subclasses and fails when the drawing and the code differ::

    ZorgblikError                  zorgblik.errors                 an error a user can act on
    ├── ToolError                  zorgblik.errors                 ffmpeg / ffprobe missing or failing
    ├── BundleFormatError          zorgblik.bundle                 a bundle's manifest is not in the current format
    ├── MediaError                 zorgblik.media.errors           a photo or clip cannot be read, or its 360° metadata
    │   ├── UnreadableMedia        zorgblik.media.errors           a photo or clip cannot be read: empty, truncated
    │   └── SphericalMetadataError zorgblik.media.errors           360° metadata cannot be read, written or confirmed
    │       ├── NotAnMp4           zorgblik.media.errors           not an MP4 / MOV (ISO-BMFF) file
    │       ├── NotAJpeg           zorgblik.media.errors           not a JPEG photo
    │       ├── DamagedMedia       zorgblik.media.errors           broken structure: truncated, garbage for boxes
    │       ├── NoVideoTrack       zorgblik.media.errors           an MP4 without a video track to mark
    │       ├── UnsupportedLayout  zorgblik.media.errors           a valid file whose layout is not rewritten
    │       ├── InvalidSpherical   zorgblik.media.errors           an argument that cannot be written (a ValueError)
    │       └── SphericalMismatch  zorgblik.media.errors           after writing: missing, or ffprobe disagrees
    ├── ScriptError                scripts_vr.errors               a VR script cannot be used
    │   ├── ScriptUnreadable       scripts_vr.errors               not a script at all: missing, binary, not YAML
    │   ├── ScriptInvalid          scripts_vr.errors               YAML, but wrong: carries every Problem
    │   └── ScriptExists           scripts_vr.errors               ``script new`` would overwrite a file
    ├── CatalogError               catalog.errors                  the catalog refuses a change or finds nothing
    │   ├── NotFound               catalog.errors                  no row with that id or key
    │   ├── Conflict               catalog.errors                  does not fit the state: name taken, session stopped
    │   │   ├── SignoffRequired    catalog.errors                  publishing waits for the review sheet's sign-off
    │   │   ├── ApprovalRequired   catalog.errors                  publishing waits for both sides' profile approval
    │   │   └── Misfit             catalog.errors                  a scene does not fit a playlist, a setting its scene
    │   ├── AccountError           catalog.accounts                a staff account cannot be made or changed
    │   └── OutcomeError           catalog.outcomes                an enrolment outcome cannot be recorded as given
    ├── CaptureError               capture.errors                  a footage file cannot be taken in; nothing was stored
    │   ├── NotPanoramic           capture.errors                  a picture, but not 360°
    │   ├── LayoutNotSupported     capture.errors                  360°, but a layout not taken in yet (VR180, stereo cube)
    │   ├── RejectedName           capture.errors                  a name or extension that does not fit
    │   ├── TooLarge               capture.errors                  over the size limit (setting max_footage_bytes)
    │   ├── ConsentError           capture.errors                  a consent record that cannot be made or changed
    │   ├── StitchError            capture.errors                  dual-fisheye cannot be stitched: lens, rig or pixels
    │   └── UploadError            capture.upload                  an upload request cannot be honoured (with offset)
    │       ├── UploadNotFound     capture.upload                  no upload with this id (never made, or expired)
    │       ├── UploadGone         capture.upload                  the upload failed; start a new one
    │       ├── UploadClosed       capture.upload                  all bytes are in; nothing more is taken
    │       ├── UploadBusy         capture.upload                  another request is writing to this upload right now
    │       ├── UploadTooLarge     capture.upload                  over the size limit, or more bytes than announced
    │       ├── NoSpace            capture.upload                  the data folder's disk cannot hold the file
    │       ├── OffsetMismatch     capture.upload                  the client's offset is not the stored one
    │       ├── ChecksumMismatch   capture.upload                  a piece does not match its checksum; it was discarded
    │       ├── UploadInterrupted  capture.upload                  the piece was cut off mid-way
    │       └── UploadCorrupt      capture.upload                  the whole file does not match its sha256
    ├── RenderError                render.errors                   a scene bundle cannot be built
    │   ├── FootageMissing         render.errors                   a scene's footage is not in the catalog or store
    │   ├── FootageNotReady        render.errors                   footage to prepare first (stitch, deliver whole)
    │   ├── LevelUnknown           render.errors                   level: auto, but nothing is known of how the camera stood
    │   ├── OutputInvalid          render.errors                   the encoded output fails its check against the plan
    │   ├── StoreUnreachable       render.errors                   the render store (--store URL) cannot be reached or written
    │   └── StoreIncomplete        render.errors                   a result taken from the render store did not arrive whole
    ├── PrivacyError               render.privacy.errors           faces cannot be found, blurred, or written out
    │   ├── ModelMissing           render.privacy.errors           the face model is not installed (never downloaded)
    │   └── NotEquirect            render.privacy.errors           not a 2:1 frame: no directions on the sphere
    ├── ServiceError               headset_service.server          the service could not start (no free port)
    ├── DeployError                headset_service.nginx           a deployment setting that cannot work (file sender, port)
    ├── StationError               headset_service.station.errors  the station cannot go on (service gone, bad code)
    │   └── NoRuntime              headset_service.station.errors  no OpenXR runtime on this PC (exit 3)
    └── DemoError                  cli.demo_steps                  the demo could not run

An error carries *what* went wrong, *where* (a file:line, a scene, a headset) and *what to
do*. The boundaries translate it once: the CLI into one line and an exit code, the service
into one JSON error shape.

Outside the tree, on purpose: three exceptions of the service are ways to answer a request, not
errors to act on. ``headset_service.limits.BodyTooLarge`` is Starlette's HTTPException (413),
so FastAPI's handlers answer it in the one error shape; ``headset_service.web.rendering``'s
``LoginRequired`` (a redirect to /inloggen) and ``PageForbidden`` (the Dutch 403 page) are
caught by their own page handlers.
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
