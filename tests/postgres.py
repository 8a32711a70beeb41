"""A real PostgreSQL for the tests: Debian's server binaries, a cluster of its own in a temp folder,
on a free local port, made on first use and stopped at the end of the session. Each test (or
module) gets a database of its own, so the catalog, service and staff-page tests run on it as on
SQLite (issue #16)."""

from __future__ import annotations

import glob
import itertools
import os
import shutil
import socket
import subprocess
import tempfile
from pathlib import Path


def server_bin() -> Path:
    """The folder with initdb and pg_ctl (Debian keeps them out of PATH, per version)."""
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"))
    if found:
        return Path(found[-1]).parent
    initdb = shutil.which("initdb")
    if initdb:
        return Path(initdb).parent
    raise RuntimeError("PostgreSQL ontbreekt (initdb niet gevonden): draai ./setup.sh")


def _as_server_user(argv: list[str]) -> list[str]:
    """PostgreSQL refuses to run as root: then it runs as the 'postgres' user Debian's package made."""
    return ["runuser", "-u", "postgres", "--", *argv] if os.geteuid() == 0 else argv


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class PostgresServer:
    """A cluster in a folder of its own under the system's temp folder (not under pytest's: as root,
    the server runs as 'postgres', which may not enter root's private folders)."""

    def __init__(self):
        folder = Path(tempfile.mkdtemp(prefix="zorgblik-pg-"))
        self.folder = folder
        self.data = folder / "cluster"
        self.port = _free_port()
        self.names = itertools.count()
        bin_dir = server_bin()
        if os.geteuid() == 0:
            shutil.chown(folder, "postgres", "postgres")
        subprocess.run(_as_server_user([str(bin_dir / "initdb"), "-D", str(self.data), "-U", "zorgblik",
                                        "--auth=trust", "--no-sync", "-E", "UTF8", "--locale=C.UTF-8"]),
                       check=True, capture_output=True)
        options = f"-p {self.port} -k {folder} -c listen_addresses=127.0.0.1 -c fsync=off -c full_page_writes=off"
        subprocess.run(_as_server_user([str(bin_dir / "pg_ctl"), "-D", str(self.data), "-l", str(folder / "log"),
                                        "-o", options, "-w", "start"]), check=True, capture_output=True)
        self._bin = bin_dir

    def url(self, database: str = "postgres") -> str:
        return f"postgresql+psycopg://zorgblik@127.0.0.1:{self.port}/{database}"

    def new_database(self) -> str:
        """A fresh, empty database; returns its URL."""
        import psycopg

        name = f"t{os.getpid()}_{next(self.names)}"
        with psycopg.connect(f"host=127.0.0.1 port={self.port} user=zorgblik dbname=postgres", autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{name}"')
        return self.url(name)

    def stop(self) -> None:
        subprocess.run(_as_server_user([str(self._bin / "pg_ctl"), "-D", str(self.data), "-m", "fast", "-w", "stop"]),
                       capture_output=True)
        shutil.rmtree(self.folder, ignore_errors=True)



#: The catalogs the catalog and service tests run on: each such test runs on both.
DATABASES = ["sqlite", "postgresql"]


def database_url(request) -> str:
    """The catalog URL for a fixture parametrized over :data:`DATABASES`: "" (SQLite in the data
    folder) or a fresh database on the session's PostgreSQL (the ``postgres`` fixture)."""
    return request.getfixturevalue("postgres").new_database() if request.param == "postgresql" else ""
