"""Session commands and the event log, without a headset: :class:`Session` turns the service's
commands (start, pause, resume, stop, recenter, next) into what the player shows and the events
it logs; :class:`EventLog` keeps events in a JSON-lines file until the service has them.

Around an organisation's scenes the session shows the panels of its learning-workplace profile
(from the sync manifest's ``profiles``, for the start command's ``learner``), as the headset page
does: ``panel`` is the one showing (its text: :func:`scripts_vr.profile_view.panel_lines`), and
``next`` or :meth:`Session.panel_next` ("Verder") moves past it."""

from __future__ import annotations

import json
import threading
import time
import uuid
from collections.abc import Callable
from datetime import datetime, timezone
from pathlib import Path

import httpx

from headset_service.schemas import SyncManifest
from scripts_vr.profile_view import Learner, panels_around

HEAD_EVERY_S = 0.2  # 5 Hz: what the service keeps


class EventLog:
    """Events queued on disk (a Wi-Fi drop loses nothing) and sent in batches, same event ids on retry."""

    def __init__(self, path: Path, http: httpx.Client | None = None, clock: Callable[[], datetime] | None = None):
        self.path = Path(path)
        self.http = http
        self.clock = clock or (lambda: datetime.now(timezone.utc))
        self._lock = threading.Lock()  # the frame loop adds while the command thread flushes

    def add(self, session_id: int, kind: str, data: dict | None = None, bundle_key: str | None = None) -> dict:
        event = {"event_id": uuid.uuid4().hex, "kind": kind, "at": self.clock().isoformat(), "data": data or {}}
        if bundle_key:
            event["bundle_key"] = bundle_key
        with self._lock, open(self.path, "a", encoding="utf-8") as f:
            f.write(json.dumps({"session_id": session_id, "event": event}) + "\n")
        return event

    def pending(self) -> list[dict]:
        if not self.path.exists():
            return []
        return [json.loads(line) for line in self.path.read_text(encoding="utf-8").splitlines() if line.strip()]

    def flush(self) -> int:
        """Send what is queued; returns how many left the queue. Unreachable: they stay."""
        items, sent = self.pending(), set()
        for session_id in dict.fromkeys(i["session_id"] for i in items):
            batch = [i["event"] for i in items if i["session_id"] == session_id][:500]
            try:
                r = self.http.post(f"/api/sessions/{session_id}/events", json={"events": batch})
            except httpx.TransportError:
                break
            if r.status_code >= 500 or r.status_code in (401, 429):
                break
            sent |= {e["event_id"] for e in batch}  # stored, or refused for good (4xx)
        with self._lock:  # what was added while sending stays
            rest = [i for i in self.pending() if i["event"]["event_id"] not in sent]
            self.path.write_text("".join(json.dumps(i) + "\n" for i in rest), encoding="utf-8")
        return len(sent)


