"""nginx in front of the service (#16): the service checks each bundle-file request, a real nginx
started with the config `zorgblik deploy nginx` writes sends the bytes (Range included), and what
the service refuses nginx does not send."""

from __future__ import annotations

import shutil
import socket
import subprocess
import time
from collections.abc import Iterator

import httpx
import pytest
from click.testing import CliRunner

from headset_service.nginx import INTERNAL, DeployError, nginx_config
from zorgblik.settings import Settings

NGINX = shutil.which("nginx") or "/usr/sbin/nginx"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _answers(url: str) -> bool:
    try:
        httpx.get(url, timeout=1)
        return True
    except httpx.TransportError:
        return False


@pytest.fixture(scope="module")
def behind_nginx(harness_with, tmp_path_factory) -> Iterator[tuple[object, str]]:
    """A service with file_sender=nginx, and a real nginx in front of it; (harness, nginx's URL)."""
    run_dir = tmp_path_factory.mktemp("nginx")
    with harness_with(file_sender="nginx") as harness:
        conf = run_dir / "nginx.conf"
        listen = _free_port()
        conf.write_text(nginx_config(harness.settings, listen, run_dir, service=harness.base_url.removeprefix("http://")))
        nginx = subprocess.Popen([NGINX, "-c", str(conf), "-g", "daemon off;"], stderr=subprocess.PIPE)
        url = f"http://127.0.0.1:{listen}"
        try:
            deadline = time.monotonic() + 20
            while not _answers(url):
                assert nginx.poll() is None, nginx.stderr.read().decode()
                assert time.monotonic() < deadline, "nginx answered nothing within 20 s"
                time.sleep(0.05)
            yield harness, url
        finally:
            nginx.terminate()
            nginx.wait(timeout=10)
            nginx.stderr.close()


def _headset_with(harness, scene: str) -> tuple[str, str]:
    """A headset that may play a new bundle: (bundle key, device token)."""
    key = harness.bundle(scene)
    playlist = harness.playlist(f"Nginx {scene}", [key])
    headset_id, token = harness.enrol(harness.unique("Quest nginx"))
    harness.staff("admin").put(f"/api/headsets/{headset_id}/playlists",
                               json={"playlist_ids": [playlist]}).raise_for_status()
    return key, token


def _media(harness, key: str) -> tuple[str, bytes]:
    name = next(p.name for p in (harness.settings.bundles_dir / key).iterdir() if p.name.endswith(".quest2.mp4"))
    return name, (harness.settings.bundles_dir / key / name).read_bytes()


def test_nginx_sends_the_bytes_the_service_allows_with_range(behind_nginx):
    harness, url = behind_nginx
    key, token = _headset_with(harness, "huiskamer")
    name, data = _media(harness, key)
    with httpx.Client(base_url=url, headers={"Authorization": f"Bearer {token}"}, timeout=10) as headset:
        whole = headset.get(f"/bundles/{key}/{name}")
        assert whole.status_code == 200 and whole.content == data, whole.text[:300]
        assert whole.headers["server"] == "nginx" and "x-accel-redirect" not in whole.headers
        part = headset.get(f"/bundles/{key}/{name}", headers={"Range": "bytes=1000-1999"})
        assert part.status_code == 206 and part.content == data[1000:2000]
        assert part.headers["content-range"] == f"bytes 1000-1999/{len(data)}"
        sync = headset.get("/api/device/manifest")  # everything else still reaches the service
        assert sync.status_code == 200 and [b["bundle_key"] for b in sync.json()["bundles"]] == [key]


def test_the_service_itself_sends_no_bytes_only_where_nginx_finds_them(behind_nginx):
    harness, _ = behind_nginx
    key, token = _headset_with(harness, "tuin")
    name, _ = _media(harness, key)
    direct = httpx.get(f"{harness.base_url}/bundles/{key}/{name}", headers={"Authorization": f"Bearer {token}"})
    assert direct.status_code == 200 and direct.content == b""
    assert direct.headers["x-accel-redirect"] == f"{INTERNAL}{key}/{name}"


def test_what_the_service_refuses_nginx_does_not_send(behind_nginx, error_shape):
    harness, url = behind_nginx
    key, token = _headset_with(harness, "gang")
    name, _ = _media(harness, key)
    headset_id = harness.staff("admin").get("/api/headsets").raise_for_status().json()[-1]["id"]
    harness.staff("admin").post(f"/api/headsets/{headset_id}/revoke").raise_for_status()
    with httpx.Client(base_url=url, timeout=10) as outsider:
        error_shape(outsider.get(f"/bundles/{key}/{name}", headers={"Authorization": f"Bearer {token}"}), 401)
        error_shape(outsider.get(f"/bundles/{key}/{name}"), 401)
        assert outsider.get(f"{INTERNAL}{key}/{name}").status_code == 404  # internal: not from outside
        assert outsider.get(f"/bundles/{key}/..%2F..%2Fzorgblik.db").status_code in (401, 404)


def test_zorgblik_deploy_nginx_writes_a_config_nginx_accepts(tmp_path):
    from cli import cli

    data = tmp_path / "data"
    result = CliRunner().invoke(cli, ["--data", str(data), "deploy", "nginx", "--listen", "8089"])
    assert result.exit_code == 0, result.output
    conf = data / "nginx" / "nginx.conf"
    text = conf.read_text()
    assert "listen 8089;" in text and f"alias {(data / 'bundles').resolve()}/;" in text
    checked = subprocess.run([NGINX, "-t", "-c", str(conf)], capture_output=True, text=True)
    assert checked.returncode == 0, checked.stderr


def test_an_unknown_file_sender_or_port_is_named(tmp_path):
    from headset_service import create_app

    with pytest.raises(DeployError, match="file_sender 'apache' bestaat niet"):
        create_app(Settings.from_env({}, data_dir=tmp_path, file_sender="apache"))
    with pytest.raises(DeployError, match="poort 70000 bestaat niet"):
        nginx_config(Settings.from_env({}, data_dir=tmp_path), 70000, tmp_path)
