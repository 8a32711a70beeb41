"""Opening the catalog: engine, migrations to head, sessions.

SQLite (WAL, foreign keys on) is the default; a PostgreSQL URL (``postgresql://…``, driven by
psycopg 3) runs the same code and migrations. Writers take turns on both: SQLite has one writer by
design, and on PostgreSQL a unit of work takes one transaction-scoped advisory lock before it
writes (:func:`_postgres_begin`), so the checks a writer makes before it writes (a name taken, a
headset already in a session) hold until it commits, as they do on SQLite. Readers never wait.
"""

from __future__ import annotations

import logging
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
HEAD = "0012"


def _alembic_config():
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    return cfg


def _sqlite_pragmas(dbapi_conn, _record) -> None:
    dbapi_conn.isolation_level = None  # the driver's own BEGIN would come after a request's first reads: see _sqlite_begin
    cur = dbapi_conn.cursor()
    cur.execute("PRAGMA journal_mode=WAL")
    cur.execute("PRAGMA synchronous=NORMAL")  # with WAL: no fsync per commit; a power cut may lose the last ones
    cur.execute("PRAGMA foreign_keys=ON")
    cur.execute("PRAGMA secure_delete=ON")  # deleted rows are overwritten with zeros, not left in free space: an erased learner is gone
    cur.execute("PRAGMA busy_timeout=15000")  # a writer waits this long for the write lock (50 at once: well under it)
    cur.close()


def _sqlite_begin(conn) -> None:
    """SQLite has one writer at a time, and a transaction that read first cannot wait for the
    write lock when it writes later (its snapshot may be stale: "database is locked" at once). So
    a unit of work takes the write lock at its start (BEGIN IMMEDIATE) and waits for it there, up
    to the busy timeout — unless it said it reads first (``Catalog.session(read_first=True)``, a
    web request: its sign-in check runs in one worker thread and its handler in another, and no
    lock may be held in between); such a one takes the lock later, with :func:`begin_write`."""
    conn.exec_driver_sql("BEGIN DEFERRED" if conn.get_execution_options().get("zorgblik_read_first") else "BEGIN IMMEDIATE")


#: The advisory lock writers take on PostgreSQL (any fixed number; this is the service's port).
WRITE_LOCK = 8360


def _postgres_begin(conn) -> None:
    """PostgreSQL's twin of :func:`_sqlite_begin`: a unit of work that may write takes the write
    lock at its start and keeps it until it ends; one that reads first takes it in
    :func:`begin_write`."""
    if not conn.get_execution_options().get("zorgblik_read_first"):
        conn.exec_driver_sql(f"SELECT pg_advisory_xact_lock({WRITE_LOCK})")


def begin_write(db: Session) -> None:
    """End ``db``'s reading and start a write transaction that holds the write lock from its first
    statement (on SQLite); commit it soon: every other writer waits meanwhile."""
    db.commit()
    db.connection()  # a fresh connection, without read_first: BEGIN IMMEDIATE


def make_engine(url: str) -> Engine:
    if url.startswith(("postgresql://", "postgres://")):  # psycopg 3, not SQLAlchemy's default psycopg2
        url = "postgresql+psycopg://" + url.split("://", 1)[1]
    if url.startswith("sqlite:///"):
        database = url.removeprefix("sqlite:///")
        private_dir(Path(database).parent)
        if database and database != ":memory:" and "?" not in database:
            # made 0600 before SQLite makes it 0644; its -wal and -shm files take the database's mode
            private_file(Path(database))
    # a failed statement's parameters (learner codes, notes, event data) stay out of its exception text, so out of the log
    engine = create_engine(url, hide_parameters=True)
    if engine.dialect.name == "sqlite":
        event.listen(engine, "connect", _sqlite_pragmas)
        event.listen(engine, "begin", _sqlite_begin)
    elif engine.dialect.name == "postgresql":
        event.listen(engine, "begin", _postgres_begin)
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


#: The tables an erasure deletes from (sessions, their events and notes, outcomes): on PostgreSQL
#: :func:`checkpoint` rewrites them, as deleted rows stay in a table's file until then.
ERASED_TABLES = ("sessions", "events", "session_notes", "learner_outcomes")


def checkpoint(db: Session) -> None:
    """Commit ``db`` and make deleted rows leave the database files: on SQLite copy the WAL into
    the database file and empty it (until then the WAL keeps the rows as they were before a delete:
    an erased learner's code and notes); on PostgreSQL rewrite the erased tables (VACUUM FULL: a
    delete only marks a row dead in its table's file)."""
    db.commit()
    engine = db.get_bind()
    if engine.dialect.name == "postgresql":
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:  # VACUUM: no transaction
            conn.exec_driver_sql(f"VACUUM FULL {', '.join(ERASED_TABLES)}")
        return
    if engine.dialect.name != "sqlite":
        return
    raw = engine.raw_connection()  # the driver's own connection: no BEGIN (a checkpoint cannot run in a transaction)
    try:
        cur = raw.cursor()
        busy, _, _ = cur.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()
        cur.close()
        if busy:  # a reader held on past the busy timeout; the WAL is emptied at a later checkpoint
            logging.getLogger(__name__).warning("checkpoint after an erase incomplete: the WAL is still being read")
    finally:
        raw.close()


class Catalog:
    """The catalog database: ``with catalog.session() as s: ...`` commits or rolls back as a whole."""

    def __init__(self, url: str):
        self.url = url
        self.engine = make_engine(url)
        if current_revision(self.engine) != HEAD:
            migrate(self.engine)
        self._sessions = sessionmaker(self.engine, expire_on_commit=False)

    @contextmanager
    def session(self, read_first: bool = False) -> Iterator[Session]:
        """Commits at the end (rolls back on an error); code inside may commit sooner (begin_write).
        ``read_first``: it reads before it writes, if at all (see _sqlite_begin)."""
        s = self._sessions()
        try:
            if read_first:
                s.connection(execution_options={"zorgblik_read_first": True})
            yield s
            s.commit()
        except BaseException:
            s.rollback()
            raise
        finally:
            s.close()

    def close(self) -> None:
        self.engine.dispose()

    def __enter__(self) -> "Catalog":
        return self

    def __exit__(self, *exc) -> None:
        self.close()
