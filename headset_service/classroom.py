"""A class in step: every headset of a run (the sessions a group started together) starts each
scene at the same server time, holds at its end, and moves on at the teacher's "verder".

    teacher starts the group ──► each headset loads scene 0, paused at its first frame
    headset ──► {"type": "loaded", "session_id", "index", "rtt_ms", "start_ms"}
    all online headsets loaded (or LOAD_WAIT_S passed) ──► T = now + margin
        margin: MIN_MARGIN_MS + twice the worst round trip + the slowest headset's start latency
        (how long its video takes to show a frame once set going; it sets it going that much early)
    service ──► {"type": "play_at", "session_id", "index", "at_ms": T}   each maps T onto its own clock
    "verder" ──► {"type": "load", "session_id", "index": i + 1}         and round again
    pause    ──► {"type": "hold", "session_id", "index", "position_s"}  resume: play_at with a new T
    headset (re)connects ──► {"type": "join", "session_id"}: it gets the run's current cue
    a headset without a WebSocket (polling) sends the same over HTTP and asks for the current cue
    (GET /api/device/cue) as often as it polls: it follows the class, a poll interval late at worst

The timing lives here, in memory; who is in a run and what it plays come from the catalog
(:func:`catalog.runs.run_plan`). Handlers and the socket call in from worker threads and the event
loop alike: one lock guards every run.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field

from catalog import runs
from catalog.runs import RunPlan
from headset_service.live import Live

LOAD_WAIT_S = 4.0  # how long a run waits for its last online headsets to load a scene
MIN_MARGIN_MS = 300.0  # T is at least this far ahead: the message must reach every headset first
MAX_MARGIN_MS = 2500.0
DEFAULT_RTT_MS = 50.0  # a headset that has not measured its round trip yet
MAX_START_MS = 1000.0  # start latencies a headset reports are believed up to this


def wall_ms() -> float:
    """The service's clock, as headsets learn it from the pong answers: Unix time in ms."""
    return time.time() * 1000.0


@dataclass
class Run:
    plan: RunPlan
    index: int = 0
    at_ms: float | None = None  # the server time at which scene ``index`` is (or was) at 0:00
    paused_s: float | None = None  # where the class holds while paused
    loaded: set[int] = field(default_factory=set)  # sessions ready at 0 for ``index``
    rtt_ms: dict[int, float] = field(default_factory=dict)
    start_ms: dict[int, float] = field(default_factory=dict)
    timer: threading.Timer | None = None

    @property
    def finished(self) -> bool:
        return self.index >= len(self.plan.scenes)

    @property
    def state(self) -> str:
        """loading | playing | paused | finished (as the projector page shows it)."""
        if self.finished:
            return "finished"
        if self.paused_s is not None:
            return "paused"
        return "loading" if self.at_ms is None else "playing"


