// The headset's side of the service protocol: its token, session commands (WebSocket, polling when
// a socket cannot stay open; in a class the class's cues are polled then too), status reports, the service's clock (clock.js, pinged over the
// socket) and the event queue that survives a Wi-Fi drop.

import { Clock } from "./clock.js";

const TOKEN = "zorgblik.token";
const HANDLED = "zorgblik.lastCommand";
const QUEUE = "zorgblik.events";
const POLL_MS = 2000;
const CLASS_POLL_MS = 500; // in a class without a socket: how often the class's cue is asked for
const RECONNECT_MS = 3000;
const HEARTBEAT_MS = 4000; // a heartbeat the service answers at once…
const SILENT_MS = 12000; // …so a socket silent this long is dead (Wi-Fi gone): drop it, poll, reconnect
const PINGS = 8; // clock round trips per burst; the lowest-delay one counts
const PING_EVERY_MS = 30000;

export class Device {
  constructor(storage = localStorage) {
    this.storage = storage;
  }

  get token() { return this.storage.getItem(TOKEN); }
  get paired() { return Boolean(this.token); }

  headers(extra = {}) { return this.token ? { ...extra, Authorization: `Bearer ${this.token}` } : extra; }

  fetch(path, init = {}) { return fetch(path, { ...init, headers: this.headers(init.headers || {}) }); }

  async json(path, body, method = "POST") {
    const r = await this.fetch(path, { method, body: JSON.stringify(body), headers: { "Content-Type": "application/json" } });
    if (!r.ok) throw Object.assign(new Error(`${path}: HTTP ${r.status}`), { status: r.status });
    return r.status === 204 ? null : r.json();
  }

  /** Trade a pairing code for this headset's device token (also set as a cookie by the service). */
  async pair(code) {
    const r = await fetch("/api/headsets/pair", { method: "POST", headers: { "Content-Type": "application/json" },
                                                   body: JSON.stringify({ code: code.trim().toUpperCase() }) });
    if (!r.ok) throw Object.assign(new Error("koppelen mislukt"), { status: r.status });
    const paired = await r.json();
    this.storage.setItem(TOKEN, paired.token);
    return paired;
  }

  forget() { this.storage.removeItem(TOKEN); }
}

/** Session commands in order, each once: over the WebSocket, or by polling while it is down. */
export class Commands {
  constructor(device, handle) {
    this.device = device;
    this.handle = handle;
    this.ws = null;
    this.stopped = false;
    this.busy = Promise.resolve();
    this.status = { state: "idle" };
    this.clock = new Clock();
    this.onMessage = null; // messages other than commands (a class's cues), as they come
    this.onOpen = null; // the socket is (re)connected
    this.classSession = null; // the session id of the class this headset is in: polled for cues while there is no socket
    this._lastCue = null;
  }

  get connected() { return this.ws?.readyState === WebSocket.OPEN; }

  /** Send ``message`` on the socket; a class message goes over HTTP while there is none (polling);
   * false when it could not go at all. */
  send(message) {
    if (this.connected) {
      this.ws.send(JSON.stringify(message));
      return true;
    }
    if (message.type !== "loaded" && message.type !== "join") return false;
    this.device.json("/api/device/class", message).catch(() => {});
    return true;
  }

  /** A burst of pings, one at a time; the clock keeps the lowest-delay answer. */
  _pingBurst(ws, left = PINGS) {
    if (left <= 0 || this.ws !== ws) return;
    this._pingNext = () => this._pingBurst(ws, left - 1);
    this.send({ type: "ping", t0: this.clock.now() });
    clearTimeout(this._pingTimeout);
    this._pingTimeout = setTimeout(() => this._pingNext?.(), 1000); // an answer lost: go on
  }

  _pong(message) {
    this.clock.sample(message.t0, message.server_ms);
    clearTimeout(this._pingTimeout);
    const next = this._pingNext;
    this._pingNext = null;
    if (next) setTimeout(next, 20);
  }

