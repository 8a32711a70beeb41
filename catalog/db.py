"""Opening the catalog: engine, migrations to head, sessions.

SQLite (WAL, foreign keys on) is the default; a PostgreSQL URL works with the same code.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import Engine, create_engine, event, text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session, sessionmaker

from zorgblik.private import private_dir, private_file

MIGRATIONS = Path(__file__).parent / "migrations"
#: The newest migration in MIGRATIONS (tests/catalog/test_migrations.py holds it to Alembic's
#: head). A database already there opens without importing Alembic, which halves the start-up of
#: every command.
HEAD = "0008"


def _alembic_config():
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    return cfg


def _sqlite_pragmas(dbapi_conn, _record) -> None:
    cur = dbapi_conn.cursor()
    cur.execute("PRAGMA journal_mode=WAL")
    cur.execute("PRAGMA synchronous=NORMAL")  # with WAL: no fsync per commit; a power cut may lose the last ones
    cur.execute("PRAGMA foreign_keys=ON")
    cur.execute("PRAGMA busy_timeout=5000")
    cur.close()


def make_engine(url: str) -> Engine:
    if url.startswith("sqlite:///"):
        database = url.removeprefix("sqlite:///")
        private_dir(Path(database).parent)
        if database and database != ":memory:" and "?" not in database:
            # made 0600 before SQLite makes it 0644; its -wal and -shm files take the database's mode
            private_file(Path(database))
    engine = create_engine(url)
    if engine.dialect.name == "sqlite":
        event.listen(engine, "connect", _sqlite_pragmas)
    return engine


def migrate(engine: Engine, revision: str = "head") -> None:
    """Bring the database to ``revision`` (default: the newest)."""
    from alembic import command

    cfg = _alembic_config()
    with engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, revision)


def current_revision(engine: Engine) -> str | None:
    """The database's revision, read from Alembic's own table (None: not migrated yet)."""
    with engine.connect() as conn:
        try:
            return conn.execute(text("SELECT version_num FROM alembic_version")).scalar()
        except DBAPIError:  # no such table: an empty database
            return None


def head_revision() -> str | None:
    """The newest revision according to Alembic's reading of MIGRATIONS."""
    from alembic.script import ScriptDirectory

    return ScriptDirectory.from_config(_alembic_config()).get_current_head()


class Catalog:
    """The catalog database: ``with catalog.session() as s: ...`` commits or rolls back as a whole."""

    def __init__(self, url: str):
        self.url = url
        self.engine = make_engine(url)
        if current_revision(self.engine) != HEAD:
            migrate(self.engine)
        self._sessions = sessionmaker(self.engine, expire_on_commit=False)

    @contextmanager
    def session(self) -> Iterator[Session]:
        with self._sessions.begin() as s:
            yield s

    def close(self) -> None:
        self.engine.dispose()

    def __enter__(self) -> "Catalog":
        return self

    def __exit__(self, *exc) -> None:
        self.close()
