"""Resumable uploads: a large footage file arrives in pieces and becomes footage only when whole.

One folder per upload, under the data folder::

    uploads/<id>/state.json     what is known (length, offset, status, metadata); replaced atomically
    uploads/<id>/data           the bytes received so far; bytes past the stored offset do not count
    uploads/<id>/.lock          held (flock) while one request writes to the upload

The state file is the truth. Bytes are written and flushed first, then the offset moves; a crash
in between leaves extra bytes that the next append cuts off. When the last byte has arrived the
upload is ``processing``: no more bytes are taken, :meth:`UploadStore.finish` checks the whole
file (its size, and its sha256 when the client gave one) and only then hands it to
:func:`capture.ingest.add_footage`. A refusal ends the upload ``failed`` with its reason, and
the received bytes are removed; a partial file never becomes footage.

Its errors (:class:`UploadError` and the classes under it, drawn in :mod:`zorgblik.errors`) each
carry the offset the client should resume from where that is known.
"""

from __future__ import annotations

import fcntl
import hashlib
import json
import os
import re
import secrets
import shutil
import tempfile
import time
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass, replace
from datetime import datetime, timedelta, timezone
from pathlib import Path

from capture.errors import CaptureError
from capture.ingest import add_footage, check_name
from capture.store import FootageStore
from catalog import Catalog
from zorgblik.errors import ZorgblikError
from zorgblik.private import FILE_MODE, FOLDER_MODE, private_dir
from zorgblik.terms import UPLOAD_STATES

RECEIVING, PROCESSING, DONE, FAILED = UPLOAD_STATES  # the words, in the order terms declares them
CHECKSUM_ALGORITHMS = ("sha256",)
LOCK_WAIT_S = 5.0
_ID = re.compile(r"[0-9a-f]{32}")
_READ = 1 << 20


class UploadError(CaptureError):
    """A request on an upload cannot be honoured."""

    def __init__(self, message: str, *, offset: int | None = None, hint: str | None = None):
        super().__init__(message, hint=hint)
        self.offset = offset


class UploadNotFound(UploadError):
    """No upload with this id: never made, removed or expired."""


class UploadGone(UploadError):
    """The upload failed; its bytes are gone: start a new one."""


class UploadClosed(UploadError):
    """All bytes are in; the upload takes no more."""


class UploadBusy(UploadError):
    """Another request is writing to this upload."""


class UploadTooLarge(UploadError):
    """Over the size limit, or more bytes than the upload announced."""


class NoSpace(UploadError):
    """The data folder's disk cannot hold the file."""


class OffsetMismatch(UploadError):
    """The client's offset is not the stored one."""


class ChecksumMismatch(UploadError):
    """A piece does not match its checksum; it was discarded."""


class UploadInterrupted(UploadError):
    """The piece was cut off mid-way; what arrived was kept (or discarded when a checksum could not
    be verified)."""


class UploadCorrupt(UploadError):
    """The whole file does not match the sha256 the client gave."""


@dataclass(frozen=True)
class Checksum:
    """A checksum of one piece, as the client sent it: ``Checksum("sha256", digest_bytes)``."""

    algorithm: str
    digest: bytes


@dataclass(frozen=True)
class Upload:
    id: str
    filename: str
    length: int
    offset: int
    status: str
    created_at: str
    updated_at: str
    category: str | None = None
    location: str | None = None
    team: str | None = None
    sha256: str | None = None  # of the whole file, when the client gave it
    metadata: str = ""  # the client's metadata as it sent it, echoed back on request
    message: str | None = None  # Dutch, one line: why it failed, or what it became
    footage_id: int | None = None


def check_upload_name(filename: str) -> str:
    """``filename`` when it is a plain footage file name; no folders, no way out of one."""
    bad = (
        not filename
        or len(filename.encode()) > 255
        or ".." in filename
        or any(c in filename for c in "/\\")
        or any(ord(c) < 32 for c in filename)
    )
    if bad:
        raise UploadError(
            f"ongeldige bestandsnaam '{filename}'",
            hint="geef alleen de naam van het bestand, zonder map en zonder '..'",
        )
    check_name(Path(filename))  # refuses unsupported extensions before any byte is sent
    return filename


def _now() -> datetime:
    return datetime.now(timezone.utc)


