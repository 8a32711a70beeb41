// Sync onto the headset: the manifest (ETag), each missing file of this headset's profile
// downloaded, its sha256 verified and put in Cache Storage, the inventory reported, and what the
// service says to remove deleted. Offline, the last manifest and the cache carry on.

import { deviceInfo } from "./device.js";

export const CACHE = "zorgblik-bundles";
const MANIFEST = "zorgblik.manifest";
const ETAG = "zorgblik.manifestEtag";
const PARALLEL = 3; // downloads at a time

async function sha256(buffer) {
  const digest = await crypto.subtle.digest("SHA-256", buffer);
  return [...new Uint8Array(digest)].map((b) => b.toString(16).padStart(2, "0")).join("");
}

function bundleKeyOf(url) { return decodeURIComponent(new URL(url, location.href).pathname.split("/")[2] || ""); }

/** The manifest this headset last synced (null before the first sync). */
export function lastManifest(storage = localStorage) {
  return JSON.parse(storage.getItem(MANIFEST) || "null");
}

/**
 * Bring the cache in line with the service. ``progress({done, total, bundle, doneBytes, totalBytes})``
 * after each file; the bytes count the files it had to fetch (what a begeleider waits for).
 * Returns {manifest, held: [bundle keys complete here], offline: bool}.
 */
export async function sync(device, progress = () => {}) {
  const storage = device.storage;
  let manifest = lastManifest(storage), offline = false;
  try {
    const etag = storage.getItem(ETAG);
    const r = await device.fetch("/api/device/manifest", { headers: etag && manifest ? { "If-None-Match": etag } : {} });
    if (r.status === 200) {
      manifest = await r.json();
      storage.setItem(MANIFEST, JSON.stringify(manifest));
      storage.setItem(ETAG, r.headers.get("ETag") || "");
    } else if (r.status !== 304) {
      throw Object.assign(new Error(`manifest: HTTP ${r.status}`), { status: r.status });
    }
  } catch (e) {
    if (e.status) throw e;
    offline = true;
  }
  if (!manifest) return { manifest: null, held: [], offline };
  const cache = await caches.open(CACHE);
  const files = manifest.bundles.flatMap((b) => b.files.map((f) => ({ ...f, bundle: b.bundle_key })));
  const held = new Set(manifest.bundles.map((b) => b.bundle_key));
  const isCached = async (f) => (await cache.match(f.url))?.headers.get("X-Zorgblik-Sha256") === f.sha256;
  const cached = new Set();
  for (const f of files) if (await isCached(f)) cached.add(f.url);
  const totalBytes = files.filter((f) => !cached.has(f.url)).reduce((sum, f) => sum + (f.bytes || 0), 0);
  let done = 0, doneBytes = 0;
  const fetchOne = async (f) => {
    if (!cached.has(f.url)) {
      try {
        if (offline) throw new Error("offline");
        const r = await device.fetch(f.url);
        if (!r.ok) throw new Error(`${f.url}: HTTP ${r.status}`);
        const body = await r.arrayBuffer();
        if ((await sha256(body)) !== f.sha256) throw new Error(`${f.url}: sha256 klopt niet`);
        await cache.put(f.url, new Response(body, { headers: {
          "Content-Type": r.headers.get("Content-Type") || "application/octet-stream",
          "Content-Length": String(body.byteLength), "X-Zorgblik-Sha256": f.sha256 } }));
      } catch (e) {
        held.delete(f.bundle); // incomplete: not reported as held, fetched again next time
      }
      doneBytes += f.bytes || 0;
    }
    progress({ done: ++done, total: files.length, bundle: f.bundle, doneBytes, totalBytes });
  };
  const queue = [...files];
  await Promise.all(Array.from({ length: PARALLEL }, async () => { while (queue.length) await fetchOne(queue.shift()); }));
  // what is not in the manifest leaves (withdrawn, or no longer assigned)
  const wanted = new Set(files.map((f) => new URL(f.url, location.href).pathname));
  for (const request of await cache.keys()) {
    if (!wanted.has(new URL(request.url).pathname)) await cache.delete(request);
  }
  if (!offline) {
    const info = await deviceInfo();
    try {
      const result = await device.json("/api/device/inventory", { bundles: [...held].sort(), free_bytes: info.free_bytes ?? null,
                                                                  battery: info.battery ?? null, device: info });
      for (const key of result.remove) {
        for (const request of await cache.keys()) if (bundleKeyOf(request.url) === key) await cache.delete(request);
        held.delete(key);
      }
    } catch (e) { offline = true; }
  }
  return { manifest, held: [...held], offline };
}

/** Bundle files from Cache Storage, falling back to the network (a file not synced yet). */
export function cacheSource(device) {
  return {
    async blob(key, name) {
      const url = `/bundles/${encodeURIComponent(key)}/${encodeURIComponent(name)}`;
      const cache = await caches.open(CACHE);
      const hit = await cache.match(url);
      if (hit) return hit.blob();
      const r = await device.fetch(url);
      if (!r.ok) throw new Error(`${name}: HTTP ${r.status}`);
      return r.blob();
    },
  };
}
