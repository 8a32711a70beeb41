"""The data folder is the service user's only: it holds the unblurred footage, the catalog with
personal data and the uploads. What zorgblik makes there is made so, whatever the umask:
folders 0700, files 0600 (the stored originals 0400).

Only what zorgblik creates: a folder that is already there keeps the mode its owner gave it.
"""

from __future__ import annotations

import os
from pathlib import Path

FOLDER_MODE = 0o700
FILE_MODE = 0o600


def private_dir(path: Path) -> Path:
    """``path`` as a folder, each folder made on the way 0700 (``mkdir -p`` would make them 0755)."""
    path = Path(path)
    missing: list[Path] = []
    folder = path.absolute()
    while not folder.exists():
        missing.append(folder)
        folder = folder.parent
    for folder in reversed(missing):
        try:
            folder.mkdir(FOLDER_MODE)
        except FileExistsError:  # made meanwhile by another thread or process
            continue
        os.chmod(folder, FOLDER_MODE)  # mkdir's mode passes through the umask
    return path


def private_file(path: Path) -> Path:
    """``path`` made as an empty 0600 file when it is not there yet."""
    os.close(os.open(path, os.O_WRONLY | os.O_CREAT, FILE_MODE))
    return Path(path)
