"""Event ingest at 50 headsets x 5 Hz: sustained events/s and the latency of each batch.

    .venv/bin/python bench/service_events.py               # --headsets 50 --hz 5 --seconds 20
    .venv/bin/python -m bench.service_events --burst 10    # 50 headsets posting at the same instant, 10 times

Each simulated headset has a session and, once a second, posts the last second's events as one
batch: --hz head-direction samples (yaw/pitch), plus a scene_start in its first batch. A tenth
of the batches is sent twice (a retry after a lost answer), which must store nothing new. The
service is ``zorgblik serve`` in its own process on 127.0.0.1, with a temp data folder that is
deleted at the end. Reported: events stored per second over the run, and p50/p99/max latency
of a batch POST.
"""

from __future__ import annotations

import argparse
import asyncio
import tempfile
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

import httpx

from bench.service_common import enrol, percentile, publish_bundle, running_service
from catalog import Catalog
from zorgblik.settings import Settings


async def headset(client: httpx.AsyncClient, n: int, token: str, session: int, key: str, hz: int, seconds: int,
                  start: float, latencies: list[float], stored: list[int]) -> None:
    headers = {"Authorization": f"Bearer {token}"}
    t0 = datetime(2026, 11, 24, 9, 0, tzinfo=timezone.utc)
    await asyncio.sleep(n / 50)  # headsets do not tick in step
    for second in range(seconds):
        events = [{"event_id": f"bench-h{n:02d}-s{second:03d}-{k}", "kind": "head_direction",
                   "at": (t0 + timedelta(seconds=second + k / hz)).isoformat(), "bundle_key": key,
                   "data": {"yaw": (second * 7 + k) % 360, "pitch": 0}} for k in range(hz)]
        if second == 0:
            events.insert(0, {"event_id": f"bench-h{n:02d}-start", "kind": "scene_start", "at": t0.isoformat(), "bundle_key": key})
        for attempt in range(2 if (n + second) % 10 == 0 else 1):
            t = time.perf_counter()
            response = await client.post(f"/api/sessions/{session}/events", json={"events": events}, headers=headers)
            latencies.append((time.perf_counter() - t) * 1000)
            response.raise_for_status()
            stored.append(response.json()["stored"])
        next_tick = start + n / 50 + second + 1
        await asyncio.sleep(max(0.0, next_tick - time.perf_counter()))


async def run(base: str, tokens: list[str], sessions: list[int], key: str, hz: int, seconds: int) -> None:
    latencies: list[float] = []
    stored: list[int] = []
    limits = httpx.Limits(max_connections=len(tokens), max_keepalive_connections=len(tokens))
    async with httpx.AsyncClient(base_url=base, limits=limits, timeout=30) as client:
        start = time.perf_counter()
        await asyncio.gather(*(headset(client, n, t, s, key, hz, seconds, start, latencies, stored)
                               for n, (t, s) in enumerate(zip(tokens, sessions))))
        wall = time.perf_counter() - start
    offered = len(tokens) * (hz * seconds + 1)
    print(f"{len(tokens)} headsets x {hz} Hz for {seconds} s: {len(latencies)} batch POSTs "
          f"({sum(1 for _ in latencies) - len(tokens) * seconds} retries)")
    print(f"stored {sum(stored)} of {offered} events in {wall:.1f} s = {sum(stored) / wall:.0f} events/s sustained")
    print(f"batch latency: p50={percentile(latencies, 50):.1f} ms p99={percentile(latencies, 99):.1f} ms "
          f"max={max(latencies):.1f} ms")
    if sum(stored) != offered:
        raise SystemExit("a retried batch stored twice, or events were lost")


async def burst(base: str, tokens: list[str], sessions: list[int], key: str, rounds: int) -> None:
    """Every headset posts at the same instant, ``rounds`` times: the worst case for SQLite's one
    writer. Counts the answers that are not 2xx (target: none) and the batch latency."""
    latencies: list[float] = []
    failed: list[int] = []
    t0 = datetime(2026, 11, 24, 9, 0, tzinfo=timezone.utc)
    limits = httpx.Limits(max_connections=len(tokens), max_keepalive_connections=len(tokens))
    async with httpx.AsyncClient(base_url=base, limits=limits, timeout=60) as client:
        async def post(n: int, r: int) -> None:
            events = [{"event_id": f"burst-h{n:02d}-r{r:03d}-{k}", "kind": "hotspot_open",
                       "at": (t0 + timedelta(minutes=r, seconds=k)).isoformat(), "bundle_key": key,
                       "data": {"hotspot": "tafel"}} for k in range(5)]
            t = time.perf_counter()
            try:
                response = await client.post(f"/api/sessions/{sessions[n]}/events", json={"events": events},
                                             headers={"Authorization": f"Bearer {tokens[n]}"})
            except httpx.TimeoutException:
                failed.append("no answer in 60 s")
                return
            finally:
                latencies.append((time.perf_counter() - t) * 1000)
            if response.status_code >= 300:
                failed.append(response.status_code)

        start = time.perf_counter()
        for r in range(rounds):
            await asyncio.gather(*(post(n, r) for n in range(len(tokens))))
        wall = time.perf_counter() - start
    print(f"burst: {len(tokens)} headsets posting at the same instant, {rounds} rounds, {len(latencies)} POSTs "
          f"in {wall:.1f} s: {len(failed)} failed {sorted(set(map(str, failed)))}")
    print(f"batch latency: p50={percentile(latencies, 50):.1f} ms p99={percentile(latencies, 99):.1f} ms "
          f"max={max(latencies):.1f} ms")
    if failed:
        raise SystemExit("some batches were refused")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--headsets", type=int, default=50)
    parser.add_argument("--hz", type=int, default=5)
    parser.add_argument("--seconds", type=int, default=20)
    parser.add_argument("--burst", type=int, default=0, metavar="ROUNDS",
                        help="instead: every headset posts at the same instant, ROUNDS times")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="zorgblik-bench-") as tmp:
        settings = Settings.from_env({}, data_dir=Path(tmp) / "data")
        with Catalog(settings.catalog_url) as catalog:
            key = publish_bundle(settings, catalog, 1 << 20)
            _, tokens, sessions = enrol(catalog, args.headsets)
        with running_service(settings.data_dir) as base:
            if args.burst:
                asyncio.run(burst(base, tokens, sessions, key, args.burst))
            else:
                asyncio.run(run(base, tokens, sessions, key, args.hz, args.seconds))


if __name__ == "__main__":
    main()
