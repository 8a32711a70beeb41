"""Resumable footage uploads over tus 1.0.0: core, creation, checksum (sha256) and termination.

    OPTIONS /api/uploads          what this server speaks (Tus-Version, Tus-Extension, Tus-Max-Size)
    POST    /api/uploads          create: Upload-Length, Upload-Metadata (filename, category, ...)
    HEAD    /api/uploads/{id}     where to resume: Upload-Offset, Upload-Length
    PATCH   /api/uploads/{id}     bytes at Upload-Offset; optional Upload-Checksum: sha256 <base64>
    DELETE  /api/uploads/{id}     stop and forget the upload
    GET     /api/uploads/{id}     status as JSON: receiving, processing, done or failed, with a message

The bytes are streamed to disk as they arrive; the work is done by :class:`capture.upload.UploadStore`.
"""

from __future__ import annotations

import base64
import binascii
from collections.abc import AsyncIterator, Callable, Coroutine, Iterator
from typing import Annotated, Any

import anyio
import anyio.from_thread
from fastapi import APIRouter, BackgroundTasks, Depends, Request, Response
from pydantic import BaseModel
from starlette.exceptions import HTTPException

from capture.errors import CaptureError
from capture.store import FootageStore
from capture.upload import (
    CHECKSUM_ALGORITHMS, FAILED, PROCESSING, Checksum, ChecksumMismatch, NoSpace, OffsetMismatch, Upload, UploadBusy,
    UploadClosed, UploadGone, UploadNotFound, UploadStore, UploadTooLarge,
)
from headset_service.auth import require
from headset_service.deps import SettingsDep, UnitOfWorkRoute
from headset_service.errors import error_response

TUS_VERSION = "1.0.0"
TUS_EXTENSIONS = "creation,checksum,termination"
OCTET_STREAM = "application/offset+octet-stream"
METADATA_KEYS = ("filename", "category", "location", "team", "sha256")

# The HTTP status for each refusal; the nearest class wins.
_STATUS: dict[type[CaptureError], tuple[int, str | None]] = {
    UploadNotFound: (404, None),
    UploadGone: (410, "gone"),
    UploadClosed: (409, None),
    OffsetMismatch: (409, None),
    UploadBusy: (423, "locked"),
    UploadTooLarge: (413, None),
    NoSpace: (507, "insufficient_storage"),
    ChecksumMismatch: (460, "checksum_mismatch"),
}


def refusal(exc: CaptureError) -> Response:
    """One JSON error for a refused upload request, with the offset to resume from when known."""
    status, code = next((_STATUS[c] for c in type(exc).__mro__ if c in _STATUS), (400, None))
    offset = getattr(exc, "offset", None)
    headers = {"Upload-Offset": str(offset)} if offset is not None else None
    return error_response(status, exc.one_line(), {"offset": offset} if offset is not None else None, code, headers)


class TusRoute(UnitOfWorkRoute):
    """Checks ``Tus-Resumable`` on tus requests and sends it on every response, errors included."""

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handle = super().get_route_handler()

        async def tus_handler(request: Request) -> Response:
            if request.method not in {"OPTIONS", "GET"} and request.headers.get("tus-resumable") != TUS_VERSION:
                response: Response = error_response(
                    412, f"alleen tus-versie {TUS_VERSION} wordt ondersteund (header Tus-Resumable)",
                    code="precondition_failed", headers={"Tus-Version": TUS_VERSION},
                )
            else:
                try:
                    response = await handle(request)
                except CaptureError as exc:
                    response = refusal(exc)
                except HTTPException as exc:
                    exc.headers = {**(exc.headers or {}), "Tus-Resumable": TUS_VERSION}
                    raise
            response.headers["Tus-Resumable"] = TUS_VERSION
            return response

        return tus_handler


# Footage comes in through the communications team (and admin): every upload call checks the role.
router = APIRouter(prefix="/api/uploads", tags=["uploads"], route_class=TusRoute,
                   dependencies=[Depends(require("footage.upload"))])


def get_uploads(settings: SettingsDep) -> UploadStore:
    return UploadStore(settings.data_dir / "uploads", max_bytes=settings.max_footage_bytes)


UploadsDep = Annotated[UploadStore, Depends(get_uploads)]


class UploadPublic(BaseModel):
    id: str
    filename: str
    length: int
    offset: int
    status: str
    message: str | None
    footage_id: int | None
    category: str | None
    location: str | None
    team: str | None
    created_at: str
    updated_at: str


# -- reading tus headers ---------------------------------------------------------------------------

def _bad(message: str) -> HTTPException:
    return HTTPException(400, message)


def _count(request: Request, name: str) -> int:
    raw = request.headers.get(name)
    if raw is None or not (raw.isascii() and raw.isdigit()):  # isdigit() alone takes '²', int() then fails
        raise _bad(f"header {name} ontbreekt of is geen geheel getal ≥ 0")
    return int(raw)


