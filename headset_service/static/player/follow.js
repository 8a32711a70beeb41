// A staff page's own copy of what headsets show: the projector page (/klas/projectie) and
// meekijken on a session page render the scene from the bundle (over the network) with the same
// player, and keep its time in step with the service's word — no video stream. Muted: in a
// classroom the headsets play the sound.

import { Clock, localMs, stepRate } from "./clock.js";
import { Player } from "./player.js";
import { loadScene, networkSource } from "./scene.js";


/** The service's clock from JSON answers that carry ``server_ms`` (request sent at t0, read at t1). */
export async function fetchJson(url, clock) {
  const t0 = localMs();
  const r = await fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } });
  if (!r.ok) throw Object.assign(new Error(`${url}: HTTP ${r.status}`), { status: r.status });
  const data = await r.json();
  if (typeof data.server_ms === "number") clock.sample(t0, data.server_ms, localMs());
  return data;
}

export class Follower {
  constructor(canvas, opts = {}) {
    this.player = new Player(canvas, opts);
    this.clock = new Clock();
    this.key = null;
    this.scene = null;
    this.loading = null;
  }

  /** Show bundle ``key`` (null: nothing) — loads it once. */
  async show(key) {
    if (key === this.key) return this.loading;
    this.key = key;
    if (!key) { this.player.clear(); this.scene = null; this.loading = null; return null; }
    this.loading = (async () => {
      const scene = await loadScene(networkSource(), key);
      if (this.key !== key) { scene.release(); return; }
      if (scene.isVideo) scene.element.muted = true;
      this.player.show(scene, { autoplay: false });
      this.scene = scene;
    })();
    return this.loading;
  }

  /** Keep the scene at ``position_s`` (seconds), playing or held. */
  at(position, playing) {
    const scene = this.scene;
    if (!scene?.isVideo || position == null) return;
    const el = scene.element;
    const end = el.duration || Infinity;
    const target = Math.max(0, Math.min(position, end));
    if (!playing || target >= end) {
      if (!el.paused) el.pause();
      if (Math.abs(el.currentTime - target) > 0.15) el.currentTime = target;
      return;
    }
    if (el.paused) { el.currentTime = target; el.play().catch(() => {}); return; }
    const rate = stepRate(el.currentTime - target, { limit: 0.1 });
    if (rate === null) el.currentTime = target;
    else el.playbackRate = rate;
  }
}