  get lastHandled() { return Number(this.device.storage.getItem(HANDLED) || 0); }

  start() { this._connect(); this._poll(); this._beat = setInterval(() => this._heartbeat(), HEARTBEAT_MS); }

  stop() {
    this.stopped = true; this.ws?.close();
    clearTimeout(this._pollTimer); clearTimeout(this._wsTimer); clearInterval(this._beat); clearInterval(this._pingEvery);
  }

  /** A browser does not notice a socket whose network went away; the service's answers tell. */
  _heartbeat() {
    const ws = this.ws;
    if (!ws || ws.readyState !== WebSocket.OPEN) return;
    if (Date.now() - this.heardAt > SILENT_MS) {
      ws.dropped = true; // its close event, whenever it comes, changes nothing
      this.ws = null;
      try { ws.close(); } catch (e) { /* already going */ }
      clearTimeout(this._wsTimer);
      this._wsTimer = setTimeout(() => this._connect(), RECONNECT_MS);
      return;
    }
    ws.send(JSON.stringify({ type: "heartbeat" }));
  }

  /** Run ``fn`` after the commands (and cues) before it are done: one thing at a time. */
  later(fn) {
    this.busy = this.busy.then(fn).catch((e) => console.warn("klas", e));
    return this.busy;
  }

  /** Handle commands one at a time, in id order, skipping what was handled before. */
  _take(command) {
    this.busy = this.busy.then(async () => {
      if (command.id <= this.lastHandled) return;
      try { await this.handle(command); } catch (e) { console.warn("commando", command, e); }
      this.device.storage.setItem(HANDLED, String(command.id));
      this.ack(command.id);
    });
    return this.busy;
  }

  ack(id) {
    if (this.ws?.readyState === WebSocket.OPEN) this.ws.send(JSON.stringify({ type: "ack", id }));
    else this.device.json("/api/device/status", { ...this.status, ack: id }).catch(() => {});
  }

  /** Where the headset is: {state, session_id, bundle_key, position_s}. */
  report(status) {
    this.status = { ...this.status, ...status };
    if (this.ws?.readyState === WebSocket.OPEN) this.ws.send(JSON.stringify({ type: "status", ...this.status }));
    else this.device.json("/api/device/status", this.status).catch(() => {});
  }

  _connect() {
    if (this.stopped) return;
    const url = `${location.protocol === "https:" ? "wss" : "ws"}://${location.host}/api/device/ws`;
    let ws;
    try { ws = new WebSocket(url); } catch (e) { this._wsTimer = setTimeout(() => this._connect(), RECONNECT_MS); return; }
    ws.onopen = () => {
      this.ws = ws;
      this.heardAt = Date.now();
      this.report({}); // back: say at once where it is
      this._pingBurst(ws);
      clearInterval(this._pingEvery);
      this._pingEvery = setInterval(() => this._pingBurst(ws), PING_EVERY_MS);
      this.onOpen?.();
    };
    ws.onmessage = (e) => {
      if (ws.dropped) return;
      this.heardAt = Date.now();
      const message = JSON.parse(e.data);
      if (message.type === "command") this._take(message);
      else if (message.type === "pong") this._pong(message);
      else if (message.type === "heartbeat") { /* heardAt is all it is for */ }
      else this.onMessage?.(message);
    };
    ws.onclose = (e) => {
      if (ws.dropped) return;
      if (this.ws === ws) this.ws = null;
      if (e.code === 4401) { this.onRevoked?.(); return; }
      this._wsTimer = setTimeout(() => this._connect(), RECONNECT_MS);
    };
  }

  async _poll() {
    if (this.stopped) return;
    if (!this.ws) {
      try {
        const r = await this.device.fetch(`/api/device/commands?after=${this.lastHandled}`);
        if (r.status === 401) { this.onRevoked?.(); return; }
        if (r.ok) for (const c of await r.json()) await this._take({ type: "command", ...c });
        if (this.classSession !== null && !this.ws) await this._pollCue(this.classSession);
      } catch (e) { /* offline: try again */ }
    }
    this._pollTimer = setTimeout(() => this._poll(), this.classSession !== null ? CLASS_POLL_MS : POLL_MS);
  }

