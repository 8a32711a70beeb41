"""20 headsets download a 1 GB bundle at once over loopback: from zorgblik, from nginx in front of
zorgblik (X-Accel-Redirect), and from nginx alone.

    .venv/bin/python bench/service_download.py            # --headsets 20 --size-mb 1024

In one run, on 127.0.0.1 only:
  1. a temp data folder with one published scene whose quest2 rendition is --size-mb (random
     bytes), 20 enrolled headsets holding it, and ``zorgblik serve`` in its own process;
  2. 20 curl processes fetch the file at once with their device tokens; meanwhile a staff
     client calls GET /api/headsets every 50 ms and records the latency;
  3. the same, through nginx in front of zorgblik: the config ``zorgblik deploy nginx`` writes, the
     service with ZORGBLIK_FILE_SENDER=nginx (it checks each request, nginx sends the bytes); the
     staff client goes through nginx too;
  4. nginx (Debian's nginx-light, run here as our own process with a temp config, sendfile on, as
     many workers as in 3.) serves the same folder with no checks; the same 20 curls.
Aggregate throughput = bytes delivered / wall time from the first start to the last finish.
The temp folder (and the 1 GB file) is deleted at the end.
"""

from __future__ import annotations

import argparse
import getpass
import shutil
import subprocess
import tempfile
import threading
import time
from contextlib import contextmanager
from pathlib import Path

import httpx

from bench.service_common import enrol, free_port, percentile, publish_bundle, running_service
from catalog import Catalog
from headset_service.nginx import nginx_config
from zorgblik.settings import Settings

NGINX_CONF = """daemon off;
master_process on;
user {user};
worker_processes auto;
pid {tmp}/nginx.pid;
error_log {tmp}/nginx-error.log warn;
events {{ worker_connections 256; }}
http {{
    access_log off;
    sendfile on;
    tcp_nopush on;
    client_body_temp_path {tmp}/body;
    proxy_temp_path {tmp}/proxy;
    fastcgi_temp_path {tmp}/fastcgi;
    uwsgi_temp_path {tmp}/uwsgi;
    scgi_temp_path {tmp}/scgi;
    server {{
        listen 127.0.0.1:{port};
        location /bundles/ {{ alias {bundles}/; }}
    }}
}}
"""


def download_all(urls_and_headers: list[tuple[str, dict]], expect_bytes: int) -> tuple[float, int]:
    """Start every curl at once; returns (wall seconds, bytes delivered)."""
    started = time.perf_counter()
    procs = []
    for url, headers in urls_and_headers:
        argv = ["nice", "-n", "10", "curl", "-s", "-o", "/dev/null", "-w", "%{size_download} %{http_code}"]
        for name, value in headers.items():
            argv += ["-H", f"{name}: {value}"]
        procs.append(subprocess.Popen([*argv, url], stdout=subprocess.PIPE, text=True))
    delivered = 0
    for proc in procs:
        out, _ = proc.communicate(timeout=600)
        size, status = out.split()
        if status != "200" or int(size) != expect_bytes:
            raise RuntimeError(f"download failed: HTTP {status}, {size} bytes")
        delivered += int(size)
    return time.perf_counter() - started, delivered


def probe_staff(base: str, token: str, stop: threading.Event, latencies: list[float]) -> None:
    with httpx.Client(base_url=base, headers={"Authorization": f"Bearer {token}"}, timeout=10) as client:
        while not stop.is_set():
            t = time.perf_counter()
            client.get("/api/headsets").raise_for_status()
            latencies.append((time.perf_counter() - t) * 1000)
            stop.wait(0.05)


def downloads_while_staff_ask(base: str, path: str, tokens: list[str], size: int,
                              staff_token: str) -> tuple[float, int, list[float]]:
    """Every headset fetches ``path`` from ``base`` at once while a staff client asks for the
    headset list every 50 ms: (wall s, bytes delivered, staff latencies ms)."""
    latencies: list[float] = []
    stop = threading.Event()
    prober = threading.Thread(target=probe_staff, args=(base, staff_token, stop, latencies))
    prober.start()
    try:
        wall, delivered = download_all([(base + path, {"Authorization": f"Bearer {t}"}) for t in tokens], size)
    finally:
        stop.set()
        prober.join()
    return wall, delivered, latencies