class Classroom:
    def __init__(self, live: Live, clock: Callable[[], float] = wall_ms):
        self._live = live
        self._clock = clock
        self._lock = threading.RLock()
        self._runs: dict[str, Run] = {}

    # who is in a run -------------------------------------------------------------------------------
    def knows(self, run: str) -> bool:
        with self._lock:
            return run in self._runs

    def ensure(self, plan: RunPlan) -> None:
        """Follow ``plan``'s run (keeping its timing when it is followed already)."""
        with self._lock:
            found = self._runs.get(plan.run)
            if found is None:
                self._runs[plan.run] = Run(plan)
            else:
                found.plan = plan

    def follow(self, db, run: str | None, refresh: bool = False) -> bool:
        """Follow ``run``, from the catalog when it is not followed yet (the service restarted) or
        ``refresh`` asks for its plan afresh; False: there is no such run."""
        if run is None:
            return False
        if self.knows(run) and not refresh:
            return True
        plan = runs.run_plan(db, run)
        if plan is not None:
            self.ensure(plan)
        return plan is not None

    def follow_group(self, db, group) -> str | None:
        """The group's current run, followed; None: none."""
        run = runs.group_run(db, group) if group is not None else None
        self.follow(db, run)
        return run

    def step(self, run: str, command: str) -> None:
        """A staff command for the whole class: next ("Verder"), pause, resume or stop; others change no timing."""
        action = {"next": self.advance, "pause": self.pause, "resume": self.resume, "stop": self.forget}.get(command)
        if action is not None:
            action(run)

    def forget(self, run: str) -> None:
        with self._lock:
            found = self._runs.pop(run, None)
            if found and found.timer:
                found.timer.cancel()

    # what headsets tell the service ---------------------------------------------------------------
    def loaded(self, run: str, session_id: int, index: int, rtt_ms: float | None = None,
               start_ms: float | None = None) -> None:
        """A headset is ready at 0:00 of scene ``index`` (its clock's round trip and start latency, in ms)."""
        with self._lock:
            r = self._runs.get(run)
            if r is None or session_id not in r.plan.sessions:
                return
            if rtt_ms is not None:
                r.rtt_ms[session_id] = float(rtt_ms)
            if start_ms is not None:
                r.start_ms[session_id] = min(MAX_START_MS, max(0.0, float(start_ms)))
            if index == r.index and r.at_ms is None:
                r.loaded.add(session_id)
                if r.paused_s is None:
                    self._start_when_ready(r)
                    return
            self._cue(r, session_id)  # late, behind or paused: the run's current scene and time

    def join(self, run: str, session_id: int) -> None:
        """A headset (re)connected: tell it where the class is."""
        with self._lock:
            r = self._runs.get(run)
            if r is not None and session_id in r.plan.sessions:
                self._cue(r, session_id)

    # what the teacher does ------------------------------------------------------------------------
    def advance(self, run: str) -> int | None:
        """"Verder": every headset loads the next scene; returns its index (None: run unknown)."""
        with self._lock:
            r = self._runs.get(run)
            if r is None:
                return None
            if r.timer:
                r.timer.cancel()
            r.index, r.at_ms, r.paused_s, r.loaded, r.timer = r.index + 1, None, None, set(), None
            for session_id in r.plan.sessions:
                self._send(r, session_id, {"type": "load", "index": r.index})
            return r.index

    def pause(self, run: str) -> None:
        with self._lock:
            r = self._runs.get(run)
            if r is None or r.paused_s is not None:
                return
            r.paused_s = self._position(r)
            for session_id in r.plan.sessions:
                self._cue(r, session_id)

    def resume(self, run: str) -> None:
        with self._lock:
            r = self._runs.get(run)
            if r is None or r.paused_s is None:
                return
            held, r.paused_s = r.paused_s, None
            if r.at_ms is None:  # paused before it started: start when all have loaded
                self._start_when_ready(r)
                return
            r.at_ms = self._clock() + self._margin(r) - held * 1000.0
            for session_id in r.plan.sessions:
                self._cue(r, session_id)

    # what pages show ------------------------------------------------------------------------------
    def view(self, run: str) -> dict | None:
        """The run now: index, bundle_key, state, at_ms, position_s, server_ms."""
        with self._lock:
            r = self._runs.get(run)
            if r is None:
                return None
            return {"run": run, "index": r.index, "scenes": len(r.plan.scenes), "state": r.state,
                    "bundle_key": None if r.finished else r.plan.scenes[r.index], "at_ms": r.at_ms,
                    "position_s": self._position(r), "server_ms": self._clock(), "context": r.plan.context,
                    "loaded": len(r.loaded), "sessions": dict(r.plan.sessions)}

    # inside ---------------------------------------------------------------------------------------
    def _position(self, r: Run) -> float:
        if r.paused_s is not None:
            return r.paused_s
        if r.at_ms is None:
            return 0.0
        return max(0.0, (self._clock() - r.at_ms) / 1000.0)

    def _margin(self, r: Run) -> float:
        worst = max((r.rtt_ms.get(s, DEFAULT_RTT_MS) for s in r.plan.sessions), default=DEFAULT_RTT_MS)
        slowest = max((r.start_ms.get(s, 0.0) for s in r.plan.sessions), default=0.0)
        return min(MAX_MARGIN_MS, MIN_MARGIN_MS + 2 * worst + slowest)

    def _online(self, r: Run) -> set[int]:
        return {s for s, h in r.plan.sessions.items() if self._live.view(h).get("via") == "websocket"}

    def _start_when_ready(self, r: Run) -> None:
        if r.paused_s is not None or r.at_ms is not None:
            return
        if self._online(r) <= r.loaded:
            self._start(r)
        elif r.timer is None and r.loaded:
            index = r.index
            r.timer = threading.Timer(LOAD_WAIT_S, self._start_late, (r.plan.run, index))
            r.timer.daemon = True
            r.timer.start()

    def _start_late(self, run: str, index: int) -> None:
        """The wait is over: start those ready; the others join at the right time when they load."""
        with self._lock:
            r = self._runs.get(run)
            if r is not None and r.index == index and r.at_ms is None and r.paused_s is None and r.loaded:
                self._start(r)

    def _start(self, r: Run) -> None:
        if r.timer:
            r.timer.cancel()
            r.timer = None
        r.at_ms = self._clock() + self._margin(r)
        for session_id in r.plan.sessions:
            self._cue(r, session_id)

    def cue(self, run: str, session_id: int) -> dict | None:
        """The run's current cue for ``session_id``, for a headset that polls (no WebSocket); None: not in it."""
        with self._lock:
            r = self._runs.get(run)
            if r is None or session_id not in r.plan.sessions:
                return None
            return {**self._current(r), "session_id": session_id}

    def _current(self, r: Run) -> dict:
        """The run's current scene and time, as a cue."""
        if r.paused_s is not None:
            return {"type": "hold", "index": r.index, "position_s": r.paused_s}
        if r.at_ms is not None:
            return {"type": "play_at", "index": r.index, "at_ms": r.at_ms}
        return {"type": "load", "index": r.index}

    def _cue(self, r: Run, session_id: int) -> None:
        self._send(r, session_id, self._current(r))

    def _send(self, r: Run, session_id: int, message: dict) -> None:
        self._live.send(r.plan.sessions[session_id], {**message, "session_id": session_id})
