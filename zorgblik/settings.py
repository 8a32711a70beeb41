"""Every setting, declared once with its default and its help.

A setting is read from the environment as ``ZORGBLIK_<NAME>`` (upper case); the CLI's
``--data`` and friends override it. ``zorgblik settings`` prints this table.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field, fields
from pathlib import Path


def setting(default: object, help: str):
    """A settings field: its default and its help, side by side."""
    return field(default=default, metadata={"help": help})


@dataclass(frozen=True)
class Settings:
    data_dir: Path = setting(Path("zorgblik-data"), "folder with the database, the footage store and the scene bundles")
    database_url: str = setting("", "SQLAlchemy URL of the catalog; empty means the SQLite file <data_dir>/zorgblik.db")
    host: str = setting("127.0.0.1", "address the service listens on (0.0.0.0 for headsets on the local network)")
    port: int = setting(8360, "port the service listens on")
    jobs: int = setting(max(1, (os.cpu_count() or 2) - 1), "scenes rendered at the same time")
    max_script_bytes: int = setting(1_000_000, "largest VR script file read, in bytes")
    max_footage_bytes: int = setting(20_000_000_000,
                                     "largest footage file taken in, by 'capture add' or the upload API, in bytes")
    face_model: str = setting("", "face model of the privacy pass's search (centerface-int8: about half the CPU; "
                                  "centerface: the shipped fp32 model); empty means render's default, centerface-int8")
    encoder_preset: str = setting("medium",
                                  "x264/x265 speed preset (ultrafast … veryslow): faster encodes give larger files")
    freshness_days: int = setting(30, "volatile facts due within this many days count as 'due soon'")
    retention_months: int = setting(12, "session data older than this many months is deleted by the daily retention job")
    session_grace_minutes: int = setting(10, "a session whose headset is gone is 'onderbroken'; after this many "
                                             "minutes without it coming back, it ends (at the moment it was last heard)")
    upload_expire_hours: int = setting(48, "an unfinished upload untouched for this many hours is removed with its "
                                           "bytes (so is the status of a finished one)")
    login_max_failures: int = setting(5, "failed sign-ins of one account (within login_window_minutes of each other) "
                                         "that lock it: 1 minute, doubling with each failure after, up to "
                                         "login_lock_max_minutes")
    login_address_max_failures: int = setting(20, "failed sign-ins, or pairing-code guesses, from one address that lock "
                                                  "that address the same way (higher: colleagues may share one)")
    login_window_minutes: int = setting(15, "failures are forgotten after this many quiet minutes")
    login_lock_max_minutes: int = setting(15, "the longest a lock lasts")
    scripts_dir: str = setting("", "folder with the VR scripts authors edit on the staff pages; "
                                   "empty means <data_dir>/scripts")
    render_cache_dir: str = setting("", "folder with render's intermediates and encodes, named by what made them (footage "
                                        "sha256, trim, level, who stays sharp, profile), so several data folders "
                                        "may share one; empty means <data_dir>/cache")
    chunk_s: float = setting(4.0, "seconds of one clip scene per encode task on a Dask cluster (build --executor dask; "
                                  "rounded to whole keyframe intervals): a scene shorter than two chunks is encoded "
                                  "in one task (0: never), and local builds always encode a scene in one pass")
    render_store: str = setting("", "fsspec URL of the store the workers of a Dask build read footage from and write "
                                    "results to (build --executor dask --store): a folder every worker mounts, "
                                    "file://..., s3://bucket/prefix (endpoint and keys: AWS_ENDPOINT_URL, "
                                    "AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY); empty means the workers reach this "
                                    "data folder and render cache themselves")
    file_sender: str = setting("service", "who sends the bytes of bundle files: 'service' (the service itself) or "
                                          "'nginx' (the service checks the request, nginx sends the file; "
                                          "see zorgblik deploy nginx)")

    @classmethod
    def from_env(cls, environ: dict[str, str] | None = None, **overrides: object) -> "Settings":
        environ = dict(os.environ if environ is None else environ)
        values: dict[str, object] = {}
        for f in fields(cls):
            if _env(f.name) in environ:
                values[f.name] = _coerce(f.default, environ[_env(f.name)])
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
        """Render's cache: content-keyed, so it holds no catalog state (sign-offs, consent and
        versions stay in the catalog of each data folder)."""
        return Path(self.render_cache_dir) if self.render_cache_dir else self.data_dir / "cache"

    @property
    def scripts_path(self) -> Path:
        return Path(self.scripts_dir) if self.scripts_dir else self.data_dir / "scripts"

    @property
    def builds_dir(self) -> Path:
        return self.data_dir / "builds"


def _env(name: str) -> str:
    return "ZORGBLIK_" + name.upper()


def _coerce(default: object, raw: str) -> object:
    if isinstance(default, bool):
        return raw.lower() in {"1", "true", "yes", "ja"}
    if isinstance(default, int):
        return int(raw)
    if isinstance(default, float):
        return float(raw)
    return raw


def settings_help() -> str:
    """The table ``zorgblik settings`` prints."""
    rows = [f"{_env(f.name):<28} {f.default!s:<16} {f.metadata['help']}" for f in fields(Settings)]
    return "\n".join(rows)
