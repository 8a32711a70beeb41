"""Live state of the fleet, in memory: which headsets are connected, what each one shows, and
the WebSocket queues that carry session commands to them.

Online means *heard from* within :data:`ONLINE_WINDOW_S`: every WebSocket message, status report,
poll and sync counts, an open socket alone does not (a headset whose Wi-Fi went keeps a
half-open socket for a minute). The headset page reports its status every few seconds, so a
closed page is offline within 15 s on every page that asks (they ask every second or faster).

Handlers run in worker threads; :meth:`Live.send` hands a message to the event loop of each of
the headset's sockets thread-safely. Commands are also in the database (``headset_commands``),
so a headset that was offline, or polls, gets them from there: this is only the fast path.
"""

from __future__ import annotations

import asyncio
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime

from catalog.models import utcnow

ONLINE_WINDOW_S = 15.0  # a headset is online this long after it was last heard from
CLOSE = {"type": "close"}  # put on a socket's queue to end it (the headset was revoked)


@dataclass
class _Headset:
    sockets: set[tuple[asyncio.AbstractEventLoop, asyncio.Queue]] = field(default_factory=set)
    seen: float = 0.0
    heard_at: datetime | None = None  # the same moment as ``seen``, as naive UTC for the catalog
    status: dict = field(default_factory=dict)
    reports: int = 0  # how many status reports so far: a page waiting for the next one passes the count it has
    device: dict | None = None  # battery / storage as last reported (stored when it changes)


class Live:
    """``clock``: seconds, for the online window (monotonic); ``wall``: naive UTC for the catalog
    (when a session's headset was last heard of). Tests pass fakes of both."""

    def __init__(self, clock: Callable[[], float] = time.monotonic, wall: Callable[[], datetime] = utcnow):
        self._lock = threading.Lock()
        self._reported = threading.Condition(self._lock)  # notified on every status report
        self._headsets: dict[int, _Headset] = {}
        self._clock = clock
        self._wall = wall

    def _heard(self, entry: _Headset) -> None:
        entry.seen, entry.heard_at = self._clock(), self._wall()

    def _get(self, headset_id: int) -> _Headset:
        return self._headsets.setdefault(headset_id, _Headset())

    def connect(self, headset_id: int) -> asyncio.Queue:
        """A queue for a new socket of ``headset_id``; call from the socket's event loop."""
        queue: asyncio.Queue = asyncio.Queue()
        with self._lock:
            entry = self._get(headset_id)
            entry.sockets.add((asyncio.get_running_loop(), queue))
            self._heard(entry)
        return queue

    def disconnect(self, headset_id: int, queue: asyncio.Queue) -> None:
        with self._lock:
            entry = self._get(headset_id)
            entry.sockets = {s for s in entry.sockets if s[1] is not queue}

    def send(self, headset_id: int, message: dict) -> int:
        """Hand ``message`` to every socket of the headset; returns how many got it."""
        with self._lock:
            sockets = list(self._get(headset_id).sockets)
        for loop, queue in sockets:
            loop.call_soon_threadsafe(queue.put_nowait, message)
        return len(sockets)

    def close(self, headset_id: int) -> None:
        self.send(headset_id, CLOSE)

    def seen(self, headset_id: int) -> None:
        """The headset said something (a socket message, a poll, a sync)."""
        with self._lock:
            self._heard(self._get(headset_id))

    def report(self, headset_id: int, status: dict) -> None:
        with self._lock:
            entry = self._get(headset_id)
            entry.status = dict(status)
            entry.reports += 1
            self._heard(entry)
            self._reported.notify_all()

    def reports(self, headset_id: int) -> int:
        """How many status reports the headset made since the service started (see :meth:`wait_for_report`)."""
        with self._lock:
            entry = self._headsets.get(headset_id)
            return entry.reports if entry is not None else 0

    def wait_for_report(self, headset_id: int, after: int, timeout: float) -> None:
        """Block (a worker thread) until the headset's report count passes ``after``, or ``timeout`` s:
        a staff page that follows a headset (meekijken) asks again at once and gets its next report."""
        with self._reported:
            self._reported.wait_for(lambda: self._get(headset_id).reports > after, timeout)

    def device_changed(self, headset_id: int, device: dict) -> bool:
        """Keep what the headset says of itself (battery, storage); True when it differs from the
        last report, so the caller stores it (a report every few seconds, a write now and then)."""
        with self._lock:
            entry = self._get(headset_id)
            changed = entry.device != device
            entry.device = dict(device)
            return changed

    def _online(self, entry: _Headset) -> bool:
        return entry.heard_at is not None and self._clock() - entry.seen < ONLINE_WINDOW_S

    def online(self, headset_id: int) -> bool:
        with self._lock:
            entry = self._headsets.get(headset_id)
            return entry is not None and self._online(entry)

    def last_heard(self, headset_id: int) -> datetime | None:
        """When the headset was last heard from (naive UTC), None when not since the service started."""
        with self._lock:
            entry = self._headsets.get(headset_id)
            return entry.heard_at if entry is not None else None

    def now(self):
        """The wall clock the live state keeps time by (naive UTC)."""
        return self._wall()

    def known(self) -> list[int]:
        """Every headset heard of since the service started."""
        with self._lock:
            return list(self._headsets)

    def view(self, headset_id: int) -> dict:
        """``online`` (heard from within the window), ``via`` (websocket while a socket is open,
        else polling; None when offline) and the last status the headset reported."""
        with self._lock:
            entry = self._headsets.get(headset_id) or _Headset()
            online = self._online(entry)
            via = ("websocket" if entry.sockets else "polling") if online else None
            return {"online": online, "via": via, **entry.status}
