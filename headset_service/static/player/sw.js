// Service worker of the headset page: the page and its scripts, and the bundle files sync put in
// Cache Storage, keep working when the Wi-Fi drops. Served from /headset/sw.js with
// Service-Worker-Allowed: / so that its scope covers /bundles/ too; everything else passes by.

const SHELL = "zorgblik-shell";
const BUNDLES = "zorgblik-bundles";
const SHELL_FILES = ["/headset", "/static/player/headset.css", "/static/player/headset.js", "/static/player/device.js",
  "/static/player/sync.js", "/static/player/scene.js", "/static/player/player.js", "/static/player/renderer.js",
  "/static/player/math.js", "/static/player/xr.js", "/static/player/panels.js"];

self.addEventListener("install", (event) => {
  event.waitUntil(caches.open(SHELL).then((c) => c.addAll(SHELL_FILES)).then(() => self.skipWaiting()));
});
self.addEventListener("activate", (event) => event.waitUntil(self.clients.claim()));

/** A cached bundle file, honouring a Range request (video seeks) with a 206. */
async function fromBundles(request) {
  const hit = await (await caches.open(BUNDLES)).match(request.url);
  if (!hit) return fetch(request);
  const range = /^bytes=(\d*)-(\d*)$/.exec(request.headers.get("Range") || "");
  if (!range) return hit;
  const body = await hit.blob();
  const start = range[1] ? Number(range[1]) : Math.max(0, body.size - Number(range[2]));
  const end = range[1] && range[2] ? Math.min(Number(range[2]), body.size - 1) : body.size - 1;
  return new Response(body.slice(start, end + 1), { status: 206, headers: {
    "Content-Type": hit.headers.get("Content-Type") || "application/octet-stream",
    "Content-Range": `bytes ${start}-${end}/${body.size}`, "Content-Length": String(end - start + 1) } });
}

/** The network first (updates arrive), the cached copy when offline. */
async function shellFirstNetwork(request) {
  try {
    const response = await fetch(request);
    if (response.ok) (await caches.open(SHELL)).put(request, response.clone());
    return response;
  } catch (e) {
    const hit = await caches.match(request, { cacheName: SHELL });
    if (hit) return hit;
    throw e;
  }
}

self.addEventListener("fetch", (event) => {
  const url = new URL(event.request.url);
  if (event.request.method !== "GET" || url.origin !== location.origin) return;
  if (url.pathname.startsWith("/bundles/")) event.respondWith(fromBundles(event.request));
  else if (url.pathname === "/headset" || url.pathname.startsWith("/static/player/")) event.respondWith(shellFirstNetwork(event.request));
});
