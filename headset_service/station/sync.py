"""Sync onto the station's disk with the headset protocol (headset_service/sync.py): the
manifest with its ETag, each missing file downloaded into ``name.part`` and resumed with Range
after a cut, its sha256 checked before it takes its real name, the inventory reported, and
what the service says to remove deleted."""

from __future__ import annotations

import hashlib
import shutil
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import httpx

from pydantic import ValidationError

from headset_service.schemas import SyncManifest
from headset_service.station.errors import StationError

CHUNK = 1 << 20



#: The last sync manifest a station fetched, in its folder: what it plays from while offline.
KEPT_MANIFEST = "manifest.json"


def kept_manifest(folder: Path) -> SyncManifest | None:
    """The sync manifest kept in ``folder``; None when there is none or it is unreadable (an older
    station's file, a cut write): the next sync fetches it whole again."""
    try:
        return SyncManifest.model_validate_json((folder / KEPT_MANIFEST).read_bytes())
    except (OSError, ValidationError):
        return None

@dataclass
class SyncResult:
    held: list[str]
    downloaded: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    offline: bool = False


def os_device_info(folder: Path) -> dict:
    """Free storage where the bundles go, and the battery (psutil, when installed and the PC has
    one); a value the OS cannot give is left out, with the reason beside it."""
    info: dict = {}
    try:
        info["free_bytes"] = shutil.disk_usage(folder).free
    except OSError as error:
        info["storage_reason"] = f"vrije schijfruimte onbekend ({error.strerror or error})"[:200]
    try:
        import psutil
    except ImportError:
        info["battery_reason"] = "accustand onbekend: psutil is niet geïnstalleerd"
        return info
    sensors = getattr(psutil, "sensors_battery", None)
    battery = sensors() if sensors is not None else None
    if battery is None:
        info["battery_reason"] = "station meldt geen accu (pc op netstroom)"
    else:
        info["battery"], info["charging"] = max(0, min(100, round(battery.percent))), bool(battery.power_plugged)
    return info


