"""Live state of the fleet, in memory: which headsets are connected, what each one shows, and
the WebSocket queues that carry session commands to them.

Handlers run in worker threads; :meth:`Live.send` hands a message to the event loop of each of
the headset's sockets thread-safely. Commands are also in the database (``headset_commands``),
so a headset that was offline, or polls, gets them from there: this is only the fast path.
"""

from __future__ import annotations

import asyncio
import threading
import time
from dataclasses import dataclass, field

ONLINE_WINDOW_S = 30.0  # a polling headset counts as online this long after it last asked
CLOSE = {"type": "close"}  # put on a socket's queue to end it (the headset was revoked)


@dataclass
class _Headset:
    sockets: set[tuple[asyncio.AbstractEventLoop, asyncio.Queue]] = field(default_factory=set)
    seen: float = 0.0
    status: dict = field(default_factory=dict)


class Live:
    def __init__(self, clock=time.monotonic):
        self._lock = threading.Lock()
        self._headsets: dict[int, _Headset] = {}
        self._clock = clock

    def _get(self, headset_id: int) -> _Headset:
        return self._headsets.setdefault(headset_id, _Headset())

    def connect(self, headset_id: int) -> asyncio.Queue:
        """A queue for a new socket of ``headset_id``; call from the socket's event loop."""
        queue: asyncio.Queue = asyncio.Queue()
        with self._lock:
            entry = self._get(headset_id)
            entry.sockets.add((asyncio.get_running_loop(), queue))
            entry.seen = self._clock()
        return queue

    def disconnect(self, headset_id: int, queue: asyncio.Queue) -> None:
        with self._lock:
            entry = self._get(headset_id)
            entry.sockets = {s for s in entry.sockets if s[1] is not queue}
            entry.seen = self._clock()

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
        with self._lock:
            self._get(headset_id).seen = self._clock()

    def report(self, headset_id: int, status: dict) -> None:
        with self._lock:
            entry = self._get(headset_id)
            entry.status = dict(status)
            entry.seen = self._clock()

    def view(self, headset_id: int) -> dict:
        """``online``, ``via`` (websocket | polling | None) and the last status the headset reported."""
        with self._lock:
            entry = self._headsets.get(headset_id) or _Headset()
            connected = bool(entry.sockets)
            recent = entry.seen and self._clock() - entry.seen < ONLINE_WINDOW_S
            return {"online": connected or bool(recent),
                    "via": "websocket" if connected else ("polling" if recent else None),
                    **entry.status}
