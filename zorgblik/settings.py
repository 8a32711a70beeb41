"""Every setting, declared once with its default and its help.

A setting is read from the environment as ``ZORGBLIK_<NAME>`` (upper case); the CLI's
``--data`` and friends override it. ``zorgblik settings`` prints this table.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, fields
from pathlib import Path


@dataclass(frozen=True)
class Setting:
    name: str
    default: object
    help: str

    @property
    def env(self) -> str:
        return "ZORGBLIK_" + self.name.upper()


SETTINGS: tuple[Setting, ...] = (
    Setting("data_dir", "zorgblik-data", "folder with the database, the footage store and the scene bundles"),
    Setting("database_url", "", "SQLAlchemy URL of the catalog; empty means the SQLite file <data_dir>/zorgblik.db"),
    Setting("host", "127.0.0.1", "address the service listens on (0.0.0.0 for headsets on the local network)"),
    Setting("port", 8360, "port the service listens on"),
    Setting("jobs", max(1, (os.cpu_count() or 2) - 1), "scenes rendered at the same time"),
    Setting("max_script_bytes", 1_000_000, "largest VR script file read, in bytes"),
    Setting("max_footage_bytes", 20_000_000_000, "largest footage file taken in, by 'capture add' or the upload API, in bytes"),
    Setting("encoder_preset", "medium", "x264/x265 speed preset (ultrafast … veryslow): faster encodes give larger files"),
    Setting("freshness_days", 30, "volatile facts due within this many days count as 'due soon'"),
    Setting("retention_months", 12, "session data older than this many months is deleted by the daily retention job"),
    Setting("scripts_dir", "", "folder with the VR scripts authors edit on the staff pages; empty means <data_dir>/scripts"),
)

_BY_NAME = {s.name: s for s in SETTINGS}


def _coerce(setting: Setting, raw: str) -> object:
    if isinstance(setting.default, bool):
        return raw.lower() in {"1", "true", "yes", "ja"}
    if isinstance(setting.default, int):
        return int(raw)
    return raw


@dataclass(frozen=True)
class Settings:
    data_dir: Path = Path(str(_BY_NAME["data_dir"].default))
    database_url: str = ""
    host: str = str(_BY_NAME["host"].default)
    port: int = int(_BY_NAME["port"].default)  # type: ignore[arg-type]
    jobs: int = int(_BY_NAME["jobs"].default)  # type: ignore[arg-type]
    max_script_bytes: int = int(_BY_NAME["max_script_bytes"].default)  # type: ignore[arg-type]
    max_footage_bytes: int = int(_BY_NAME["max_footage_bytes"].default)  # type: ignore[arg-type]
    encoder_preset: str = str(_BY_NAME["encoder_preset"].default)
    freshness_days: int = int(_BY_NAME["freshness_days"].default)  # type: ignore[arg-type]
    retention_months: int = int(_BY_NAME["retention_months"].default)  # type: ignore[arg-type]
    scripts_dir: str = ""

    @classmethod
    def from_env(cls, environ: dict[str, str] | None = None, **overrides: object) -> "Settings":
        environ = dict(os.environ if environ is None else environ)
        values: dict[str, object] = {}
        for setting in SETTINGS:
            if setting.env in environ:
                values[setting.name] = _coerce(setting, environ[setting.env])
        values.update({k: v for k, v in overrides.items() if v is not None})
        if "data_dir" in values:
            values["data_dir"] = Path(str(values["data_dir"]))
        return cls(**values)  # type: ignore[arg-type]

    # Where things live inside the data folder.
    @property
    def catalog_url(self) -> str:
        return self.database_url or f"sqlite:///{(self.data_dir / 'zorgblik.db').resolve()}"

    @property
    def store_dir(self) -> Path:
        return self.data_dir / "store"

    @property
    def bundles_dir(self) -> Path:
        return self.data_dir / "bundles"

    @property
    def cache_dir(self) -> Path:
        return self.data_dir / "cache"

    @property
    def scripts_path(self) -> Path:
        return Path(self.scripts_dir) if self.scripts_dir else self.data_dir / "scripts"

    @property
    def builds_dir(self) -> Path:
        return self.data_dir / "builds"


assert {f.name for f in fields(Settings)} == set(_BY_NAME), "declare each setting once"


def settings_help() -> str:
    """The table ``zorgblik settings`` prints."""
    rows = [f"{s.env:<28} {s.default!s:<16} {s.help}" for s in SETTINGS]
    return "\n".join(rows)
