"""The headset's clock maths (static/player/clock.js) under node: the lowest-delay round trip
counts, service times map onto the device's clock, and the rate nudge is proportional, clamped,
and gives way to a seek when far off."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest

CLOCK = Path(__file__).parents[2] / "headset_service" / "static" / "player" / "clock.js"

SCRIPT = """
const { Clock, KEEP, stepRate } = await import(process.argv[1]);
let now = 1000;
const clock = new Clock(() => now);
const before = clock.synced;
// the service is 5000 ms ahead; round trips of 40, 6 (asymmetric: 5 out, 1 back) and 30 ms
clock.sample(1000, 6020, 1040);
clock.sample(2000, 7005, 2006);
clock.sample(3000, 8010, 3030);
const best = clock.best;
now = 4000;
const out = { before, rtt: clock.rtt, offset: clock.offset, serverNow: clock.serverNow(), toLocal: clock.toLocal(9500),
              until: clock.until(9100), bestRtt: best.rtt };
for (let i = 0; i < KEEP; i++) clock.sample(5000 + i, 10100 + i, 5050 + i);  // the good one ages out
out.afterAging = clock.rtt;
clock.sample(10, NaN, 20); clock.sample(30, 5030, 20);  // nonsense is ignored
out.kept = clock.samples.length;
out.rates = [0, 0.002, 0.01, -0.01, 0.2, -0.2, 1.5].map((e) => stepRate(e));
console.log(JSON.stringify(out));
"""


@pytest.fixture(scope="module")
def node() -> str:
    found = shutil.which("node")
    if not found:
        pytest.skip("node ontbreekt")
    return found


def test_the_lowest_delay_round_trip_sets_the_offset(node):
    done = subprocess.run([node, "--input-type=module", "-e", SCRIPT, CLOCK.as_uri()], capture_output=True, text=True,
                          check=True, timeout=30)
    out = json.loads(done.stdout)
    assert out["before"] is False
    assert out["bestRtt"] == 6 and out["rtt"] == 6
    assert out["offset"] == 7005 - 2003  # server time minus the round trip's midpoint: off by at most 3 ms
    assert out["serverNow"] == 4000 + 5002
    assert out["toLocal"] == 9500 - 5002 and out["until"] == 9100 - 5002 - 4000
    assert out["afterAging"] == 50  # only the last KEEP samples count
    assert out["kept"] == 16
    assert out["rates"] == [1, 1, 0.99, 1.01, 0.97, 1.03, None]
