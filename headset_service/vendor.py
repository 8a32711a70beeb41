"""Fetch the browser libraries named in vendor.json into static/vendor/ (run by setup.sh).

Each comes from the npm registry as its published tarball, is checked against the registry's
sha512 integrity before anything is unpacked, and only the named files are written. Quick when
they are there already; exits non-zero with one line when a download fails or does not match.
"""

from __future__ import annotations

import base64
import hashlib
import io
import json
import sys
import tarfile
import urllib.request
from pathlib import Path

HERE = Path(__file__).resolve().parent


def fetch(name: str, spec: dict, folder: Path) -> None:
    stamp = folder / f".{name}-{spec['version']}"
    if stamp.exists() and all((folder / target).exists() for target in spec["files"].values()):
        return
    with urllib.request.urlopen(spec["tarball"], timeout=60) as response:
        data = response.read()
    algorithm, _, expected = spec["integrity"].partition("-")
    if base64.b64encode(hashlib.new(algorithm, data).digest()).decode() != expected:
        raise SystemExit(f"{name} {spec['version']}: the download does not match its {algorithm} integrity; not installed")
    with tarfile.open(fileobj=io.BytesIO(data), mode="r:gz") as archive:
        for member, target in spec["files"].items():
            body = archive.extractfile(member)
            if body is None:
                raise SystemExit(f"{name} {spec['version']}: {member} is not in the package")
            part = folder / f".{target}.part"
            part.write_bytes(body.read())
            part.replace(folder / target)
    stamp.touch()


def main() -> None:
    folder = HERE / "static" / "vendor"
    folder.mkdir(exist_ok=True)
    specs = json.loads((HERE / "vendor.json").read_text(encoding="utf-8"))
    for name, spec in specs.items():
        if not name.startswith("_"):
            try:
                fetch(name, spec, folder)
            except OSError as error:
                raise SystemExit(f"{name}: cannot download {spec['tarball']} ({error}); check the network and run ./setup.sh again")


if __name__ == "__main__":
    sys.exit(main())