def _reason(exc: ZorgblikError) -> str:
    """The one Dutch line for the uploader: what and what to do, without server paths."""
    return f"{exc.message} — {exc.hint}" if exc.hint else exc.message


class UploadStore:
    """Uploads in progress under ``root``; ``max_bytes`` is the largest file taken."""

    def __init__(self, root: Path, *, max_bytes: int, lock_wait: float = LOCK_WAIT_S):
        self.root = Path(root)
        self.max_bytes = max_bytes
        self.lock_wait = lock_wait  # seconds a request waits for another one on the same upload

    # -- creating and reading ------------------------------------------------------------------

    def create(
        self,
        length: int,
        filename: str,
        *,
        category: str | None = None,
        location: str | None = None,
        team: str | None = None,
        sha256: str | None = None,
        metadata: str = "",
    ) -> Upload:
        """A new, empty upload of ``length`` bytes."""
        check_upload_name(filename)
        if length <= 0:
            raise UploadError("een leeg bestand is geen opname", hint="kies het bestand opnieuw")
        if length > self.max_bytes:
            raise UploadTooLarge(
                f"het bestand is {length} bytes; de grens is {self.max_bytes} bytes",
                hint="kort de opname in of vraag de beheerder de grens (max_footage_bytes) te verhogen",
            )
        if sha256 is not None and not re.fullmatch(r"[0-9a-f]{64}", sha256):
            raise UploadError("sha256 moet 64 hexadecimale tekens zijn", hint="laat hem weg of geef hem volledig")
        private_dir(self.root)  # footage on its way in: the service user's only
        free = shutil.disk_usage(self.root).free
        if free < length:
            raise NoSpace(
                f"er is {free} bytes vrij op de server; het bestand is {length} bytes",
                hint="maak ruimte vrij in de datamap of vraag de beheerder",
            )
        upload_id = secrets.token_hex(16)
        folder = self.root / upload_id
        folder.mkdir(FOLDER_MODE)
        (folder / "data").touch(FILE_MODE)
        stamp = _now().isoformat()
        upload = Upload(
            id=upload_id, filename=filename, length=length, offset=0, status=RECEIVING,
            created_at=stamp, updated_at=stamp, category=category, location=location, team=team,
            sha256=sha256, metadata=metadata,
        )
        return self._save(upload)

    def get(self, upload_id: str) -> Upload:
        state = self._folder(upload_id) / "state.json"
        try:
            return Upload(**json.loads(state.read_text(encoding="utf-8")))
        except FileNotFoundError:
            raise UploadNotFound(f"upload {upload_id} bestaat niet (meer)", hint="begin een nieuwe upload") from None

    # -- receiving bytes -----------------------------------------------------------------------

    def append(self, upload_id: str, offset: int, chunks: Iterable[bytes], checksum: Checksum | None = None) -> Upload:
        """Write ``chunks`` at ``offset``; the upload as stored afterwards.

        Without a checksum, a source that breaks off (raises) keeps what arrived before the
        break, and :class:`UploadInterrupted` says the new offset. With a checksum, the piece
        counts only when it arrived whole and matches; otherwise the offset does not move.
        """
        if checksum is not None and checksum.algorithm not in CHECKSUM_ALGORITHMS:
            raise UploadError(
                f"checksum-algoritme '{checksum.algorithm}' wordt niet ondersteund",
                hint=f"gebruik {', '.join(CHECKSUM_ALGORITHMS)}",
            )
        self._check_open(self.get(upload_id))  # refuse quickly, without waiting for the lock
        with self._locked(upload_id):
            upload = self._check_open(self.get(upload_id))
            if offset != upload.offset:
                raise OffsetMismatch(
                    f"de upload staat op byte {upload.offset}, niet op {offset}",
                    offset=upload.offset,
                    hint="vraag de positie op (HEAD) en ga vanaf daar verder",
                )
            received, cut = self._write(upload, chunks, checksum)
            upload = replace(
                upload,
                offset=upload.offset + received,
                updated_at=_now().isoformat(),
                status=PROCESSING if upload.offset + received == upload.length else RECEIVING,
            )
            self._save(upload)
        if cut is not None:
            raise UploadInterrupted(
                f"het verzenden werd afgebroken; de upload staat op byte {upload.offset}",
                offset=upload.offset,
                hint="ga vanaf die positie verder",
            ) from cut
        return upload

    def _write(self, upload: Upload, chunks: Iterable[bytes], checksum: Checksum | None) -> tuple[int, Exception | None]:
        """Bytes written at the upload's offset and flushed, and what cut the source off."""
        room = upload.length - upload.offset
        digest = hashlib.new(checksum.algorithm) if checksum else None
        received = 0
        cut: Exception | None = None
        source: Iterator[bytes] = iter(chunks)
        with open(self._folder(upload.id) / "data", "r+b", buffering=0) as out:  # unbuffered: on disk as it arrives
            try:
                out.truncate(upload.offset)  # bytes past the offset came from a write that never counted
                out.seek(upload.offset)
                while True:
                    try:
                        chunk = next(source)
                    except StopIteration:
                        break
                    except Exception as exc:  # the connection broke: keep what arrived
                        cut = exc
                        break
                    if received + len(chunk) > room:
                        raise UploadTooLarge(
                            f"meer bytes dan aangekondigd: er passen nog {room} bytes in deze upload",
                            offset=upload.offset,
                            hint="stuur alleen de rest van het bestand",
                        )
                    view = memoryview(chunk)
                    while view:
                        view = view[out.write(view):]
                    received += len(chunk)
                    if digest is not None:
                        digest.update(chunk)
                if digest is not None and checksum is not None and cut is None and digest.digest() != checksum.digest:
                    raise ChecksumMismatch(
                        "het stuk kwam beschadigd aan en is weggegooid",
                        offset=upload.offset,
                        hint="stuur het stuk opnieuw",
                    )
                if digest is not None and cut is not None:
                    received = 0  # a cut-off piece cannot be checked, so it does not count
                out.truncate(upload.offset + received)
                os.fsync(out.fileno())
            except BaseException:
                out.truncate(upload.offset)
                raise
        return received, cut

    # -- finishing ------------------------------------------------------------------------------

    def finish(self, upload_id: str, *, catalog: Catalog, footage: FootageStore) -> Upload:
        """Check the complete file and take it in as footage; the upload ends ``done`` or ``failed``.

        A file capture refuses (not 360°, unreadable, wrong sha256) ends ``failed`` with the
        reason in ``message``, and its bytes are removed. Any other error leaves the upload
        ``processing`` with its bytes in place, so that ``finish`` can be run again.
        """
        with self._locked(upload_id):
            upload = self.get(upload_id)
            if upload.status != PROCESSING:
                return upload
            folder = self._folder(upload_id)
            named = folder / "complete" / upload.filename  # add_footage reads the name and extension
            if (folder / "data").exists():
                named.parent.mkdir(FOLDER_MODE, exist_ok=True)
                os.replace(folder / "data", named)
            try:
                self._verify(upload, named)
                ingested = add_footage(
                    named, catalog=catalog, store=footage,
                    category=upload.category, location=upload.location, team=upload.team,
                )
            except ZorgblikError as exc:
                self._discard_bytes(folder)
                return self._save(replace(upload, status=FAILED, message=_reason(exc), updated_at=_now().isoformat()))
            self._discard_bytes(folder)
            footage_id = ingested.footage.id
            message = (f"opgenomen als footage {footage_id}" if ingested.created
                       else f"deze opname stond er al in (footage {footage_id})")
            return self._save(replace(upload, status=DONE, footage_id=footage_id, message=message,
                                      updated_at=_now().isoformat()))

    def recover(self, *, catalog: Catalog, footage: FootageStore) -> list[Upload]:
        """Finish the uploads a dead process left ``processing``; each as it ended.

        A kill between the last byte and the end of :meth:`finish` would otherwise leave the
        upload stuck (no more bytes taken, DELETE refused). Its bytes are kept and checked as
        any finish does; without them it ends ``failed`` with the reason. One a live process is
        finishing right now (its lock is held) is left to that process.
        """
        recovered = []
        for folder in sorted(self.root.iterdir()) if self.root.is_dir() else []:
            if not _ID.fullmatch(folder.name):
                continue
            try:
                if self.get(folder.name).status == PROCESSING:
                    recovered.append(self.finish(folder.name, catalog=catalog, footage=footage))
            except (UploadBusy, UploadNotFound):
                continue
        return recovered

    def _verify(self, upload: Upload, data: Path) -> None:
        if not data.exists():  # removed while the service was down
            raise UploadCorrupt("de ontvangen bytes zijn verloren gegaan toen de dienst stopte",
                                hint="upload het bestand opnieuw")
        size = data.stat().st_size
        if size != upload.length:
            raise UploadCorrupt(f"er kwamen {size} van de {upload.length} bytes aan", hint="upload het bestand opnieuw")
        if upload.sha256 is None:
            return
        digest = hashlib.sha256()
        with open(data, "rb") as f:
            while block := f.read(_READ):
                digest.update(block)
        if digest.hexdigest() != upload.sha256:
            raise UploadCorrupt(
                "het ontvangen bestand klopt niet met de opgegeven sha256",
                hint="upload het bestand opnieuw; blijft dit gebeuren, controleer dan het origineel",
            )

    # -- ending ---------------------------------------------------------------------------------

    def delete(self, upload_id: str) -> None:
        """Forget the upload and its bytes (footage it became stays)."""
        with self._locked(upload_id):
            if self.get(upload_id).status == PROCESSING:
                raise UploadBusy("de upload wordt nu verwerkt", hint="wacht tot hij klaar of mislukt is")
            shutil.rmtree(self._folder(upload_id))

    def expire(self, older_than: timedelta, now: datetime | None = None) -> list[str]:
        """Remove uploads untouched for ``older_than`` (unfinished ones and old records); their ids."""
        cutoff = (now or _now()) - older_than
        removed = []
        for folder in sorted(self.root.iterdir()) if self.root.is_dir() else []:
            if not _ID.fullmatch(folder.name):
                continue
            try:
                with self._locked(folder.name, wait=0):
                    try:
                        upload = self.get(folder.name)
                    except UploadNotFound:  # a creation that never finished
                        touched = datetime.fromtimestamp(folder.stat().st_mtime, timezone.utc)
                    else:
                        if upload.status == PROCESSING:
                            continue
                        touched = datetime.fromisoformat(upload.updated_at)
                    if touched < cutoff:
                        shutil.rmtree(folder)
                        removed.append(folder.name)
            except (UploadBusy, UploadNotFound):
                continue
        return removed

    # -- inside ---------------------------------------------------------------------------------

    def _folder(self, upload_id: str) -> Path:
        if not _ID.fullmatch(upload_id):
            raise UploadNotFound(f"upload {upload_id} bestaat niet", hint="gebruik de URL die bij het aanmaken terugkwam")
        return self.root / upload_id

    @staticmethod
    def _check_open(upload: Upload) -> Upload:
        if upload.status == FAILED:
            raise UploadGone(f"upload {upload.id} is mislukt: {upload.message}", hint="begin een nieuwe upload")
        if upload.status != RECEIVING:
            raise UploadClosed(f"upload {upload.id} is al compleet", offset=upload.offset,
                               hint="vraag de status op voor het resultaat")
        return upload

    def _save(self, upload: Upload) -> Upload:
        folder = self._folder(upload.id)
        fd, tmp = tempfile.mkstemp(dir=folder, prefix=".state-", suffix=".json")
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as f:
                json.dump(asdict(upload), f, ensure_ascii=False, indent=1)
                f.flush()
                os.fsync(f.fileno())
            os.replace(tmp, folder / "state.json")
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
        return upload

    @staticmethod
    def _discard_bytes(folder: Path) -> None:
        (folder / "data").unlink(missing_ok=True)
        shutil.rmtree(folder / "complete", ignore_errors=True)

    @contextmanager
    def _locked(self, upload_id: str, wait: float | None = None) -> Iterator[None]:
        """Hold the upload's lock; released when the process dies, so a crash leaves none behind."""
        folder = self._folder(upload_id)
        try:
            fd = os.open(folder / ".lock", os.O_RDWR | os.O_CREAT, 0o600)
        except FileNotFoundError:
            raise UploadNotFound(f"upload {upload_id} bestaat niet (meer)", hint="begin een nieuwe upload") from None
        try:
            deadline = time.monotonic() + (self.lock_wait if wait is None else wait)
            while True:
                try:
                    fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                    break
                except BlockingIOError:
                    if time.monotonic() >= deadline:
                        raise UploadBusy(
                            "er loopt al een ander verzoek voor deze upload",
                            hint="wacht even en vraag dan de positie op (HEAD)",
                        ) from None
                    time.sleep(0.05)
            yield
        finally:
            os.close(fd)  # releases the lock
