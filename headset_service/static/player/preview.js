// The staff preview (/speler/{bundle_key}): the same player in 2D, files over the network.

import { Player } from "./player.js";
import { loadScene, networkSource } from "./scene.js";

const $ = (id) => document.getElementById(id);

export async function preview(bundleKey) {
  const player = new Player($("sphere"), { hotspotLayer: $("hotspots"), live: $("live") });
  window.zorgblikPlayer = player;
  const scene = await loadScene(networkSource(), bundleKey);
  player.show(scene, { autoplay: false });
  const play = $("play");
  if (play && scene.isVideo) {
    play.addEventListener("click", () => { scene.element.play(); play.hidden = true; });
    scene.element.addEventListener("pause", () => { play.hidden = false; });
  } else if (play) {
    play.hidden = true;
  }
  return player;
}
