"""The data folder holds unblurred footage and personal data: what zorgblik makes in it is the
service user's only (folders 0700, files 0600, stored originals 0400), whatever the umask."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest

from capture import FootageStore, add_footage
from capture.upload import UploadStore
from catalog import Catalog
from render.events import BuildEvents
from zorgblik.settings import Settings
from support import GLOWSTICKS_PHOTO


@pytest.fixture
def open_umask():
    """The usual umask (022): without care, every local user could read what is made."""
    old = os.umask(0o022)
    yield
    os.umask(old)


def _modes(root: Path) -> dict[str, int]:
    found = {".": stat.S_IMODE(root.stat().st_mode)}
    for path in root.rglob("*"):
        found[str(path.relative_to(root))] = stat.S_IMODE(path.lstat().st_mode)
    return found


def test_a_fresh_data_folder_is_the_service_users_only(tmp_path, open_umask):
    settings = Settings.from_env({}, data_dir=tmp_path / "zorg" / "data")
    with Catalog(settings.catalog_url) as catalog:
        add_footage(GLOWSTICKS_PHOTO, catalog=catalog,
                    store=FootageStore(settings.store_dir))
        uploads = UploadStore(settings.data_dir / "uploads", max_bytes=1000)
        upload = uploads.create(4, "opname.mp4")
        uploads.append(upload.id, 0, [b"\0\0\0\x18"])
        with BuildEvents(settings.builds_dir).running():
            pass
        modes = _modes(settings.data_dir)
    assert {"zorgblik.db", "zorgblik.db-wal", "store", "uploads", "builds"} <= set(modes)  # the -wal: as the database
    assert stat.S_IMODE((tmp_path / "zorg").stat().st_mode) == 0o700  # a parent zorgblik made for it, too
    folders = {name: mode for name, mode in modes.items() if (settings.data_dir / name).is_dir()}
    files = {name: mode for name, mode in modes.items() if name not in folders}
    assert folders and all(mode == 0o700 for mode in folders.values()), folders
    stored = {name for name in files if name.startswith("store" + os.sep)}
    assert len(stored) == 1 and all(files[name] == 0o400 for name in stored), files  # originals stay read-only
    assert all(mode == 0o600 for name, mode in files.items() if name not in stored), files
