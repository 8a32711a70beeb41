"""Shared fixtures: the real footage in demo/footage, and a fresh data folder per test."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest

from catalog import Catalog
from zorgblik.settings import Settings

ROOT = Path(__file__).resolve().parent.parent
FOOTAGE = ROOT / "demo" / "footage"


@pytest.fixture(scope="session")
def footage_dir() -> Path:
    return FOOTAGE


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return Settings.from_env({}, data_dir=tmp_path / "data", port=0)


@pytest.fixture
def catalog(settings: Settings):
    with Catalog(settings.catalog_url) as c:
        yield c


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