class Session:
    """What the station plays. ``state``: idle, playing or paused; ``scene``: the bundle key shown."""

    def __init__(self, log: EventLog, clock: Callable[[], float] = time.monotonic,
                 manifest: Callable[[], SyncManifest | None] = lambda: None, on_panel: Callable[[dict], None] | None = None):
        self.log = log
        self.clock = clock
        self.manifest = manifest  # the last synced manifest: its profiles and which script each bundle is of
        self.panel: dict | None = None
        self.on_panel = on_panel  # shows a panel where the station shows text
        self._panels: dict[int, list[dict]] = {}
        self._panel_at = (0, 0)  # (before which scene, which panel of them)
        self.state = "idle"
        self.id: int | None = None
        self.scenes: list[str] = []
        self.index = -1
        self.record_head = False
        self.recenter_requested = False
        self._last_head = -1e9

    @property
    def scene(self) -> str | None:
        if self.panel is not None:
            return None
        return self.scenes[self.index] if self.id is not None and 0 <= self.index < len(self.scenes) else None

    def handle(self, command: dict) -> None:
        name, session_id = command["command"], command.get("session_id")
        if name == "start":
            if self.id is not None:
                self.finish("nieuwe sessie gestart")
            payload = command.get("payload") or {}
            self.id, self.scenes, self.state = session_id, list(payload.get("scenes", [])), "playing"
            self.record_head = payload.get("record_head_direction") is True and payload.get("context") != "sollicitatie"
            manifest = self.manifest()
            bundles = {b.bundle_key: b.model_dump() for b in manifest.bundles} if manifest else {}
            self._panels = panels_around(self.scenes, bundles, manifest.profiles if manifest else {},
                                         Learner.from_payload(payload.get("learner")), payload.get("context"),
                                         "en" if payload.get("language") == "en" else "nl")
            self.log.add(self.id, "session_start", {"context": payload.get("context"), "scenes": len(self.scenes)})
            self._play(0)
        elif session_id != self.id or self.id is None:
            return  # an old session's command, caught up after being offline
        elif name == "pause" and self.state == "playing":
            self.state = "paused"
        elif name == "resume" and self.state == "paused":
            self.state = "playing"
        elif name == "recenter":
            self.recenter_requested = True
        elif name == "next":
            if self.panel is not None:
                self.panel_next("volgende door begeleider")
            else:
                self.scene_ended("volgende door begeleider")
        elif name == "stop":
            self.finish("gestopt door begeleider")

    def _play(self, index: int) -> None:
        self.index = index
        if self._panels.get(index):
            self._show_panel(index, 0)
            return
        if index >= len(self.scenes):
            self.finish("einde afspeellijst")
            return
        self.log.add(self.id, "scene_start", {"index": index, "mode": "station"}, self.scenes[index])

    def scene_ended(self, reason: str = "einde scène", position_s: float | None = None) -> None:
        if self.scene is None:
            return
        self.log.add(self.id, "scene_end", {"index": self.index, "reason": reason, "position_s": position_s}, self.scene)
        self._play(self.index + 1)

    def _show_panel(self, before: int, position: int) -> None:
        queue = self._panels[before]
        self.panel, self._panel_at = queue[position], (before, position)
        self.log.add(self.id, "panel_show", {"kind": self.panel["kind"], "position": position, "before": before,
                                             "of": len(queue)})
        if self.on_panel is not None:
            self.on_panel(self.panel)

    def panel_next(self, reason: str = "verder door kijker") -> None:
        """ "Verder": the next panel, or on to the scene the panels stood before."""
        if self.panel is None:
            return
        before, position = self._panel_at
        self.log.add(self.id, "panel_end", {"kind": self.panel["kind"], "position": position, "before": before,
                                            "reason": reason})
        if position + 1 < len(self._panels[before]):
            self._show_panel(before, position + 1)
            return
        self.panel = None
        del self._panels[before]
        self._play(before)

    def finish(self, reason: str) -> None:
        if self.id is None:
            return
        if self.panel is not None:
            before, position = self._panel_at
            self.log.add(self.id, "panel_end", {"kind": self.panel["kind"], "position": position, "before": before,
                                                "reason": reason})
            self.panel = None
        elif self.scene is not None:
            self.log.add(self.id, "scene_end", {"index": self.index, "reason": reason}, self.scene)
        self.log.add(self.id, "session_end", {"reason": reason})
        self.id, self.scenes, self.index, self.state, self._panels = None, [], -1, "idle", {}

    def hotspot_opened(self, hotspot_id: str, via: str = "controller") -> None:
        if self.scene is not None:
            self.log.add(self.id, "hotspot_open", {"hotspot": hotspot_id, "via": via}, self.scene)

    def head_pose(self, yaw: float, pitch: float) -> bool:
        """Log where the head looks, at most 5 times a second, never in interviews; True when logged."""
        now = self.clock()
        if self.scene is None or not self.record_head or now - self._last_head < HEAD_EVERY_S:
            return False
        self._last_head = now
        self.log.add(self.id, "head_direction", {"yaw": round(yaw, 1), "pitch": round(pitch, 1)}, self.scene)
        return True
