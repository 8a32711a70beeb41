"""Shared fixtures: a fresh data folder per test, and one render cache for the whole session (the
demo footage is named in support.py).

The render cache is content-keyed (footage sha256, trim, level, who stays sharp, profile, preset:
render.plan), so data folders can share it: the same footage cut the same way is searched for faces
and encoded once per session, whichever test builds it. It holds no catalog state (versions,
sign-offs, consent stay in each data folder's catalog). A test about the cache itself takes an
empty one of its own (support.own_render_cache)."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest

from catalog import Catalog
from zorgblik.settings import Settings


@pytest.fixture(scope="session")
def render_cache_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The session's shared render cache (ZORGBLIK_RENDER_CACHE_DIR for a build in a process or
    command of its own)."""
    return tmp_path_factory.mktemp("render-cache")


@pytest.fixture(scope="session")
def postgres():
    """A real PostgreSQL cluster for the session, started on first use (tests/postgres.py)."""
    from postgres import PostgresServer

    server = PostgresServer()
    yield server
    server.stop()


@pytest.fixture
def settings(tmp_path: Path, render_cache_dir: Path) -> Settings:
    return Settings.from_env({}, data_dir=tmp_path / "data", port=0, render_cache_dir=str(render_cache_dir))


@pytest.fixture
def catalog(settings: Settings):
    with Catalog(settings.catalog_url) as c:
        yield c


@pytest.fixture(scope="session", autouse=True)
def own_data_folder(tmp_path_factory: pytest.TempPathFactory):
    """A command a test runs without --data uses a data folder of the session's own, never the
    zorgblik-data of the folder the tests run from: the README runs the demo there first, and its
    catalog would change what, say, ``script lint`` says about footage."""
    patch = pytest.MonkeyPatch()
    patch.setenv("ZORGBLIK_DATA_DIR", str(tmp_path_factory.mktemp("own-data")))
    yield
    patch.undo()


@pytest.fixture(scope="session", autouse=True)
def quick_password_hash():
    """Argon2id still, with test-sized cost: a real hash, not 130 ms per sign-in."""
    from argon2 import PasswordHasher

    from catalog import accounts

    original = accounts._hasher
    accounts._hasher = lambda: PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)
    yield
    accounts._hasher = original


@pytest.fixture(autouse=True)
def no_error_logs(caplog: pytest.LogCaptureFixture):
    """A test that makes zorgblik log an ERROR fails, even when it otherwise passes."""
    yield
    errors = [r for r in caplog.get_records("call") if r.levelno >= logging.ERROR]
    assert not errors, f"logged errors: {[r.getMessage() for r in errors]}"
