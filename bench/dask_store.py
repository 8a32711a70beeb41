"""What the render store costs (#16): one scene on a Dask LocalCluster of 2 workers, built with the
workers reaching the build's folders (the shared-folder case of today) against the same build
with ``--store`` (the workers read the footage from the store and put their results there; the
build takes them into its cache): a folder store (``file://``) and an S3 store (moto's server on
a local port, through s3fs). Every cache empty in each build (its own data folder), face search
included; the scene is long enough for two chunks (``ZORGBLIK_CHUNK_S``), so the chunk files go
through the store too. Wall seconds of ``zorgblik build`` as a user runs it, in one run, in the
order shared, folder store, S3 store, repeated ``--rounds`` times.

    PYTHONPATH=. .venv/bin/python bench/dask_store.py [--seconds 4] [--chunk 2] [--rounds 1]
"""

from __future__ import annotations

import argparse
import os
import platform
import socket
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from dask_chunks import SOURCE, load, script, zorgblik  # noqa: E402 - the bench folder's own helpers


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=4.0)
    parser.add_argument("--chunk", type=float, default=2.0, help="ZORGBLIK_CHUNK_S")
    parser.add_argument("--rounds", type=int, default=1)
    parser.add_argument("--preset", default="veryfast")
    args = parser.parse_args()
    from moto.server import ThreadedMotoServer

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    env = dict(os.environ, ZORGBLIK_ENCODER_PRESET=args.preset, ZORGBLIK_CHUNK_S=str(args.chunk),
               AWS_ENDPOINT_URL=f"http://127.0.0.1:{port}", AWS_ACCESS_KEY_ID="bench", AWS_SECRET_ACCESS_KEY="bench",
               AWS_DEFAULT_REGION="us-east-1")
    os.environ.update({k: env[k] for k in env if k.startswith("AWS_")})
    import fsspec

    fsspec.filesystem("s3", skip_instance_cache=True).mkdir("bench")
    print(f"{platform.machine()}, {os.cpu_count()} cores, load {load()}; one {args.seconds:g} s scene, "
          f"chunks of {args.chunk:g} s, preset {args.preset}, profile web", flush=True)
    times: dict[str, list[float]] = {"shared": [], "folder": [], "s3": []}
    try:
        with tempfile.TemporaryDirectory(prefix="zorgblik-bench-store-") as tmp_name:
            tmp = Path(tmp_name)
            path = script(tmp / "script", SOURCE, [("plein", 1.0, 1.0 + args.seconds)])
            for n in range(args.rounds):
                for name, store in (("shared", None), ("folder", f"file://{tmp}/store-{n}"), ("s3", f"s3://bench/r{n}")):
                    extra = ["--store", store] if store else []
                    took = zorgblik(tmp / f"{name}-{n}", "build", str(path), "--profile", "web", "--executor", "dask",
                                    "--jobs", "2", *extra, env=env)
                    times[name].append(took)
                    print(f"round {n + 1}, {name}: {took:.1f} s (load {load()})", flush=True)
    finally:
        server.stop()
    for name in ("folder", "s3"):
        ratios = [t / s for t, s in zip(times[name], times["shared"])]
        print(f"{name} store / shared folder: " + ", ".join(f"{r:.2f}" for r in ratios) + "  ("
              + ", ".join(f"{t - s:+.1f} s" for t, s in zip(times[name], times["shared"])) + ")")


if __name__ == "__main__":
    main()