class SyncClient:
    def __init__(self, base_url: str, folder: Path, token: str | None = None, *, transport: httpx.BaseTransport | None = None):
        self.folder = Path(folder)
        self.folder.mkdir(parents=True, exist_ok=True)
        self.token_file = self.folder / "token"
        self.http = httpx.Client(base_url=base_url, timeout=30, transport=transport)
        if token is None and self.token_file.exists():
            token = self.token_file.read_text().strip()
        self._set_token(token)

    def __enter__(self) -> SyncClient:
        return self

    def __exit__(self, *exc) -> None:
        self.http.close()

    def _set_token(self, token: str | None) -> None:
        self.token = token
        if token:
            self.http.headers["Authorization"] = f"Bearer {token}"

    def pair(self, code: str) -> dict:
        r = self.http.post("/api/headsets/pair", json={"code": code.strip().upper()})
        if r.status_code != 201:  # Created: the headset now exists
            raise StationError(f"koppelen met code {code} lukt niet (HTTP {r.status_code})",
                               hint="vraag de begeleider om een nieuwe koppelcode")
        paired = r.json()
        self._set_token(paired["token"])
        self.token_file.write_text(paired["token"])
        return paired

    def bundle_dir(self, key: str) -> Path:
        return self.folder / "bundles" / key

    def manifest(self) -> SyncManifest:
        """The service's sync manifest (the kept one when the service says it is unchanged)."""
        kept, etag_file = self.folder / KEPT_MANIFEST, self.folder / "manifest.etag"
        held = kept_manifest(self.folder)
        headers = {"If-None-Match": etag_file.read_text()} if held is not None and etag_file.exists() else {}
        r = self.http.get("/api/device/manifest", headers=headers)
        if r.status_code == 304 and held is not None:
            return held
        if r.status_code != 200:
            raise StationError(f"de service weigert de manifest (HTTP {r.status_code})", hint="koppel het station opnieuw")
        try:
            manifest = SyncManifest.model_validate_json(r.content)
        except ValidationError as error:
            raise StationError(f"de manifest van de service is onleesbaar ({error.error_count()} fout(en))",
                               hint="werk het station bij naar de versie van de service") from None
        kept.write_bytes(r.content)
        etag_file.write_text(r.headers.get("etag", ""))
        return manifest

    def download(self, url: str, dest: Path, size: int, sha256: str) -> None:
        """``url`` into ``dest``, resuming ``dest.part`` with Range; sha256 checked."""
        part = dest.with_name(dest.name + ".part")
        dest.parent.mkdir(parents=True, exist_ok=True)
        have = part.stat().st_size if part.exists() else 0
        if have < size:
            headers = {"Range": f"bytes={have}-"} if have else {}
            with self.http.stream("GET", url, headers=headers) as r:
                if r.status_code not in (200, 206):
                    raise StationError(f"{url}: HTTP {r.status_code}")
                mode = "ab" if r.status_code == 206 else "wb"
                with open(part, mode) as f:
                    for chunk in r.iter_bytes(CHUNK):
                        f.write(chunk)
        digest = hashlib.sha256()
        with open(part, "rb") as f:
            while chunk := f.read(CHUNK):
                digest.update(chunk)
        if digest.hexdigest() != sha256:
            part.unlink()
            raise StationError(f"{url}: sha256 klopt niet; wordt opnieuw opgehaald")
        part.replace(dest)

    def sync(self) -> SyncResult:
        try:
            manifest = self.manifest()
        except httpx.TransportError:
            held = sorted(p.name for p in (self.folder / "bundles").glob("*") if (p / ".complete").exists())
            return SyncResult(held=held, offline=True)
        result = SyncResult(held=[])
        for bundle in manifest.bundles:
            folder = self.bundle_dir(bundle.bundle_key)
            complete = True
            for f in bundle.files:
                dest = folder / f.name
                if dest.exists() and dest.stat().st_size == f.bytes:
                    continue
                try:
                    self.download(f.url, dest, f.bytes, f.sha256)
                    result.downloaded.append(f"{bundle.bundle_key}/{f.name}")
                except (StationError, httpx.TransportError):
                    complete = False
            if complete:
                (folder / ".complete").touch()
                result.held.append(bundle.bundle_key)
        device = os_device_info(self.folder)
        answer = self.http.post("/api/device/inventory", json={
            "bundles": sorted(result.held), "free_bytes": device.get("free_bytes"), "battery": device.get("battery"),
            "device": device}).json()
        wanted = {b.bundle_key for b in manifest.bundles}
        for folder in (self.folder / "bundles").glob("*"):
            if folder.name in answer["remove"] or folder.name not in wanted:
                shutil.rmtree(folder)
                result.removed.append(folder.name)
        return result

    # the command channel ---------------------------------------------------------------------
    def commands(self, after: int = 0) -> list[dict]:
        """Session commands after id ``after`` (the polling channel of routes/device.py)."""
        r = self.http.get("/api/device/commands", params={"after": after})
        if r.status_code != 200:
            raise StationError(f"de service weigert de commando's (HTTP {r.status_code})", hint="koppel het station opnieuw")
        return r.json()

    def report(self, status: dict, ack: int | None = None) -> None:
        """Where the station is (state, session_id, bundle_key, position_s), and the last command done."""
        self.http.post("/api/device/status", json={**status, "ack": ack}).raise_for_status()


class CommandFeed(threading.Thread):
    """Polls the command channel every ``every_s`` seconds in the background and hands each new
    command to ``deliver`` (the frame loop's queue); reports ``status()`` with the acknowledgement.
    A Wi-Fi drop only delays commands: unacknowledged ones come again. The last id carried out is
    kept in ``folder/commands.after``, so a restarted station does not replay old sessions."""

    def __init__(self, client: SyncClient, deliver: Callable[[dict], None], status: Callable[[], dict],
                 every_s: float = 1.0):
        super().__init__(name="station commands", daemon=True)
        self.client, self.deliver, self.status, self.every_s = client, deliver, status, every_s
        self.mark = client.folder / "commands.after"
        self.after = int(self.mark.read_text()) if self.mark.exists() else 0
        self.stopping = threading.Event()

    def poll_once(self) -> int:
        """One round: deliver new commands, report; returns how many arrived."""
        fresh = self.client.commands(self.after)
        for command in fresh:
            self.deliver(command)
            self.after = command["id"]
            self.mark.write_text(str(self.after))
        self.client.report(self.status(), ack=self.after or None)
        return len(fresh)

    def run(self) -> None:
        while not self.stopping.is_set():
            try:
                self.poll_once()
            except (httpx.HTTPError, StationError):
                pass  # offline for now: the next round asks again
            self.stopping.wait(self.every_s)

    def stop(self) -> None:
        self.stopping.set()
        self.join(timeout=5)