  /** A class without a socket: the class's current cue (and the service's clock) by HTTP; passed
   * on when it differs from the last one, as the socket would have sent it. */
  async _pollCue(sessionId) {
    const t0 = this.clock.now();
    const r = await this.device.fetch(`/api/device/cue?session_id=${sessionId}`);
    if (!r.ok) return;
    const { server_ms: serverMs, ...cue } = await r.json();
    this.clock.sample(t0, serverMs);
    const seen = JSON.stringify(cue);
    if (seen === this._lastCue) return;
    this._lastCue = seen;
    this.onMessage?.(cue);
  }
}

/**
 * Battery and free storage as this browser can tell them (Battery Status API,
 * navigator.storage.estimate()); a value it cannot give is left out, with the reason beside it.
 */
export async function deviceInfo() {
  const info = {};
  if (typeof navigator.getBattery === "function") {
    try {
      const battery = await navigator.getBattery();
      info.battery = Math.max(0, Math.min(100, Math.round(battery.level * 100)));
      info.charging = Boolean(battery.charging);
    } catch (e) { info.battery_reason = "browser geeft geen accustand (geweigerd)"; }
  } else info.battery_reason = "browser geeft geen accustand (geen Battery Status API)";
  if (navigator.storage?.estimate) {
    try {
      const estimate = await navigator.storage.estimate();
      if (Number.isFinite(estimate.quota)) info.free_bytes = Math.max(0, Math.round(estimate.quota - (estimate.usage || 0)));
      else info.storage_reason = "browser geeft geen opslagruimte";
    } catch (e) { info.storage_reason = "browser geeft geen opslagruimte (geweigerd)"; }
  } else info.storage_reason = "browser geeft geen opslagruimte (geen StorageManager)";
  return info;
}

function newId() {
  return crypto.randomUUID ? crypto.randomUUID() : `${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 14)}`;
}

/** Events kept in localStorage until the service has them; retried with the same event ids. */
export class EventQueue {
  constructor(device) {
    this.device = device;
    this.flushing = null;
    addEventListener("online", () => this.flush());
    this._timer = setInterval(() => this.flush(), 5000);
  }

  get pending() { return JSON.parse(this.device.storage.getItem(QUEUE) || "[]"); }
  _save(items) { this.device.storage.setItem(QUEUE, JSON.stringify(items)); }

  add(sessionId, kind, data = {}, bundleKey = null) {
    const event = { event_id: newId(), kind, at: new Date().toISOString(), data };
    if (bundleKey) event.bundle_key = bundleKey;
    this._save([...this.pending, { session_id: sessionId, event }]);
    clearTimeout(this._soon);
    this._soon = setTimeout(() => this.flush(), kind === "head_direction" ? 1000 : 50);
    return event;
  }

  /** Send what is queued, a batch per session; what fails stays for the next try. */
  flush() {
    if (!this.flushing) this.flushing = this._send().finally(() => { this.flushing = null; });
    return this.flushing;
  }

  async _send() {
    for (;;) {
      const items = this.pending;
      if (!items.length) return;
      const sessionId = items[0].session_id;
      const batch = items.filter((i) => i.session_id === sessionId).slice(0, 500);
      let status;
      try {
        const r = await this.device.fetch(`/api/sessions/${sessionId}/events`, { method: "POST",
          headers: { "Content-Type": "application/json" }, body: JSON.stringify({ events: batch.map((i) => i.event) }) });
        status = r.status;
      } catch (e) {
        return; // offline: keep them for the next try
      }
      if (status >= 500 || status === 401 || status === 429) return;
      if (status >= 400) console.warn(`events voor sessie ${sessionId} geweigerd (HTTP ${status})`);
      const sent = new Set(batch.map((i) => i.event.event_id));
      this._save(this.pending.filter((i) => !sent.has(i.event.event_id)));
    }
  }
}
