// The service's clock on this device, learned over the WebSocket: the headset sends
// {type: "ping", t0} and the service answers {type: "pong", t0, server_ms}. Each round trip gives
// an offset (server_ms minus the midpoint of t0 and the answer's arrival) that is off by at most
// half its round trip, so the sample with the lowest round trip counts. No DOM here: node can
// test it (tests/players/test_clock.py).

export const KEEP = 16; // samples kept (two bursts): the clock drifts little within a minute

/** This device's clock in ms on the same scale as the service's (Unix ms), high resolution. */
export function localMs() {
  return performance.timeOrigin + performance.now();
}

export class Clock {
  constructor(now = localMs) {
    this.now = now;
    this.samples = []; // {rtt, offset}, newest last
  }

  /** A pong came back at ``t1`` (this device's ms) for a ping sent at ``t0``. */
  sample(t0, serverMs, t1 = this.now()) {
    const rtt = t1 - t0;
    if (!(rtt >= 0) || !Number.isFinite(serverMs)) return;
    this.samples.push({ rtt, offset: serverMs - (t0 + t1) / 2 });
    if (this.samples.length > KEEP) this.samples.shift();
  }

  /** The lowest-delay sample, or null before the first pong. */
  get best() {
    return this.samples.reduce((a, b) => (a === null || b.rtt < a.rtt ? b : a), null);
  }

  get synced() { return this.samples.length > 0; }
  get offset() { return this.best?.offset ?? 0; }
  get rtt() { return this.best?.rtt ?? null; }

  /** The service's time now. */
  serverNow() { return this.now() + this.offset; }

  /** A service time as this device's time. */
  toLocal(serverMs) { return serverMs - this.offset; }

  /** Milliseconds from now until the service's ``serverMs`` (negative: it has passed). */
  until(serverMs) { return this.toLocal(serverMs) - this.now(); }
}

/**
 * Playback rate that brings a video back in step: ``error_s`` ahead (positive) plays slower,
 * behind plays faster, proportionally, never more than ``limit`` away from 1; null when it is more
 * than ``seekAbove_s`` off (seek instead: a rate change would take too long).
 */
export function stepRate(error_s, { gain = 1.0, limit = 0.03, deadband_s = 0.004, seekAbove_s = 1.0 } = {}) {
  if (Math.abs(error_s) > seekAbove_s) return null;
  if (Math.abs(error_s) < deadband_s) return 1;
  return 1 - Math.max(-limit, Math.min(limit, gain * error_s));
}
