"""The footage store: originals kept by their sha256, never changed once stored.

    <store>/ab/abcdef….mp4      read-only
    <store>/.incoming/<pid>-….part   partial copies; never visible under a content name

A file appears under its content name only after it was copied completely, flushed to disk
and its hash computed from the bytes written; so an interrupted import leaves nothing behind
that looks complete. A copy killed half-way leaves its ``.part`` (unblurred footage): the next
start of the service removes those whose process is gone (:meth:`FootageStore.clear_abandoned`).
"""

from __future__ import annotations

import hashlib
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path

from zorgblik.private import private_dir
from zorgblik.processes import process_alive

CHUNK = 1 << 20


@dataclass(frozen=True)
class StoredFile:
    sha256: str
    relpath: str
    size: int
    created: bool  # False when the store already held these bytes


class FootageStore:
    def __init__(self, root: Path):
        self.root = Path(root)

    def path(self, relpath: str) -> Path:
        return self.root / relpath

    def put(self, src: Path, suffix: str, progress=None) -> StoredFile:
        """Copy ``src`` in; ``progress(bytes_done)`` is called as it goes."""
        incoming = self.root / ".incoming"
        private_dir(incoming)  # unblurred originals: the service user's only
        digest = hashlib.sha256()
        size = 0
        fd, tmp_name = tempfile.mkstemp(dir=incoming, prefix=f"{os.getpid()}-", suffix=".part")
        tmp = Path(tmp_name)
        try:
            with os.fdopen(fd, "wb") as out, open(src, "rb") as inp:
                while chunk := inp.read(CHUNK):
                    digest.update(chunk)
                    out.write(chunk)
                    size += len(chunk)
                    if progress:
                        progress(size)
                out.flush()
                os.fsync(out.fileno())
            sha = digest.hexdigest()
            relpath = f"{sha[:2]}/{sha}{suffix.lower()}"
            final = self.path(relpath)
            if final.exists():
                tmp.unlink()
                return StoredFile(sha, relpath, size, created=False)
            private_dir(final.parent)
            os.chmod(tmp, 0o400)
            os.replace(tmp, final)
            return StoredFile(sha, relpath, size, created=True)
        except BaseException:
            tmp.unlink(missing_ok=True)
            raise

    def remove(self, relpath: str) -> None:
        """Only for undoing a put whose catalog row could not be written."""
        self.path(relpath).unlink(missing_ok=True)

    def clear_abandoned(self) -> list[Path]:
        """Remove the partial copies whose process is gone (killed during a copy); what was removed."""
        removed = []
        for part in sorted((self.root / ".incoming").glob("*.part")):
            pid = part.name.partition("-")[0]
            if not (pid.isdigit() and process_alive(int(pid))):
                part.unlink(missing_ok=True)
                removed.append(part)
        return removed
