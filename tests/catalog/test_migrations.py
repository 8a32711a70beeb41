"""The migrations create exactly the tables the models declare, on a real SQLite file."""

from __future__ import annotations

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import inspect, text

from catalog import Catalog, current_revision, head_revision
from catalog.models import Base


def test_fresh_database_is_migrated_to_head(catalog: Catalog, settings):
    if catalog.engine.dialect.name == "sqlite":
        assert (settings.data_dir / "zorgblik.db").is_file()
    assert current_revision(catalog.engine) == head_revision()
    assert set(inspect(catalog.engine).get_table_names()) >= set(Base.metadata.tables)


def test_head_constant_is_alembics_head():
    """Catalog opens a database at HEAD without Alembic; HEAD must name the newest migration."""
    from catalog.db import HEAD

    assert HEAD == head_revision()


def test_opening_an_older_database_migrates_it_to_head(tmp_path):
    from catalog.db import make_engine, migrate

    url = f"sqlite:///{tmp_path / 'old.db'}"
    migrate(make_engine(url), "0004")
    with Catalog(url) as catalog:
        assert current_revision(catalog.engine) == head_revision()
        assert "privacy_signoffs" in inspect(catalog.engine).get_table_names()


def test_migrations_match_models(catalog: Catalog):
    with catalog.engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn, opts={"compare_type": True}), Base.metadata)
    assert diff == []


def test_sqlite_runs_in_wal_mode_with_foreign_keys(catalog: Catalog):
    if catalog.engine.dialect.name != "sqlite":
        pytest.skip("SQLite's own settings")
    with catalog.engine.connect() as conn:
        assert conn.execute(text("PRAGMA journal_mode")).scalar() == "wal"
        assert conn.execute(text("PRAGMA foreign_keys")).scalar() == 1


def test_opening_twice_is_harmless(settings):
    with Catalog(settings.catalog_url) as first:
        rev = current_revision(first.engine)
    with Catalog(settings.catalog_url) as second:
        assert current_revision(second.engine) == rev


def test_upgrade_keeps_rows_and_downgrade_works(tmp_path):
    from catalog.db import make_engine, migrate

    engine = make_engine(f"sqlite:///{tmp_path / 'old.db'}")
    migrate(engine, "0001")
    with engine.begin() as conn:
        conn.execute(text(
            "INSERT INTO footage (sha256, original_name, store_path, size_bytes, media_kind, codec, width, height,"
            " has_audio, projection, stereo, confidence, reasons, pose_yaw, pose_pitch, pose_roll, probe, imported_at)"
            " VALUES ('ab', 'a.mp4', 'ab/ab.mp4', 1, 'video', 'h264', 2, 1, 0, 'equirectangular', 'mono', 1, '[]',"
            " 0, 0, 0, '{}', '2026-01-01')"))
    migrate(engine)
    with engine.connect() as conn:
        assert conn.execute(text("SELECT original_name FROM footage")).scalar() == "a.mp4"
        assert conn.execute(text("SELECT count(*) FROM consents")).scalar() == 0
    from alembic import command

    from catalog.db import _alembic_config

    cfg = _alembic_config()
    with engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.downgrade(cfg, "base")
    assert inspect(engine).get_table_names() == ["alembic_version"]
    engine.dispose()


def test_existing_headsets_belong_to_the_context_of_whoever_made_their_pairing_code(tmp_path):
    """0010: an HR-enrolled headset (and its group) become HR's; one the admin enrolled is shared."""
    from catalog.db import make_engine, migrate

    engine = make_engine(f"sqlite:///{tmp_path / 'old.db'}")
    migrate(engine, "0009")
    with engine.begin() as conn:
        for uid, role in ((1, "hr"), (2, "admin")):
            conn.execute(text("INSERT INTO staff_users (id, username, display_name, role, password_hash, active, created_at)"
                              " VALUES (:i, :r, :r, :r, 'x', 1, '2026-01-01')"), {"i": uid, "r": role})
        conn.execute(text("INSERT INTO headset_groups (id, name, created_at) VALUES (1, 'HR-kit', '2026-01-01')"))
        for hid, by, group in ((1, 1, 1), (2, 2, None)):
            conn.execute(text("INSERT INTO headsets (id, name, profile, group_id, token_sha256, enrolled_at, inventory,"
                              " device_info) VALUES (:h, :n, 'quest2', :g, :n, '2026-01-01', '[]', '{}')"),
                         {"h": hid, "n": f"h{hid}", "g": group})
            conn.execute(text("INSERT INTO pairing_codes (code_sha256, headset_name, profile, created_by_id, created_at,"
                              " expires_at, used_at, headset_id) VALUES (:n, :n, 'quest2', :b, '2026-01-01', '2026-01-01',"
                              " '2026-01-01', :h)"), {"n": f"h{hid}", "b": by, "h": hid})
    migrate(engine)
    with engine.connect() as conn:
        owners = dict(conn.execute(text("SELECT name, context FROM headsets")).all())
        assert owners == {"h1": "sollicitatie", "h2": None}
        assert conn.execute(text("SELECT context FROM headset_groups")).scalar() == "sollicitatie"
    engine.dispose()
