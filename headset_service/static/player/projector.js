// The teacher's projector page (/klas/projectie): the class's current scene in 2D for the
// digibord, following the run (scene changes, pause, time from the service's start time T), with
// the scene's conversation prompts beside it and the headsets' states in one row.

import { Follower, fetchJson } from "./follow.js";

const EVERY_MS = 500;
const $ = (id) => document.getElementById(id);

function clockText(s) {
  if (s == null) return "";
  return `${Math.floor(s / 60)}:${String(Math.floor(s % 60)).padStart(2, "0")}`;
}

function fill(list, items, make) {
  list.replaceChildren(...items.map(make));
}

export function project(groupId) {
  const follower = new Follower($("sphere"), { hotspotLayer: $("hotspots") });
  window.zorgblikProjector = follower;
  const body = document.body;
  let last = null;
  const tick = () => { // the time shown runs between answers
    if (last?.state === "playing" && last.at_ms != null) $("time").textContent = clockText((follower.clock.serverNow() - last.at_ms) / 1000);
    requestAnimationFrame(tick);
  };
  requestAnimationFrame(tick);
  const round = async () => {
    try {
      const data = await fetchJson(`/klas/${groupId}/live.json`, follower.clock);
      last = data;
      Object.assign(body.dataset, { bundleKey: data.bundle_key || "", state: data.state || "", index: data.index ?? "" });
      $("title").textContent = data.title || (data.run ? "" : "Nog geen klassessie");
      $("state").textContent = data.state_label + (data.scenes ? ` · scène ${data.index + 1} van ${data.scenes}` : "");
      if (data.state !== "playing") $("time").textContent = clockText(data.position_s);
      fill($("prompts"), data.prompts.length ? data.prompts : ["Deze scène heeft geen gespreksvragen."], (text) => {
        const li = document.createElement("li"); li.textContent = text; return li;
      });
      fill($("headsets"), data.headsets, (h) => {
        const li = document.createElement("li");
        li.className = `tile ${h.online ? "on" : "off"}`;
        li.dataset.headset = h.id;
        li.dataset.state = h.state || "offline";
        const name = document.createElement("strong"); name.textContent = h.name;
        const state = document.createElement("span"); state.textContent = h.state_label;
        li.append(name, state);
        return li;
      });
      await follower.show(data.bundle_key);
      const position = data.state === "playing" ? (follower.clock.serverNow() - data.at_ms) / 1000 : data.position_s;
      follower.at(position, data.state === "playing");
    } catch (e) {
      $("state").textContent = e.status === 403 ? "Geen toegang tot deze klas." : "Even geen verbinding met de service…";
    }
    setTimeout(round, EVERY_MS);
  };
  round();
  return follower;
}
