"""The content-keyed render cache: where each thing a build makes (the blurred intermediate, a
rendition, the poster, a fact about a file) lives under the cache folder, named by a key of what
it is made from, so that it is made once; how a file gets there whole or not at all, and how it is
placed into a bundle."""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from render.plan import Rendition, ScenePlan
from zorgblik.bundle import POSTER, ROLE_OF, THUMBNAIL
from zorgblik.private import private_dir

#: Bump when posters or thumbnails change; they are cached by privacy key and view direction.
POSTER_VERSION = 2


@dataclass(frozen=True)
class PrivacyFiles:
    """The privacy pass's output in the cache, named by the plan's privacy key."""

    picture: Path  # a photo's blurred intermediate its renditions are made from (a video has none: one pass)
    sheet: Path  # review.png
    summary: Path  # the report's summary (JSON); written last, so it marks a finished pass

    @classmethod
    def of(cls, plan: ScenePlan, cache_dir: Path) -> PrivacyFiles:
        base = cache_dir / "privacy" / plan.privacy_key()
        return cls(base.with_suffix(".mkv" if plan.media_kind == "video" else ".jpg"), base.with_suffix(".review.png"),
                   base.with_suffix(".json"))

    def reviewed(self) -> bool:
        """Whether the privacy pass ran to the end: its summary and review sheet are here."""
        return self.summary.exists() and self.sheet.exists()


def cached_tracks(plan: ScenePlan, cache_dir: Path, detection: dict) -> Path:
    """The face tracks a clip's search found (render.privacy.tracks), by the plan's tracks key."""
    return cache_dir / "tracks" / f"{plan.tracks_key(detection)}.json"


def media_suffix(plan: ScenePlan) -> str:
    return ".mp4" if plan.media_kind == "video" else ".jpg"


def cached_media(plan: ScenePlan, rendition: Rendition, cache_dir: Path) -> Path:
    return cache_dir / "encode" / f"{plan.media_key(rendition)}{media_suffix(plan)}"


def cached_posters(plan: ScenePlan, cache_dir: Path, seek: float | None) -> dict[str, Path]:
    """Poster and thumbnail, by bundle file name: keyed by the privacy key, the view and the
    moment shown (a caption edit finds them here)."""
    key = hashlib.sha256(json.dumps([POSTER_VERSION, plan.privacy_key(), plan.view, seek]).encode()).hexdigest()
    return {name: cache_dir / "poster" / f"{key}.{ROLE_OF[name]}.jpg" for name in (POSTER, THUMBNAIL)}


def needs_encode(plan: ScenePlan, cache_dir: Path) -> bool:
    """Whether building this plan runs an encoder or the privacy pass (the executor sends only
    those to workers)."""
    return not PrivacyFiles.of(plan, cache_dir).reviewed() or missing_media(plan, cache_dir)


def missing_media(plan: ScenePlan, cache_dir: Path) -> bool:
    """Whether a rendition of ``plan`` is not in the encode cache yet."""
    return any(not cached_media(plan, r, cache_dir).exists() for r in plan.renditions)


def atomic_output(final: Path, make: Callable[[Path], None]) -> None:
    """Run ``make(tmp)`` and move the result to ``final``; a crash leaves only a ``.part``."""
    private_dir(final.parent)
    fd, tmp_name = tempfile.mkstemp(dir=final.parent, suffix=".part" + final.suffix)
    os.close(fd)
    tmp = Path(tmp_name)
    try:
        make(tmp)
        os.replace(tmp, final)
    finally:
        tmp.unlink(missing_ok=True)


def link_or_copy(src: Path, dst: Path) -> None:
    """Place a cached file into a bundle: a hard link, or a copy where the file system will not
    link it (the cache on another disk, say)."""
    try:
        os.link(src, dst)
    except OSError:
        shutil.copy2(src, dst)


def sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        while chunk := f.read(1 << 20):
            digest.update(chunk)
    return digest.hexdigest()


def remembered(file: Path, fact: str, cache_dir: Path, find: Callable[[], Any]) -> Any:
    """A fact about a file (its sha256, its checked probe), remembered under ``cache_dir / fact``
    so that footage and an 8K rendition are hashed and probed once, not on every rebuild. The fact
    is tied to the file's path, size, mtime and inode: a file made again is hashed and probed
    again."""
    st = file.stat()
    identity = [str(file.resolve()), st.st_size, st.st_mtime_ns, st.st_ino]
    side = cache_dir / fact / f"{hashlib.sha256(identity[0].encode()).hexdigest()}.json"
    if side.exists():
        saved = json.loads(side.read_text(encoding="utf-8"))
        if saved.get("file") == identity:
            return saved["fact"]
    value = find()
    atomic_output(side, lambda tmp: tmp.write_text(json.dumps({"file": identity, "fact": value}), encoding="utf-8"))
    return value
