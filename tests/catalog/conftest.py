"""The catalog's tests run on SQLite and on a real PostgreSQL (issue #16)."""

from __future__ import annotations

from pathlib import Path

import pytest

from postgres import DATABASES, database_url
from zorgblik.settings import Settings


@pytest.fixture(params=DATABASES)
def settings(request: pytest.FixtureRequest, tmp_path: Path, render_cache_dir: Path,
             monkeypatch: pytest.MonkeyPatch) -> Settings:
    url = database_url(request)
    if url:  # a command the test runs (zorgblik ... in-process) opens the same catalog
        monkeypatch.setenv("ZORGBLIK_DATABASE_URL", url)
    return Settings.from_env({}, data_dir=tmp_path / "data", port=0, render_cache_dir=str(render_cache_dir),
                             database_url=url)