@contextmanager
def nginx_running(conf: Path, port: int, *extra: str):
    """nginx with ``conf`` (in the foreground, as our own process) until the block ends; yields its URL."""
    nginx = shutil.which("nginx") or "/usr/sbin/nginx"
    proc = subprocess.Popen([nginx, "-c", str(conf), *extra], stderr=subprocess.PIPE)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 10
        while True:
            try:
                httpx.get(f"{url}/", timeout=1)
                break
            except httpx.TransportError:
                if proc.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError(f"nginx did not start: {proc.stderr.read().decode()}")
                time.sleep(0.05)
        yield url
    finally:
        proc.terminate()
        proc.wait(timeout=10)
        proc.stderr.close()


def run_nginx(bundles: Path, tmp: Path, jobs: list[str], size: int) -> tuple[float, int]:
    port = free_port()
    conf = tmp / "nginx.conf"
    conf.write_text(NGINX_CONF.format(tmp=tmp, port=port, bundles=bundles, user=getpass.getuser()))
    with nginx_running(conf, port, "-p", str(tmp)) as url:
        return download_all([(f"{url}{path}", {}) for path in jobs], size)


def run_behind_nginx(settings: Settings, tmp: Path, tokens: list[str], path: str, size: int,
                     staff_token: str) -> tuple[float, int, list[float]]:
    """The downloads and the staff calls through nginx in front of zorgblik: (wall, bytes, staff ms)."""
    run_dir = tmp / "deploy"
    run_dir.mkdir()
    port = free_port()
    with running_service(settings.data_dir, file_sender="nginx") as base:
        conf = run_dir / "nginx.conf"
        conf.write_text(nginx_config(settings, port, run_dir, service=base.removeprefix("http://")))
        with nginx_running(conf, port, "-g", "daemon off;") as front:
            return downloads_while_staff_ask(front, path, tokens, size, staff_token)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--headsets", type=int, default=20)
    parser.add_argument("--size-mb", type=int, default=1024)
    args = parser.parse_args()
    size = args.size_mb << 20
    if not shutil.which("nginx") and not Path("/usr/sbin/nginx").exists():
        raise SystemExit("nginx ontbreekt: apt-get install -y nginx-light")
    with tempfile.TemporaryDirectory(prefix="zorgblik-bench-") as tmp_name:
        tmp = Path(tmp_name)
        settings = Settings.from_env({}, data_dir=tmp / "data")
        with Catalog(settings.catalog_url) as catalog:
            key = publish_bundle(settings, catalog, size)
            staff_token, tokens, _ = enrol(catalog, args.headsets)
        path = f"/bundles/{key}/scene.quest2.mp4"
        print(f"{args.headsets} headsets x {args.size_mb} MiB, loopback, {Path('/proc/cpuinfo').read_text().count('processor')} cores")

        with running_service(settings.data_dir) as base:
            wall, delivered, latencies = downloads_while_staff_ask(base, path, tokens, size, staff_token)
        ours = delivered / wall / 1e6
        print(f"zorgblik: {delivered / 1e9:.1f} GB in {wall:.1f} s = {ours:.0f} MB/s aggregate")
        print(f"  staff GET /api/headsets during it: n={len(latencies)} p50={percentile(latencies, 50):.1f} ms "
              f"p99={percentile(latencies, 99):.1f} ms max={max(latencies):.1f} ms")

        wall_f, delivered_f, latencies_f = run_behind_nginx(settings, tmp, tokens, path, size, staff_token)
        fronted = delivered_f / wall_f / 1e6
        print(f"nginx + zorgblik: {delivered_f / 1e9:.1f} GB in {wall_f:.1f} s = {fronted:.0f} MB/s aggregate")
        print(f"  staff GET /api/headsets during it: n={len(latencies_f)} p50={percentile(latencies_f, 50):.1f} ms "
              f"p99={percentile(latencies_f, 99):.1f} ms max={max(latencies_f):.1f} ms")

        wall_n, delivered_n = run_nginx(settings.bundles_dir, tmp, [path] * args.headsets, size)
        theirs = delivered_n / wall_n / 1e6
        print(f"nginx alone: {delivered_n / 1e9:.1f} GB in {wall_n:.1f} s = {theirs:.0f} MB/s aggregate")
        print(f"ratio zorgblik/nginx alone: {ours / theirs:.2f}")
        print(f"ratio nginx + zorgblik / nginx alone: {fronted / theirs:.2f}")


if __name__ == "__main__":
    main()
