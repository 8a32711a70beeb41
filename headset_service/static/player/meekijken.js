// Meekijken on a session page: the scene the headset plays, from the staff page's own copy of the
// bundle, turned with the head direction the headset reports (≤ 5 Hz, smoothed) and in step with
// its scene time. Only where the service allows it (never in sollicitatie; elsewhere only when the
// session records head direction): /sessies/{id}/meekijken.json says so.

import { Follower, fetchJson } from "./follow.js";

const EVERY_MS = 100;
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
  const url = `/sessies/${sessionId}/meekijken.json`;
  const round = async () => {
    let data;
    try {
      data = await fetchJson(url, follower.clock);
    } catch (e) {
      setTimeout(round, 1000); // offline for a moment
      return;
    }
    if (!data.on) { status.textContent = data.reason; follower.show(null); return; } // ended or not allowed: stop
    status.textContent = !data.online ? "De headset is offline." : data.bundle_key ? "" : "De headset speelt nu geen scène.";
    follower.show(data.bundle_key).then(() => {
      const since = data.reported_ms ? (follower.clock.serverNow() - data.reported_ms) / 1000 : 0;
      const playing = data.state === "playing";
      follower.at(data.position_s == null ? null : data.position_s + (playing ? since : 0), playing);
    }).catch(() => { status.textContent = "Deze scène kan hier niet getoond worden."; });
    follower.look(data.yaw, data.pitch);
    setTimeout(round, EVERY_MS);
  };
  round();
  return follower;
}
