// The headset page (/headset): pair once, sync, wait for the begeleider, and run the sessions
// they start — a playlist of scenes, in 2D on the page or in VR — logging what happens. Around an
// organisation's scenes it shows the panels of its learning-workplace profile (panels.js).
//
// In a class (a session with a ``run``) the service times the scenes: the headset loads a scene,
// holds it at its first frame and says "loaded"; the service answers "play_at" with a server
// time T, which the headset maps onto its own clock (clock.js) and starts at; while playing it
// nudges the playback rate to stay in step; at a scene's end it holds for the teacher's "verder"
// (the service's "load" of the next scene). See headset_service/classroom.py for the exchange.

import { stepRate } from "./clock.js";
import { Commands, Device, EventQueue, deviceInfo } from "./device.js";
import { direction } from "./math.js";
import { PANEL_STYLE, fillPanelElement, panelCanvases, panelWords, panelsAround } from "./panels.js";
import { Player } from "./player.js";
import { loadScene, setLanguage } from "./scene.js";
import { cacheSource, lastManifest, sync } from "./sync.js";
import { enterVR, immersiveSupported } from "./xr.js";

const HEAD_EVERY_MS = 200; // 5 Hz, what the service keeps
const STATUS_EVERY_MS = 4000; // the heartbeat: the service counts a headset not heard for 15 s as offline
const DEVICE_EVERY_MS = 30000; // battery and storage, re-read this often
const STEP_EVERY_MS = 500; // how often a class video is checked against the class's time
const SPIN_MS = 15; // the last ms before a start are waited for by spinning (timers are coarse)
const LATE_SEEK_MS = 30; // a start this late (a busy device) goes in where the class will be when its picture shows
const JOINED_LATE_MS = 1000; // a start this late was no timer's slip: the headset joined the scene late (logged so)
const CATCH_UP_ABOVE_S = 0.1; // further off than this, the rate may change by CATCH_UP_RATE, else by 3 %
const CATCH_UP_RATE = 0.1;
const MAX_START_LATENCY_MS = 1000;
const ARM_TRIES = 3; // rate changes timed while arming a class video (the median counts)
const HEAD_CHECK_MS = 25; // meekijken: a turn is reported within this, at most 5 times a second
const HEAD_MIN_TURN = 0.5; // degrees
// zorgblik.terms.WAIT_FOR_STAFF_BY_DEFAULT, for a start payload without items
const WAIT_FOR_STAFF_BY_DEFAULT = { intake: false, sollicitatie: false, werkveldorientatie: true };
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
      onEnded: (scene) => { if (this.session && this.scene === scene) this.sceneEnded(); },
    });
    this.player.onPanelSelect = () => (this.session?.panel ? (this.panelPage("vr"), true) : false);
    this.starts = []; // class starts: {session_id, index, at_ms, start_server_ms, first_frame_server_ms, how} (tests, bench)
    this.drift = null; // the last measured error against the class's time, in s (ahead: positive)
    this.startLatency = 0; // ms from setting a video going to its first frame on screen (learnt per start)
    this.seekLatency = null; // the same for a late start that seeks to where the class is (learnt when it happens)
    window.zorgblik = this; // for the begeleider's console and the browser tests
  }

  get clock() { return this.commands?.clock; }

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
    this.commands.onMessage = (m) => this.commands.later(() => this.cue(m));
    this.commands.onOpen = () => {
      if (this.session?.run) this.commands.send({ type: "join", session_id: this.session.id });
    };
    await this.rejoin();
    this.commands.start();
    if (!this.session) this.waiting();
    setInterval(() => this.reportStatus(), STATUS_EVERY_MS);
    setInterval(() => this.keepInStep(), STEP_EVERY_MS);
    setInterval(() => this.reportHead(), HEAD_CHECK_MS);
    this.watchDevice();
  }

  /** A session this headset was running when its page went (reloaded, the browser restarted): take
   * it up again at its scene — where the viewer was, paused if it was paused; a class's scene and
   * time come from the class once the socket is open ("join"). */
  async rejoin() {
    let point = null;
    try {
      const r = await this.device.fetch("/api/device/session");
      if (r.status === 200) point = await r.json();
    } catch (e) { return; } // offline: the commands will tell
    if (!point || point.command_id > this.commands.lastHandled) return; // its start is still to come
    this.start(point.session_id, point.payload, point);
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

  /** The session's language for the player's text and the page's ``lang``; returns it ("nl" | "en"). */
  useLanguage(lang) {
    document.documentElement.lang = setLanguage(lang);
    return document.documentElement.lang;
  }

  waiting() {
    document.body.dataset.state = "waiting";
    say("Wacht op de begeleider…");
  }

  // commands ---------------------------------------------------------------------------------------
  async handle(command) {
    const session = this.session;
    const mine = session && session.id === command.session_id;
    const solo = mine && !session.run; // in a class the service's cues pause, resume and move on
    switch (command.command) {
      case "start": return this.start(command.session_id, command.payload);
      // one headset of a class can be paused on its own; while the whole class is held, the class's cue resumes it
      case "pause": if (mine) { this.player.pause(); session.state = "paused"; this.showPaused(true); this.reportStatus(); } return;
      case "resume": if (mine && !(session.run && session.classHeld)) {
        this.player.resume(); session.state = "playing"; this.showPaused(false); this.reportStatus(); } return;
      case "recenter": if (mine) this.player.recenter(); return;
      case "next": return solo ? this.next("volgende door begeleider") : undefined;
      case "stop": return mine ? this.finish(command.payload?.reason || "gestopt door begeleider") : undefined;
      default: console.warn("onbekend commando", command.command);
    }
  }

  /** Start session ``sessionId`` (the start command's ``payload``); ``rejoin``: take it up again at
   * {index, position_s, paused} (see rejoin()), without showing what was shown before. */
  async start(sessionId, payload, rejoin = null) {
    if (this.session) await this.finish("nieuwe sessie gestart");
    const recordHead = payload.record_head_direction === true && payload.context !== "sollicitatie";
    const scenes = payload.scenes || [];
    const wait = WAIT_FOR_STAFF_BY_DEFAULT[payload.context] ?? false;
    const items = payload.items ?? scenes.map((k) => ({ bundle_key: k, photo_seconds: null, wait_for_staff: wait }));
    const language = this.useLanguage(payload.language);
    const session = { id: sessionId, scenes, items, index: -1, context: payload.context, recordHead, state: "playing",
                      language,
                      learner: payload.learner || { route: null, level: null, year: null }, run: payload.run ?? null,
                      at: null, waiting: false };
    this.session = session;
    if (this.commands) this.commands.classSession = session.run ? session.id : null;
    if (rejoin?.paused) { session.state = "paused"; this.showPaused(true); }
    if (!rejoin) {
      this.log("session_start", { context: payload.context, playlist_id: payload.playlist_id, scenes: scenes.length,
                                  ...(payload.run ? { run: payload.run } : {}) });
    }
    const from = rejoin?.index ?? 0; // a rejoin goes back to the scene it was in, past the panels before it
    // not awaited: pause and stop must still reach a headset that is downloading
    this.starting = (async () => {
      if (session.scenes.some((key) => !this.held?.has(key))) await this.fetchFor(session);
      else this.commands?.report({ sync: { state: "ready", done_bytes: 0, total_bytes: 0 } });
      if (this.session !== session) return;
      // the profile's panels come with the synced manifest, so after the sync
      session.panelsAt = this.profilePanels(session.scenes, payload.context, payload.learner, session.language);
      session.words = panelWords(lastManifest(this.device.storage)?.profiles, session.language);
      session.panelsDone = new Set(rejoin?.index == null ? [] : session.scenes.map((_, i) => i).filter((i) => i <= from));
      session.panel = null;
      document.body.dataset.state = "playing";
      // in a class, a cue that came in the meantime (a rejoin's "join") says where the class is
      if (session.run) await this.commands.later(() => (session.index < 0 ? this.prepare(from) : null));
      else await this.play(from, rejoin?.position_s ?? 0);
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

  /** Play scene ``index`` (after the profile panels due before it), from ``at_s`` seconds in. */
  async play(index, at_s = 0) {
    const session = this.session;
    if (this.showPanels(index)) return;
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
    session.waiting = false;
    if (at_s > 0 && this.scene.isVideo) this.scene.element.currentTime = at_s;
    this.player.show(this.scene);
    if (session.state === "paused") { this.player.pause(); this.showPaused(true); }
    $("title").textContent = this.scene.title;
    this.log("scene_start", { index, media: this.scene.mediaName, mode: this.player.xr ? "vr" : "2d",
                              ...(at_s > 0 ? { from_s: Math.round(at_s * 10) / 10 } : {}) }, key);
    this.reportStatus();
  }

  /** The scene played to its end: hold for the begeleider (a class, or the item says so), or go on. */
  sceneEnded() {
    const session = this.session;
    const item = session.items[session.index] || {};
    if (!session.run && !item.wait_for_staff) return this.next("einde scène");
    session.waiting = true;
    say(session.run ? "Wacht op de docent…" : "Wacht op de begeleider…");
    this.reportStatus();
  }

  // a class in step --------------------------------------------------------------------------------
  /** Load scene ``index``, hold it at its first frame, and tell the service it is ready. */
  async prepare(index) {
    const session = this.session;
    clearTimeout(this._startTimer);
    Object.assign(session, { index, at: null, waiting: false, started: null });
    const key = session.scenes[index];
    if (!key) return this.finish("einde afspeellijst");
    say(`Scène ${index + 1} van ${session.scenes.length} — even wachten op de klas…`);
    let scene = null;
    try {
      scene = await loadScene(cacheSource(this.device), key);
    } catch (e) {
      this.log("scene_end", { index, reason: "niet af te spelen", error: String(e.message || e) }, key);
    }
    if (this.session !== session || session.index !== index) { scene?.release(); return; }
    this.scene = scene;
    if (scene?.isVideo) {
      this.player.show(scene, { autoplay: false });
      await canPlay(scene.element);
      const took = await arm(scene.element);
      if (took != null && !this.starts.length) this.startLatency = Math.max(0, Math.min(MAX_START_LATENCY_MS, took));
      if (this.session !== session || session.index !== index) return;
    }
    $("title").textContent = scene ? scene.title : "";
    this.commands.send({ type: "loaded", session_id: session.id, index, rtt_ms: this.clock.rtt,
                          start_ms: Math.round(this.startLatency) });
    this.reportStatus();
  }

  /** A cue from the service for this class: load a scene, play it from a server time, or hold. */
  async cue(message) {
    const session = this.session;
    if (!session?.run || message.session_id !== session.id) return;
    if (message.index !== session.index) {
      if (session.index >= 0 && session.index < session.scenes.length) {
        this.log("scene_end", { index: session.index, reason: "verder door docent", position_s: this.position() },
                 session.scenes[session.index]);
      }
      await this.prepare(message.index);
      if (this.session !== session) return;
    } else if (message.type === "load") {
      this.commands.send({ type: "loaded", session_id: session.id, index: session.index, rtt_ms: this.clock.rtt,
                          start_ms: Math.round(this.startLatency) });
      return;
    }
    if (message.type === "play_at") this.startAt(message.at_ms);
    else if (message.type === "hold") this.holdAt(message.position_s);
  }

  /** Play the prepared scene so that it is at 0:00 at server time ``at`` (and where it is now, then). */
  startAt(at) {
    const session = this.session, scene = this.scene;
    if (!scene || session.at === at) return; // the same start again (a rejoin, a late loader): nothing new, even when paused here
    clearTimeout(this._startTimer);
    Object.assign(session, { at, state: "playing", classHeld: false });
    this.player.paused = false;
    this.showPaused(false);
    const from = scene.isVideo ? scene.element.currentTime : 0; // 0 at a start, the held moment at a resume
    const moment = at + from * 1000;
    const ahead = scene.isVideo ? this.startLatency : 0; // set it going this much early: the picture follows later
    const left = () => this.clock.until(moment) - ahead;
    const go = () => {
      if (this.session !== session || this.scene !== scene || session.at !== at) return;
      while (left() > 0 && left() < SPIN_MS + 5) { /* the last ms */ }
      const late = -left();
      const paused = session.state === "paused"; // paused between the cue and the moment: start held
      session.late = Math.round(late);
      const fresh = session.started !== session.index;
      session.started = session.index;
      if (scene.isVideo) {
        const el = scene.element;
        const seek = late > LATE_SEEK_MS;
        if (seek) el.currentTime = Math.min((this.clock.serverNow() - at + (this.seekLatency ?? this.startLatency)) / 1000,
                                            el.duration || Infinity);
        if (fresh) this.firstFrame(scene, at, seek ? late : 0, performance.now(), el.currentTime, seek);
        el.playbackRate = 1; // armed: already playing at rate 0, so this starts it without a new pipeline
        if (paused) el.pause();
        else if (!session.waiting && el.paused) el.play().catch((e) => console.warn("afspelen", e));
      } else if (fresh) {
        this.player.show(scene);
        if (paused) { this.player.pause(); this.showPaused(true); } // show() took the notice away
        this.startLogged(scene, at, this.clock.serverNow(), "photo", late);
      }
      say(`Scène ${session.index + 1} van ${session.scenes.length}`);
      this.reportStatus();
    };
    const wait = left();
    session.lead = Math.round(wait); // how long before the moment the cue came (negative: too late)
    if (wait <= SPIN_MS) go();
    else this._startTimer = setTimeout(go, wait - SPIN_MS);
  }

  /** When the first frame of a class start was shown, on the service's clock; the video went at
   * ``wentAt`` from ``fromS`` into the scene, by a rate change or (``seek``) a seek. */
  firstFrame(scene, at, lateMs, wentAt, fromS, seek) {
    const el = scene.element;
    let done = false;
    // the frame shown first may be a frame or two into the scene: the scene's 0:00 was then on
    // screen (or would have been) that frame's media time earlier; that moment is the start
    const shown = (localMs, how, mediaS = 0) => {
      if (done || this.scene !== scene) return;
      done = true;
      // learn how long the picture takes to follow: what passed beyond the media time it moved on
      const took = localMs - performance.timeOrigin - wentAt - (mediaS - fromS) * 1000;
      if (how === "rvfc" && took >= 0 && took <= MAX_START_LATENCY_MS) {
        if (seek) this.seekLatency = this.seekLatency == null ? took : (this.seekLatency + took) / 2;
        else this.startLatency = (this.startLatency + took) / 2;
      }
      this.startLogged(scene, at, localMs + this.clock.offset, how, lateMs, mediaS);
    };
    if (el.requestVideoFrameCallback) {
      el.requestVideoFrameCallback((now, meta) => shown(performance.timeOrigin + (meta.expectedDisplayTime ?? now), "rvfc",
                                                         meta.mediaTime ?? 0));
    }
    // without requestVideoFrameCallback (or when it does not fire): the first animation frame after it plays
    el.addEventListener("playing", () => setTimeout(() => requestAnimationFrame((t) => shown(performance.timeOrigin + t, "raf")),
                                                    el.requestVideoFrameCallback ? 500 : 0), { once: true });
  }

  /** A class start, kept (``starts``) and logged: ``firstFrameServerMs`` when its first frame was
   * shown, ``mediaS`` that frame's time in the scene; the start moment is when its 0:00 was. */
  startLogged(scene, at, firstFrameServerMs, how, lateMs, mediaS = 0) {
    const session = this.session;
    const startMs = firstFrameServerMs - mediaS * 1000; // a late joiner's first frame is well into the scene
    const entry = { session_id: session.id, index: session.index, at_ms: at, how, lead_ms: session.lead,
                    late_ms: session.late, start_latency_ms: Math.round(this.startLatency),
                    first_frame_server_ms: Math.round(firstFrameServerMs * 10) / 10,
                    first_frame_media_s: Math.round(mediaS * 1000) / 1000,
                    start_server_ms: Math.round(startMs * 10) / 10,
                    start_error_ms: Math.round((startMs - at) * 10) / 10,
                    ...(lateMs > JOINED_LATE_MS ? { joined_late_ms: Math.round(lateMs) } : {}) };
    this.starts.push(entry);
    this.log("scene_start", { index: session.index, media: scene.mediaName, mode: this.player.xr ? "vr" : "2d",
                              at_ms: at, first_frame_server_ms: entry.first_frame_server_ms,
                              start_server_ms: entry.start_server_ms,
                              start_error_ms: entry.start_error_ms, clock_rtt_ms: this.clock.rtt,
                              ...(entry.joined_late_ms ? { joined_late_ms: entry.joined_late_ms } : {}) }, scene.key);
  }

  /** Hold the class at ``position`` (seconds into the scene) until the next play_at. */
  holdAt(position) {
    const session = this.session, scene = this.scene;
    clearTimeout(this._startTimer);
    session.state = "paused";
    this.player.pause();
    if (scene?.isVideo) scene.element.currentTime = Math.min(position, scene.element.duration || position);
    say("Gepauzeerd");
    session.classHeld = true;
    this.showPaused(true);
    this.reportStatus();
  }

  /** Stay in step while playing: nudge the rate (±3 %, proportional); seek only when far off. */
  keepInStep() {
    const session = this.session, scene = this.scene;
    if (!session?.run || session.at == null || session.state !== "playing" || session.waiting || !scene?.isVideo) return;
    const el = scene.element;
    if (el.paused || el.ended || el.seeking) return;
    const expected = (this.clock.serverNow() - session.at) / 1000;
    if (expected < 0 || (el.duration && expected >= el.duration)) return;
    this.drift = el.currentTime - expected;
    const rate = stepRate(this.drift, { limit: Math.abs(this.drift) > CATCH_UP_ABOVE_S ? CATCH_UP_RATE : 0.03 });
    if (rate === null) el.currentTime = expected;
    else el.playbackRate = rate;
  }

  async next(reason) {
    const session = this.session;
    if (!session) return;
    if (session.panel) return this.nextPanel(reason);
    this.log("scene_end", { index: session.index, reason, position_s: this.position() }, session.scenes[session.index]);
    await this.play(session.index + 1);
  }

  async finish(reason) {
    const session = this.session;
    if (!session) return;
    clearTimeout(this._startTimer);
    if (session.panel) this.endPanel(reason);
    else if (session.index >= 0 && session.index < session.scenes.length) {
      this.log("scene_end", { index: session.index, reason, position_s: this.position() }, session.scenes[session.index]);
    }
    this.log("session_end", { reason });
    this.session = null;
    if (this.commands) this.commands.classSession = null;
    this.scene = null;
    this.useLanguage("nl");
    this.player.clear();
    this.showPaused(false);
    $("title").textContent = "";
    $("panel").hidden = true;
    if (this.player.xr) this.player.xr.end();
    this.reportStatus();
    this.waiting();
    this.events.flush();
  }

  // profile panels -------------------------------------------------------------------------------
  /** Before scene i (and at the end, i = n): the panels of the profile of the organisation whose
   * scenes start or end there, for this learner ({route, level, year}, each may be null). */
  profilePanels(scenes, context, learner, lang = "nl") {
    const manifest = lastManifest(this.device.storage);
    if (!manifest?.profiles) return new Map();
    const bundles = Object.fromEntries(manifest.bundles.map((b) => [b.bundle_key, b]));
    return panelsAround(scenes, bundles, manifest.profiles, learner || { route: null, level: null, year: null }, context, lang);
  }

  /** Show the panels due before scene ``index``, once; true when they now wait for "Verder". */
  showPanels(index) {
    const session = this.session, queue = session.panelsAt.get(index);
    if (!queue?.length || session.panelsDone.has(index)) return false;
    session.panelsDone.add(index);
    session.index = index;
    this.scene = null;
    this.player.clear();
    $("title").textContent = "";
    session.panel = { before: index, queue, at: 0, page: 0 };
    this.drawPanel();
    this.reportStatus();
    return true;
  }

  drawPanel() {
    const p = this.session.panel, panel = p.queue[p.at], last = p.at === p.queue.length - 1;
    if (p.page === 0) {
      const words = this.session.words;
      const button = fillPanelElement($("panel"), panel, words.next);
      button.addEventListener("click", () => this.nextPanel("verder door kijker"));
      $("live").textContent = panel.title;
      say(`${panel.organisation} — ${words.position.replace("{at}", p.at + 1).replace("{of}", p.queue.length)}`);
      if (!this.player.xr) button.focus();
      this.log("panel_show", { kind: panel.kind, position: p.at, before: p.before, of: p.queue.length });
    }
    p.pages = panelCanvases(panel, last && p.before >= this.session.scenes.length ? this.session.words.end_vr
      : this.session.words.next_vr);
    this.player.renderer.setPanel(1, p.pages[p.page], direction(this.player.head[0], 0), PANEL_STYLE.widthDeg);
  }

  endPanel(reason) {
    const p = this.session.panel;
    this.log("panel_end", { kind: p.queue[p.at].kind, position: p.at, before: p.before, reason });
  }

  /** In VR the trigger turns a long panel's page, then goes on as "Verder". */
  panelPage(via) {
    const p = this.session.panel;
    if (p.pages && p.page < p.pages.length - 1) { p.page++; this.drawPanel(); return; }
    this.nextPanel(via === "vr" ? "verder in vr" : "verder door kijker");
  }

  /** "Verder" (the viewer, or staff's next): the next panel, or on to the scene. */
  async nextPanel(reason) {
    const session = this.session, p = session?.panel;
    if (!p) return;
    this.endPanel(reason);
    if (++p.at < p.queue.length) { p.page = 0; this.drawPanel(); return; }
    session.panel = null;
    $("panel").hidden = true;
    this.player.renderer.setPanel(1, null);
    await this.play(p.before);
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
    const state = !s ? "idle" : document.body.dataset.state === "syncing" ? "syncing"
      : s.state === "paused" ? "paused" : s.waiting ? "waiting" : "playing";
    const head = s?.recordHead ? { yaw: round1(this.player.head[0]), pitch: round1(this.player.head[1]) } : { yaw: null, pitch: null };
    this.commands.report({ state, session_id: s ? s.id : null, bundle_key: s && this.scene ? this.scene.key : null,
                           position_s: s && this.scene ? Math.round(this.scene.position * 100) / 100 : null, ...head });
    this._headSent = { at: performance.now(), yaw: head.yaw, pitch: head.pitch };
  }

  /** Meekijken: where the viewer looks, on the socket as soon as it turns, at most 5 times a second. */
  reportHead() {
    const s = this.session, last = this._headSent;
    if (!s?.recordHead || !this.commands?.connected || !last) return;
    const now = performance.now();
    if (now - last.at < HEAD_EVERY_MS) return;
    const [yaw, pitch] = this.player.head;
    const turned = last.yaw === null || Math.abs(((yaw - last.yaw + 540) % 360) - 180) >= HEAD_MIN_TURN
      || Math.abs(pitch - last.pitch) >= HEAD_MIN_TURN;
    if (turned || now - last.at > 1000) this.reportStatus();
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

/**
 * Arm a video for a class start: playing at rate 0, so the pipeline (decoder, audio output) is
 * set up now and the start is only a rate change. Measures ARM_TRIES times how long a rate change
 * takes to put the scene's 0:00 on screen (the first new frame's display time less its media
 * time) and returns the median (ms, or null), then goes back to the first frame, still armed.
 */
async function arm(video) {
  const muted = video.muted;
  video.muted = true;
  video.playbackRate = 0;
  try { await video.play(); } catch (e) { video.muted = muted; video.playbackRate = 1; return null; }
  await new Promise((done) => requestAnimationFrame(() => done()));
  const took = [];
  for (let n = 0; n < ARM_TRIES && video.requestVideoFrameCallback; n++) {
    const from = video.currentTime, t0 = performance.now();
    const ms = await new Promise((done) => {
      video.requestVideoFrameCallback((now, meta) => done((meta.expectedDisplayTime ?? now) - t0 - (meta.mediaTime - from) * 1000));
      setTimeout(() => done(null), 2000);
      video.playbackRate = 1;
    });
    video.playbackRate = 0;
    if (ms === null) break;
    took.push(ms);
  }
  video.currentTime = 0;
  await new Promise((done) => { video.addEventListener("seeked", done, { once: true }); setTimeout(done, 2000); });
  video.muted = muted;
  return took.length ? took.sort((a, b) => a - b)[took.length >> 1] : null;
}

function round1(x) { return Math.round(x * 10) / 10; }

/** Resolves when ``video`` can play from where it is (or after a few seconds: start anyway). */
function canPlay(video, ms = 5000) {
  if (video.readyState >= 3) return Promise.resolve();
  return new Promise((done) => {
    const timer = setTimeout(done, ms);
    video.addEventListener("canplay", () => { clearTimeout(timer); done(); }, { once: true });
  });
}

new Headset().boot();
