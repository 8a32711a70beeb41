// The headset page (/headset): pair once, sync, wait for the begeleider, and run the sessions
// they start — a playlist of scenes, in 2D on the page or in VR — logging what happens.

import { Commands, Device, EventQueue, deviceInfo } from "./device.js";
import { Player } from "./player.js";
import { loadScene } from "./scene.js";
import { cacheSource, sync } from "./sync.js";
import { enterVR, immersiveSupported } from "./xr.js";

const HEAD_EVERY_MS = 200; // 5 Hz, what the service keeps
const STATUS_EVERY_MS = 4000; // the heartbeat: the service counts a headset not heard for 15 s as offline
const DEVICE_EVERY_MS = 30000; // battery and storage, re-read this often
const $ = (id) => document.getElementById(id);

function say(text) { $("message").textContent = text; }

class Headset {
  constructor() {
    this.device = new Device();
    this.events = new EventQueue(this.device);
    this.session = null;
    this.player = new Player($("sphere"), {
      hotspotLayer: $("hotspots"), live: $("live"),
      onEvent: (kind, data) => this.log(kind, data),
      onEnded: (scene) => { if (this.session && this.scene === scene) this.next("einde scène"); },
    });
    window.zorgblik = this; // for the begeleider's console and the browser tests
  }

  async boot() {
    if ("serviceWorker" in navigator) navigator.serviceWorker.register("/headset/sw.js", { scope: "/" }).catch(() => {});
    $("pair-form").addEventListener("submit", (e) => { e.preventDefault(); this.pair(); });
    $("vr").addEventListener("click", () => this.enterVR());
    $("next").addEventListener("click", () => this.next("volgende door kijker"));
    $("vr").hidden = !(await immersiveSupported());
    if (this.device.paired) await this.ready();
    else this.showPairing();
  }

  showPairing(error = "") {
    document.body.dataset.state = "pairing";
    $("pair").hidden = false;
    $("pair-error").textContent = error;
  }

  async pair() {
    try {
      const paired = await this.device.pair($("code").value);
      $("pair").hidden = true;
      $("name").textContent = paired.name;
      await this.ready();
    } catch (e) {
      this.showPairing(e.status === 404 || e.status === 422 || e.status === 409
        ? "Deze koppelcode klopt niet of is verlopen. Vraag de begeleider om een nieuwe." : "Koppelen lukt nu niet; probeer het zo opnieuw.");
    }
  }

  async ready() {
    $("pair").hidden = true;
    document.body.dataset.state = "syncing";
    say("Scènes ophalen…");
    try {
      const result = await sync(this.device, ({ done, total }) => say(`Scènes ophalen… ${done} van ${total} bestanden`));
      this.held = new Set(result.held);
      if (result.manifest) $("name").textContent = result.manifest.headset.name;
    } catch (e) {
      if (e.status === 401) { this.device.forget(); this.showPairing("Deze headset is ontkoppeld. Koppel hem opnieuw."); return; }
    }
    this.commands = new Commands(this.device, (c) => this.handle(c));
    this.commands.onRevoked = () => { this.commands.stop(); this.device.forget(); this.showPairing("Deze headset is ontkoppeld. Koppel hem opnieuw."); };
    this.commands.start();
    this.waiting();
    setInterval(() => this.reportStatus(), STATUS_EVERY_MS);
    this.watchDevice();
  }

  /** Battery and storage ride along in the status reports; the service stores them when they change. */
  async watchDevice() {
    const update = async () => this.commands?.report({ device: await deviceInfo() });
    await update();
    setInterval(update, DEVICE_EVERY_MS);
  }

  /** "Gepauzeerd" while the begeleider has paused the session: an overlay in 2D, a panel in VR. */
  showPaused(paused) {
    $("paused").hidden = !paused;
    this.player.notice(paused ? "Gepauzeerd" : null, "De begeleider zet de scène zo weer aan.");
  }

  waiting() {
    document.body.dataset.state = "waiting";
    say("Wacht op de begeleider…");
  }

  // commands ---------------------------------------------------------------------------------------
  async handle(command) {
    const session = this.session;
    const mine = session && session.id === command.session_id;
    switch (command.command) {
      case "start": return this.start(command.session_id, command.payload);
      case "pause": if (mine) { this.player.pause(); session.state = "paused"; this.showPaused(true); this.reportStatus(); } return;
      case "resume": if (mine) { this.player.resume(); session.state = "playing"; this.showPaused(false); this.reportStatus(); } return;
      case "recenter": if (mine) this.player.recenter(); return;
      case "next": return mine ? this.next("volgende door begeleider") : undefined;
      case "stop": return mine ? this.finish(command.payload?.reason || "gestopt door begeleider") : undefined;
      default: console.warn("onbekend commando", command.command);
    }
  }