def parse_metadata(header: str) -> dict[str, str]:
    """``Upload-Metadata``: comma-separated ``key base64value`` pairs (the value may be left out)."""
    found: dict[str, str] = {}
    for pair in filter(None, (p.strip() for p in header.split(","))):
        key, _, encoded = pair.partition(" ")
        if not key.isascii() or key in found:
            raise _bad(f"Upload-Metadata: sleutel '{key}' is ongeldig of dubbel")
        try:
            found[key] = base64.b64decode(encoded.strip(), validate=True).decode("utf-8")
        except (binascii.Error, UnicodeDecodeError):
            raise _bad(f"Upload-Metadata: de waarde van '{key}' is geen base64-gecodeerde UTF-8-tekst") from None
    return found


def parse_checksum(header: str | None) -> Checksum | None:
    """``Upload-Checksum: sha256 <base64 digest>``."""
    if header is None:
        return None
    algorithm, _, encoded = header.strip().partition(" ")
    if algorithm not in CHECKSUM_ALGORITHMS:
        raise _bad(f"Upload-Checksum: algoritme '{algorithm}' wordt niet ondersteund; gebruik {', '.join(CHECKSUM_ALGORITHMS)}")
    try:
        return Checksum(algorithm, base64.b64decode(encoded.strip(), validate=True))
    except binascii.Error:
        raise _bad("Upload-Checksum: de waarde is geen base64") from None


def _progress_headers(upload: Upload) -> dict[str, str]:
    headers = {"Upload-Offset": str(upload.offset), "Upload-Length": str(upload.length), "Cache-Control": "no-store"}
    if upload.metadata:
        headers["Upload-Metadata"] = upload.metadata
    return headers


# -- streaming the body to the writing thread ------------------------------------------------------

def _pulled(stream: AsyncIterator[bytes]) -> Iterator[bytes]:
    """A blocking iterator over an async one, for use in a worker thread (anyio.to_thread)."""
    async def pull() -> bytes | None:
        try:
            return await stream.__anext__()
        except StopAsyncIteration:
            return None

    while (chunk := anyio.from_thread.run(pull)) is not None:
        if chunk:
            yield chunk


# -- the endpoints ----------------------------------------------------------------------------------

@router.options("", status_code=204)
def capabilities(settings: SettingsDep) -> Response:
    return Response(status_code=204, headers={
        "Tus-Version": TUS_VERSION,
        "Tus-Extension": TUS_EXTENSIONS,
        "Tus-Max-Size": str(settings.max_footage_bytes),
        "Tus-Checksum-Algorithm": ",".join(CHECKSUM_ALGORITHMS),
    })


@router.post("", status_code=201)
def create_upload(request: Request, uploads: UploadsDep) -> Response:
    if "upload-defer-length" in request.headers:
        raise _bad("een upload zonder bekende lengte wordt niet ondersteund; stuur Upload-Length mee")
    length = _count(request, "Upload-Length")
    raw = request.headers.get("upload-metadata", "")
    meta = parse_metadata(raw)
    filename = meta.get("filename") or meta.get("name")  # 'name' is what some tus clients send
    if not filename:
        raise _bad("Upload-Metadata mist 'filename'")
    upload = uploads.create(
        length, filename, category=meta.get("category") or None, location=meta.get("location") or None,
        team=meta.get("team") or None, sha256=(meta.get("sha256") or "").lower() or None, metadata=raw,
    )
    location = str(request.url_for("upload_status", upload_id=upload.id))
    return Response(status_code=201, headers={"Location": location, "Upload-Offset": "0"})


@router.head("/{upload_id}")
def upload_offset(upload_id: str, uploads: UploadsDep) -> Response:
    upload = uploads.get(upload_id)
    if upload.status == FAILED:
        raise UploadGone(f"upload {upload_id} is mislukt: {upload.message}")
    return Response(status_code=200, headers=_progress_headers(upload))


@router.patch("/{upload_id}", status_code=204)
async def append_bytes(upload_id: str, request: Request, uploads: UploadsDep, settings: SettingsDep,
                       background: BackgroundTasks) -> Response:
    content_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if content_type != OCTET_STREAM:
        raise HTTPException(415, f"Content-Type moet {OCTET_STREAM} zijn")
    offset = _count(request, "Upload-Offset")
    checksum = parse_checksum(request.headers.get("upload-checksum"))
    chunks = _pulled(request.stream())  # pieces as they come off the socket, never the whole body
    upload = await anyio.to_thread.run_sync(uploads.append, upload_id, offset, chunks, checksum)
    if upload.status == PROCESSING:  # the last byte is in: check and take in after answering
        background.add_task(uploads.finish, upload.id, catalog=request.app.state.catalog,
                            footage=FootageStore(settings.store_dir))
    return Response(status_code=204, headers={"Upload-Offset": str(upload.offset)})


@router.delete("/{upload_id}", status_code=204)
def terminate_upload(upload_id: str, uploads: UploadsDep) -> Response:
    uploads.delete(upload_id)
    return Response(status_code=204)


@router.get("/{upload_id}", response_model=UploadPublic)
def upload_status(upload_id: str, uploads: UploadsDep) -> UploadPublic:
    """Where an upload stands; after the last byte: ``processing``, then ``done`` or ``failed`` with the reason."""
    return UploadPublic.model_validate(uploads.get(upload_id), from_attributes=True)
