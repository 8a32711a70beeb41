"""nginx in front of the service: the service checks every bundle-file request (token, playlist,
file list) and nginx sends the bytes (sendfile, Range, many headsets at once).

With ``file_sender = "nginx"`` the bundle-file route answers a request it allows with an empty
response whose ``X-Accel-Redirect`` header names the file under :data:`INTERNAL`; nginx, which
alone may serve that location, sends the file itself. Everything else goes through to the service
unchanged (pages, API, WebSocket, uploads). :func:`nginx_config` writes a config for one data
folder that runs as an ordinary user: its pid, logs and temporary files in a folder of its own.
"""

from __future__ import annotations

import getpass
from pathlib import Path
from urllib.parse import quote

from zorgblik.errors import ZorgblikError
from zorgblik.settings import Settings

#: The two senders of bundle files (``Settings.file_sender``).
SENDERS = ("service", "nginx")
#: nginx's internal location of the bundles folder: no request from outside reaches it.
INTERNAL = "/_zorgblik_bundles/"

#: The types of the files in a bundle (nginx's own mime.types is not everywhere at the same path).
_TYPES = {"video/mp4": "mp4", "image/jpeg": "jpg jpeg", "image/png": "png", "application/json": "json",
          "text/vtt": "vtt", "model/obj": "obj"}


class DeployError(ZorgblikError):
    """A deployment setting that cannot work (an unknown file sender, a port out of range)."""


def check_file_sender(settings: Settings) -> str:
    if settings.file_sender not in SENDERS:
        raise DeployError(f"file_sender {settings.file_sender!r} bestaat niet",
                          hint="zet ZORGBLIK_FILE_SENDER op 'service' of 'nginx'")
    return settings.file_sender


def accel_redirect(bundle_key: str, name: str) -> str:
    """The internal location nginx sends ``bundle_key/name`` from."""
    return f"{INTERNAL}{quote(bundle_key)}/{quote(name)}"


def nginx_config(settings: Settings, listen: int, run_dir: Path, service: str | None = None) -> str:
    """An nginx config that listens on ``listen`` and puts nginx in front of the service at
    ``service`` (default: the settings' host and port); its pid, logs and temporary files go in
    ``run_dir``. Start it with ``nginx -c FILE`` (as the user that owns the data folder: the
    bundles are readable by that user only)."""
    if not 0 < listen < 65536:
        raise DeployError(f"poort {listen} bestaat niet", hint="kies een poort tussen 1 en 65535")
    upstream = service or f"{settings.host}:{settings.port}"
    bundles = Path(settings.bundles_dir).resolve()
    run = Path(run_dir).resolve()
    types = "\n".join(f"        {mime} {ext};" for mime, ext in _TYPES.items())
    temp = "\n".join(f"    {kind}_temp_path {run / kind};" for kind in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi"))
    return f"""# zorgblik: nginx in front of the headset service (written by `zorgblik deploy nginx`).
# The service must run with ZORGBLIK_FILE_SENDER=nginx and ZORGBLIK_DATA_DIR={settings.data_dir}
# Start: nginx -c THIS_FILE    Stop: nginx -c THIS_FILE -s quit
user {getpass.getuser()};  # the data folder's owner (ignored when nginx is not started as root)
worker_processes auto;
pid {run / "nginx.pid"};
error_log {run / "error.log"} warn;
events {{ worker_connections 1024; }}

http {{
    types {{
{types}
    }}
    default_type application/octet-stream;
    access_log off;  # headsets and staff: no addresses in a log nobody reads
    server_tokens off;
    sendfile on;
    tcp_nopush on;
{temp}

    upstream zorgblik {{
        server {upstream};
        keepalive 16;
    }}
    map $http_upgrade $connection_upgrade {{
        default upgrade;
        '' close;
    }}

    server {{
        listen {listen};
        client_max_body_size 0;  # uploads: the service itself refuses what is too large

        location / {{
            proxy_pass http://zorgblik;
            proxy_http_version 1.1;
            proxy_set_header Host $http_host;
            proxy_set_header X-Forwarded-For $remote_addr;
            proxy_set_header X-Forwarded-Proto $scheme;
            proxy_set_header Upgrade $http_upgrade;
            proxy_set_header Connection $connection_upgrade;
            proxy_request_buffering off;
            proxy_buffering off;
            proxy_read_timeout 1h;
        }}

        location {INTERNAL} {{
            internal;
            alias {bundles}/;
        }}
    }}
}}
"""