  async start(sessionId, payload) {
    if (this.session) await this.finish("nieuwe sessie gestart");
    const recordHead = payload.record_head_direction === true && payload.context !== "sollicitatie";
    const session = { id: sessionId, scenes: payload.scenes || [], items: payload.items || [], index: -1,
                      context: payload.context, recordHead, state: "playing",
                      learner: payload.learner || { route: null, level: null, year: null }, run: payload.run || null };
    this.session = session;
    this.log("session_start", { context: payload.context, playlist_id: payload.playlist_id, scenes: session.scenes.length });
    // not awaited: pause and stop must still reach a headset that is downloading
    this.starting = (async () => {
      if (session.scenes.some((key) => !this.held?.has(key))) await this.fetchFor(session);
      else this.commands?.report({ sync: { state: "ready", done_bytes: 0, total_bytes: 0 } });
      if (this.session !== session) return;
      document.body.dataset.state = "playing";
      await this.play(0);
    })();
  }

  /** Sync what the session needs, telling the begeleider how far it is ("downloaden 40 %"). */
  async fetchFor(session) {
    document.body.dataset.state = "syncing";
    let last = 0, progress = { state: "downloading", done_bytes: 0, total_bytes: 0 };
    const tell = (force = false) => {
      const now = performance.now();
      if (!force && now - last < 500) return;
      last = now;
      this.commands?.report({ state: "syncing", session_id: session.id, bundle_key: null, position_s: null, sync: progress });
    };
    tell(true);
    try {
      const result = await sync(this.device, ({ doneBytes, totalBytes }) => {
        progress = { state: "downloading", done_bytes: doneBytes, total_bytes: totalBytes };
        const mb = (n) => Math.round(n / 1e6);
        say(`Scènes ophalen… ${totalBytes ? Math.floor((doneBytes * 100) / totalBytes) : 100} % (${mb(doneBytes)} van ${mb(totalBytes)} MB)`);
        tell();
      });
      this.held = new Set(result.held);
      progress = { state: session.scenes.every((key) => this.held.has(key)) ? "ready" : "failed",
                   done_bytes: progress.total_bytes, total_bytes: progress.total_bytes };
    } catch (e) {
      progress = { ...progress, state: "failed" };
    }
    tell(true);
  }

  async play(index) {
    const session = this.session;
    const key = session.scenes[index];
    session.index = index;
    if (!key) return this.finish("einde afspeellijst");
    say(`Scène ${index + 1} van ${session.scenes.length}`);
    try {
      this.scene = await loadScene(cacheSource(this.device), key);
    } catch (e) {
      this.log("scene_end", { index, reason: "niet af te spelen", error: String(e.message || e) }, key);
      return this.play(index + 1);
    }
    if (this.session !== session) return;
    const item = session.items[index]; // the playlist's say per scene: how long a photo stays
    if (item && item.bundle_key === key) this.scene.itemSeconds = item.photo_seconds ?? null;
    this.player.show(this.scene);
    if (session.state === "paused") { this.player.pause(); this.showPaused(true); }
    $("title").textContent = this.scene.title;
    this.log("scene_start", { index, media: this.scene.mediaName, mode: this.player.xr ? "vr" : "2d" }, key);
    this.reportStatus();
  }

  async next(reason) {
    const session = this.session;
    if (!session) return;
    this.log("scene_end", { index: session.index, reason, position_s: this.position() }, session.scenes[session.index]);
    await this.play(session.index + 1);
  }

  async finish(reason) {
    const session = this.session;
    if (!session) return;
    if (session.index >= 0 && session.index < session.scenes.length) {
      this.log("scene_end", { index: session.index, reason, position_s: this.position() }, session.scenes[session.index]);
    }
    this.log("session_end", { reason });
    this.session = null;
    this.scene = null;
    this.player.clear();
    this.showPaused(false);
    $("title").textContent = "";
    if (this.player.xr) this.player.xr.end();
    this.reportStatus();
    this.waiting();
    this.events.flush();
  }

  // events and status ------------------------------------------------------------------------------
  log(kind, data = {}, bundleKey = undefined) {
    if (!this.session) return null;
    const key = bundleKey === undefined ? (kind === "hotspot_open" ? this.scene?.key : null) : bundleKey;
    return this.events.add(this.session.id, kind, data, key);
  }

  position() { return this.scene ? Math.round(this.scene.position * 10) / 10 : null; }

  reportStatus() {
    if (!this.commands) return;
    const s = this.session;
    const state = !s ? "idle" : document.body.dataset.state === "syncing" ? "syncing" : s.state === "paused" ? "paused" : "playing";
    this.commands.report({ state, session_id: s ? s.id : null,
                           bundle_key: s && this.scene ? this.scene.key : null, position_s: s ? this.position() : null });
  }

  async enterVR() {
    let lastHead = 0;
    await enterVR(this.player, {
      onHead: (yaw, pitch) => {
        const now = performance.now();
        if (!this.session?.recordHead || now - lastHead < HEAD_EVERY_MS) return;
        lastHead = now;
        this.log("head_direction", { yaw: Math.round(yaw * 10) / 10, pitch: Math.round(pitch * 10) / 10 }, this.scene?.key ?? null);
      },
      onEnd: () => { document.body.classList.remove("in-vr"); },
    });
    document.body.classList.add("in-vr");
    this.player.recenter();
  }
}

new Headset().boot();
