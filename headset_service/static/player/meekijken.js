// Meekijken on a session page: the scene the headset plays, from the staff page's own copy of the
// bundle, turned with the head direction the headset reports (≤ 5 Hz, smoothed; each report
// reaches the page as it comes, by a long poll) and in step with its scene time. Only where the service allows it (never in sollicitatie; elsewhere only when the
// session records head direction): /sessies/{id}/meekijken.json says so.

import { Follower, fetchJson } from "./follow.js";

const AGAIN_MS = 20; // the next long poll goes out this soon after an answer
const SMOOTH_MS = 15; // head direction: time constant of the smoothing towards the reported one (a 5 Hz step eases over ~60 ms)
const TURN_EVERY_MS = 20;
const $ = (id) => document.getElementById(id);

export function meekijken(sessionId) {
  const status = $("meekijk-status");
  let follower;
  try {
    follower = new Follower($("meekijk"));
  } catch (e) {
    status.textContent = "Meekijken lukt niet in deze browser (geen WebGL).";
    return null;
  }
  window.zorgblikMeekijken = follower; // for the browser tests and the bench
  // where the headset looks, reached smoothly, the short way round; ``reached``: when (Date.now())
  const head = { yaw: null, pitch: null, reached: null };
  window.zorgblikMeekijkenHead = head;
  let last = performance.now();
  setInterval(() => { // the player draws what this sets on its next frame
    const now = performance.now(), dt = now - last, p = follower.player;
    last = now;
    if (head.yaw === null) return;
    const dYaw = ((head.yaw - p.yaw + 540) % 360) - 180, dPitch = head.pitch - p.pitch;
    if (head.reached === null && Math.abs(dYaw) < 2 && Math.abs(dPitch) < 2) head.reached = Date.now();
    if (Math.abs(dYaw) < 0.05 && Math.abs(dPitch) < 0.05) return;
    const k = 1 - Math.exp(-Math.max(0, dt) / SMOOTH_MS);
    p.look(p.yaw + dYaw * k, p.pitch + dPitch * k);
  }, TURN_EVERY_MS);
  // a long poll: each answer comes with the headset's report after the one the page has (``na``)
  const url = `/sessies/${sessionId}/meekijken.json`;
  let report = null;
  const round = async () => {
    let data;
    try {
      data = await fetchJson(report === null ? url : `${url}?na=${report}`, follower.clock);
    } catch (e) {
      setTimeout(round, 1000); // offline for a moment
      return;
    }
    if (!data.on) { status.textContent = data.reason; follower.show(null); return; } // ended or not allowed: stop
    report = data.report;
    status.textContent = !data.online ? "De headset is offline." : data.bundle_key ? "" : "De headset speelt nu geen scène.";
    follower.show(data.bundle_key).then(() => {
      const since = data.reported_ms ? (follower.clock.serverNow() - data.reported_ms) / 1000 : 0;
      const playing = data.state === "playing";
      follower.at(data.position_s == null ? null : data.position_s + (playing ? since : 0), playing);
    }).catch(() => { status.textContent = "Deze scène kan hier niet getoond worden."; });
    if (data.yaw != null && data.pitch != null && (data.yaw !== head.yaw || data.pitch !== head.pitch)) {
      Object.assign(head, { yaw: data.yaw, pitch: data.pitch, reached: null });
    }
    setTimeout(round, AGAIN_MS);
  };
  round();
  return follower;
}
