// One scene bundle, ready to show: its manifest, the media it can decode (Media Capabilities),
// its captions and hotspots, and for VR180 the half sphere to draw it on (the bundle's mesh). Files come from a source: the headset's Cache Storage (synced), or
// the network for the staff preview.

import { parseObj } from "./renderer.js";

/** The manifest's projection of a VR180 scene (zorgblik.bundle): each eye the front half sphere. */
export const VR180 = "equirectangular-vr180";

/** The language text is shown in (a session's; "nl" until one says otherwise). */
let language = "nl";
/** Show text in ``lang`` from now on (anything but "en" is Dutch); returns the language set. */
export function setLanguage(lang) { language = lang === "en" ? "en" : "nl"; return language; }

/** Files of a bundle over the network (staff preview; the headset's cookie or token also works). */
export function networkSource(headers = {}) {
  return {
    async blob(key, name) {
      const r = await fetch(`/bundles/${encodeURIComponent(key)}/${encodeURIComponent(name)}`, { headers });
      if (!r.ok) throw new Error(`${name}: HTTP ${r.status}`);
      return r.blob();
    },
  };
}

/** "00:01:02.500" or "01:02.500" in seconds. */
function seconds(stamp) {
  return stamp.trim().split(":").reduce((total, part) => total * 60 + parseFloat(part), 0);
}

/** WebVTT cues as [{start, end, text}] (no styling; cue settings ignored). */
export function parseVtt(text) {
  const cues = [];
  for (const block of text.replace(/\r/g, "").split(/\n\n+/)) {
    const lines = block.split("\n");
    const at = lines.findIndex((l) => l.includes("-->"));
    if (at < 0) continue;
    const [from, to] = lines[at].split("-->");
    cues.push({ start: seconds(from), end: seconds(to.trim().split(/\s+/)[0]), text: lines.slice(at + 1).join("\n").trim() });
  }
  return cues;
}

export function textIn(value, lang = language) {
  if (value == null) return "";
  if (typeof value === "string") return value;
  return value[lang] ?? value.nl ?? Object.values(value)[0] ?? "";
}

const MIME = { mp4: "video/mp4", webm: "video/webm", jpg: "image/jpeg", jpeg: "image/jpeg", png: "image/png", webp: "image/webp" };
const CODECS = { h264: "avc1.640033", hevc: "hvc1.1.6.L153.B0", h265: "hvc1.1.6.L153.B0", av1: "av01.0.13M.08", vp9: "vp09.00.51.08" };

/** The media files of a bundle the device can decode, best first (a bundle lists its best first). */
export async function playableMedia(manifest) {
  const media = manifest.files.filter((f) => f.role.split(".")[0] === "media");
  if (manifest.media_kind !== "video" || !navigator.mediaCapabilities || media.length < 2) return media;
  const info = Object.fromEntries((manifest.renditions || []).map((r) => [r.file, r]));
  const checked = await Promise.all(media.map(async (f) => {
    const r = info[f.name] || {};
    const ext = f.name.split(".").pop();
    const codec = CODECS[r.codec || manifest.codec];
    try {
      const result = await navigator.mediaCapabilities.decodingInfo({ type: "file", video: {
        contentType: `${MIME[ext] || "video/mp4"}${codec ? `; codecs="${codec}"` : ""}`,
        width: r.width || manifest.width || 3840, height: r.height || manifest.height || 1920,
        bitrate: r.bitrate || 20_000_000, framerate: r.fps || manifest.fps || 30 } });
      return { f, ok: result.supported, smooth: result.smooth && result.powerEfficient };
    } catch (e) {
      return { f, ok: false, smooth: false };
    }
  }));
  const ok = checked.filter((c) => c.ok);
  // a smooth, power-efficient decode first; if nothing is reported playable, try them all anyway
  return (ok.length ? [...ok.filter((c) => c.smooth), ...ok.filter((c) => !c.smooth)].map((c) => c.f) : media);
}

