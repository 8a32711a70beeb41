"""The migrations create exactly the tables the models declare, on a real SQLite file."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import inspect, text

from catalog import Catalog, current_revision, head_revision
from catalog.models import Base


def test_fresh_database_is_migrated_to_head(catalog: Catalog, settings):
    assert (settings.data_dir / "zorgblik.db").is_file()
    assert current_revision(catalog.engine) == head_revision()
    assert set(inspect(catalog.engine).get_table_names()) >= set(Base.metadata.tables)


def test_migrations_match_models(catalog: Catalog):
    with catalog.engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn, opts={"compare_type": True}), Base.metadata)
    assert diff == []


def test_sqlite_runs_in_wal_mode_with_foreign_keys(catalog: Catalog):
    with catalog.engine.connect() as conn:
        assert conn.execute(text("PRAGMA journal_mode")).scalar() == "wal"
        assert conn.execute(text("PRAGMA foreign_keys")).scalar() == 1


def test_opening_twice_is_harmless(settings):
    with Catalog(settings.catalog_url) as first:
        rev = current_revision(first.engine)
    with Catalog(settings.catalog_url) as second:
        assert current_revision(second.engine) == rev