export class Scene {
  constructor(key, manifest) {
    this.key = key;
    this.manifest = manifest;
    this.stereo = manifest.stereo || "mono";
    this.projection = manifest.projection === VR180 ? "vr180" : "360";
    this.mesh = null; // VR180: the half sphere from the bundle (parseObj); grounded: the sphere with its floor
    // metres below the eyes when the bundle's sphere.obj is the grounded sphere (manifest.mesh), else null
    this.floor = manifest.mesh && manifest.mesh.shape === "grounded" ? manifest.mesh.camera_height : null;
    this.view = manifest.view || { yaw: 0, pitch: 0 };
    this.title = textIn(manifest.title);
    this.hotspots = [];
    this.cues = [];
    this.element = null; // an <img> or <video>
    this.urls = [];
  }

  get isVideo() { return this.manifest.media_kind === "video"; }

  /** Seconds into the scene (video time, or wall time for a photo). */
  get position() {
    if (this.isVideo && this.element) return this.element.currentTime;
    return this.shownAt ? (performance.now() - this.shownAt) / 1000 : 0;
  }

  /** How long a photo stays before the playlist moves on, or null: until told ("verder"). The
   *  playlist item's ``photo_seconds`` decides (set as ``itemSeconds``); else the manifest's duration_s. */
  get photoSeconds() {
    if (this.isVideo) return null;
    return (this.itemSeconds !== undefined ? this.itemSeconds : this.manifest.duration_s) || null;
  }

  ready() {
    const el = this.element;
    if (!el) return false;
    return this.isVideo ? el.readyState >= 2 : el.complete && el.naturalWidth > 0;
  }

  hotspotsAt(t) {
    return this.hotspots.filter((h) => (h.start == null || t >= h.start) && (h.end == null || t <= h.end));
  }

  captionAt(t) {
    const cue = this.cues.find((c) => t >= c.start && t <= c.end);
    return cue ? cue.text : "";
  }

  release() {
    if (this.element && this.isVideo) { this.element.pause(); this.element.removeAttribute("src"); this.element.load(); }
    this.urls.forEach((u) => URL.revokeObjectURL(u));
    this.urls = [];
  }
}

/** Load bundle ``key`` from ``source``: manifest, playable media, captions, hotspots. */
export async function loadScene(source, key) {
  const manifest = JSON.parse(await (await source.blob(key, "manifest.json")).text());
  const scene = new Scene(key, manifest);
  const names = new Set(manifest.files.map((f) => f.name));
  const byRole = (role) => manifest.files.find((f) => f.role === role);
  const hotspots = byRole("hotspots");
  if (hotspots) scene.hotspots = JSON.parse(await (await source.blob(key, hotspots.name)).text());
  const captions = byRole(`captions.${language}`) || byRole("captions.nl") || manifest.files.find((f) => f.role.startsWith("captions."));
  if (captions) scene.cues = parseVtt(await (await source.blob(key, captions.name)).text());
  const mesh = byRole("mesh");
  if (scene.projection === "vr180" || scene.floor !== null) {
    // the bundle's half sphere, or its sphere with a flat floor; any other 360° scene is drawn on the player's own
    if (!mesh) throw new Error(`scène ${key}: ${scene.floor !== null ? "de bol met vloer" : "de halve bol voor VR180"} (mesh) ontbreekt in de bundel`);
    scene.mesh = parseObj(await (await source.blob(key, mesh.name)).text());
  }
  let lastError = null;
  for (const file of await playableMedia(manifest)) {
    if (!names.has(file.name)) continue;
    let blob;
    try {
      blob = await source.blob(key, file.name);
    } catch (e) { lastError = e; continue; } // another profile's rendition: not on this headset
    const url = URL.createObjectURL(blob);
    scene.urls.push(url);
    const el = document.createElement(scene.isVideo ? "video" : "img");
    if (scene.isVideo) Object.assign(el, { muted: false, playsInline: true, preload: "auto", crossOrigin: "anonymous" });
    el.src = url;
    scene.element = el;
    scene.mediaName = file.name;
    if (!scene.isVideo) await el.decode().catch(() => {});
    return scene;
  }
  throw lastError || new Error(`scène ${key}: geen afspeelbare media`);
}
