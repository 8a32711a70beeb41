// The player: one scene at a time on the sphere, captions and hotspots, in 2D (canvas, drag,
// keyboard, hotspots as focusable buttons) and in an immersive WebXR session (xr.js). The headset
// page (headset.js) and the staff preview (preview.js) both drive this class.

import { angleBetween, direction, gazeOf, lookAt, multiply, perspective, project, rotate, yawPitch } from "./math.js";
import { SphereRenderer } from "./renderer.js";
import { textIn } from "./scene.js";

const FOV_2D = 80; // degrees, vertical
const STEP = 5; // degrees per arrow key
const SELECT_WITHIN = 8; // degrees between a pointer ray and a hotspot that still selects it
const PANEL_WIDTH = 40; // degrees
const REDRAW_MS = 250; // a 2D view that seems unchanged is still drawn this often (timed captions, hotspots)

function textPanel(title, body) {
  const c = document.createElement("canvas");
  c.width = 1024; c.height = body ? 384 : 160;
  const g = c.getContext("2d");
  g.fillStyle = "rgba(11, 40, 48, 0.88)";
  g.beginPath(); g.roundRect(0, 0, c.width, c.height, 36); g.fill();
  g.fillStyle = "#fff"; g.textBaseline = "top";
  let y = 28;
  const wrap = (text, font, lineHeight) => {
    g.font = font;
    for (const paragraph of text.split("\n")) {
      let line = "";
      for (const word of paragraph.split(" ")) {
        const next = line ? `${line} ${word}` : word;
        if (g.measureText(next).width > c.width - 80 && line) { g.fillText(line, 40, y); y += lineHeight; line = word; }
        else line = next;
      }
      g.fillText(line, 40, y); y += lineHeight;
    }
  };
  if (title) wrap(title, "bold 52px sans-serif", 62);
  if (body) wrap(body, "42px sans-serif", 52);
  return c;
}

export class Player {
  /**
   * @param canvas  the 2D canvas (its WebGL context is made XR-compatible when entering VR)
   * @param opts    {hotspotLayer: element for the 2D hotspot buttons, live: an aria-live element,
   *                 onEvent(kind, data): hotspot_open and the like, onEnded(): the scene ended}
   */
  constructor(canvas, opts = {}) {
    this.canvas = canvas;
    this.opts = opts;
    this.gl = canvas.getContext("webgl2", { xrCompatible: true, preserveDrawingBuffer: true })
      || canvas.getContext("webgl", { xrCompatible: true, preserveDrawingBuffer: true });
    if (!this.gl) throw new Error("Deze browser ondersteunt geen WebGL.");
    this.renderer = new SphereRenderer(this.gl);
    this.scene = null;
    this.yaw = 0; this.pitch = 0; // the 2D camera, in scene degrees
    this.head = [0, 0]; // where the viewer looks, in scene degrees (2D camera or headset)
    this.frames = 0;
    this.paused = false;
    this.opened = null; // the hotspot whose text is shown
    this.pointed = null;
    this.xr = null; // set by xr.js while immersive
    this.buttons = new Map();
    this._caption = "";
    this._bindControls();
    this._videoFrames = 0; // video frames presented (requestVideoFrameCallback), to draw only new ones
    this._drawn = null;
    // draws only while the canvas is on screen and not in VR (the XR session draws then), and only
    // when something changed: a software-rendered or shared GPU (a classroom PC, five headsets in a
    // test) has better things to do than draw the same frame sixty times a second
    const loop = () => { if (!this.xr && canvas.clientWidth && this._changed()) this.draw2d(); this._raf = requestAnimationFrame(loop); };
    this._raf = requestAnimationFrame(loop);
  }

  // scenes ---------------------------------------------------------------------------------------
  show(scene, { autoplay = true } = {}) {
    this._photoStop();
    this._photoLeft = null;
    if (this.scene && this.scene !== scene) this.scene.release();
    this.scene = scene;
    this.renderer.clearFrame();
    this.renderer.setGeometry(scene.mesh, scene.projection);
    this.canvas.dataset.projection = scene.projection; // "360" or "vr180": what the viewer is shown on
    this.canvas.dataset.floor = scene.floor === null ? "" : String(scene.floor); // grounded: metres to the floor
    this._uploaded = false;
    this.opened = null;
    this._caption = null;
    this.renderer.setPanel(1, null);
    [this.yaw, this.pitch] = [scene.view.yaw || 0, scene.view.pitch || 0];
    this.recenter();
    scene.shownAt = performance.now();
    if (scene.isVideo) {
      scene.element.addEventListener("ended", () => this.opts.onEnded?.(scene));
      if (scene.element.requestVideoFrameCallback) {
        const frame = () => { if (this.scene !== scene) return; this._videoFrames++; scene.element.requestVideoFrameCallback(frame); };
        scene.element.requestVideoFrameCallback(frame);
      }
      if (autoplay && !this.paused) scene.element.play().catch(() => {});
    } else if (scene.photoSeconds) {
      if (this.paused) this._photoLeft = scene.photoSeconds * 1000;
      else this._photoStart(scene.photoSeconds * 1000);
    }
    this._buildButtons();
  }

  // a photo's time runs only while not paused
  _photoStart(ms) {
    const scene = this.scene;
    clearTimeout(this._photoTimer);
    this._photoEnd = performance.now() + ms;
    this._photoTimer = setTimeout(() => this.opts.onEnded?.(scene), ms);
  }

  _photoStop() {
    clearTimeout(this._photoTimer);
    const left = this._photoEnd == null ? null : Math.max(0, this._photoEnd - performance.now());
    this._photoEnd = null;
    return left;
  }

  clear() {
    this._photoStop();
    if (this.scene) this.scene.release();
    this.scene = null;
    this.renderer.clearFrame();
    this.renderer.setHotspots([]);
    this.renderer.setPanel(0, null);
    this.renderer.setPanel(1, null);
    this._buildButtons();
  }

  pause() {
    this.paused = true;
    if (this.scene?.isVideo) this.scene.element.pause();
    else if (this._photoEnd != null) this._photoLeft = this._photoStop();
  }

  resume() {
    this.paused = false;
    if (this.scene?.isVideo) this.scene.element.play().catch(() => {});
    else if (this._photoLeft != null) { this._photoStart(this._photoLeft); this._photoLeft = null; }
  }

  /** Put the scene's starting view where the viewer looks now. */
  recenter() {
    const view = this.scene ? this.scene.view : { yaw: 0, pitch: 0 };
    if (this.xr) this.renderer.yawOffset = this.xr.headYaw() - (view.yaw || 0);
    else { this.renderer.yawOffset = 0; [this.yaw, this.pitch] = [view.yaw || 0, view.pitch || 0]; }
  }

  // hotspots -------------------------------------------------------------------------------------
  visibleHotspots() { return this.scene ? this.scene.hotspotsAt(this.scene.position) : []; }

  /** The visible hotspot nearest to a scene direction, within ``within`` degrees, or null. */
  hotspotAlong(dir, within = SELECT_WITHIN) {
    let best = null, bestAngle = within;
    for (const h of this.visibleHotspots()) {
      const a = angleBetween(dir, direction(h.yaw, h.pitch));
      if (a <= bestAngle) { best = h; bestAngle = a; }
    }
    return best;
  }

  /** A world direction (from XR) in scene coordinates: undo the recenter turn. */
  sceneDirection(worldDir) {
    const [yaw, pitch] = yawPitch(worldDir);
    return direction(yaw - this.renderer.yawOffset, pitch);
  }

  openHotspot(h, via) {
    this.opened = h;
    const panel = textPanel(textIn(h.label), textIn(h.text));
    this.renderer.setPanel(1, panel, direction(h.yaw, h.pitch - 12), PANEL_WIDTH);
    if (this.opts.live) this.opts.live.textContent = `${textIn(h.label)}: ${textIn(h.text)}`;
    this.opts.onEvent?.("hotspot_open", { hotspot: h.id, kind: h.kind, via });
  }

  closeHotspot() { this.opened = null; this.renderer.setPanel(1, null); }

  // drawing --------------------------------------------------------------------------------------
  /** Per-frame work shared by 2D and XR: the video texture, captions, hotspot markers. */
  update() {
    const scene = this.scene;
    if (!scene) return;
    if (scene.ready() && (scene.isVideo || !this._uploaded)) {
      this.renderer.setFrame(scene.element, scene.stereo);
      this._uploaded = true;
    }
    const t = scene.position;
    const caption = scene.captionAt(t);
    if (caption !== this._caption) {
      this._caption = caption;
      this.renderer.setPanel(0, caption ? textPanel("", caption) : null, direction(this.head[0], this.head[1] - 28), PANEL_WIDTH);
    }
    const visible = new Set(this.visibleHotspots());
    this.renderer.setHotspots(scene.hotspots.map((h) => ({
      dir: direction(h.yaw, h.pitch), shown: visible.has(h), pointed: h === this.pointed || h === this.opened })));
  }

  /** Whether the 2D view would look different from the last one drawn (or it is REDRAW_MS old). */
  _changed() {
    const s = this.scene, c = this.canvas;
    const video = s?.isVideo ? (s.element.requestVideoFrameCallback ? this._videoFrames : s.element.currentTime) : null;
    const now = [s, video, s ? s.ready() : false, this.yaw, this.pitch, c.clientWidth, c.clientHeight, devicePixelRatio,
                 this.opened, this.pointed, this.renderer.yawOffset];
    const t = performance.now();
    if (this._drawn && t - this._drawnAt < REDRAW_MS && now.every((v, i) => v === this._drawn[i])) return false;
    this._drawn = now;
    this._drawnAt = t;
    return true;
  }

  draw2d() {
    const canvas = this.canvas, w = canvas.clientWidth, h = canvas.clientHeight;
    if (w && h && (canvas.width !== Math.round(w * devicePixelRatio) || canvas.height !== Math.round(h * devicePixelRatio))) {
      canvas.width = Math.round(w * devicePixelRatio); canvas.height = Math.round(h * devicePixelRatio);
    }
    this.head = [this.yaw, this.pitch];
    this.update();
    const gl = this.gl;
    gl.bindFramebuffer(gl.FRAMEBUFFER, null);
    gl.clearColor(0.04, 0.16, 0.19, 1); // behind a VR180 half sphere: nothing to see
    gl.clear(gl.COLOR_BUFFER_BIT);
    const viewProj = multiply(perspective(FOV_2D, canvas.width / canvas.height), lookAt(this.yaw, this.pitch));
    this.renderer.draw(viewProj, { x: 0, y: 0, width: canvas.width, height: canvas.height });
    this._placeButtons(viewProj);
    this.frames++;
  }

  // 2D controls ----------------------------------------------------------------------------------
  look(yaw, pitch) {
    this.yaw = ((yaw + 540) % 360) - 180;
    this.pitch = Math.max(-85, Math.min(85, pitch));
  }

  _bindControls() {
    const canvas = this.canvas;
    let drag = null;
    canvas.addEventListener("pointerdown", (e) => { drag = [e.clientX, e.clientY]; canvas.setPointerCapture?.(e.pointerId); });
    canvas.addEventListener("pointerup", () => { drag = null; });
    canvas.addEventListener("pointermove", (e) => {
      if (!drag) return;
      const k = FOV_2D / (canvas.clientHeight || 1);
      this.look(this.yaw - (e.clientX - drag[0]) * k, this.pitch + (e.clientY - drag[1]) * k);
      drag = [e.clientX, e.clientY];
    });
    canvas.addEventListener("keydown", (e) => {
      const moves = { ArrowLeft: [-STEP, 0], ArrowRight: [STEP, 0], ArrowUp: [0, STEP], ArrowDown: [0, -STEP] };
      if (moves[e.key]) { this.look(this.yaw + moves[e.key][0], this.pitch + moves[e.key][1]); e.preventDefault(); }
      else if (e.key === "Escape") this.closeHotspot();
    });
  }

  _buildButtons() {
    const layer = this.opts.hotspotLayer;
    if (!layer) return;
    layer.replaceChildren();
    this.buttons.clear();
    for (const h of this.scene ? this.scene.hotspots : []) {
      const b = document.createElement("button");
      b.type = "button";
      b.className = "zb-hotspot";
      b.dataset.hotspot = h.id;
      b.textContent = textIn(h.label) || h.id;
      b.addEventListener("click", () => this.openHotspot(h, "2d"));
      b.addEventListener("focus", () => this.look(h.yaw, h.pitch)); // turn to what the keyboard reached
      layer.append(b);
      this.buttons.set(h, b);
    }
  }

  _placeButtons(viewProj) {
    if (!this.buttons.size) return;
    const visible = new Set(this.visibleHotspots());
    for (const [h, b] of this.buttons) {
      const at = visible.has(h) ? project(viewProj, direction(h.yaw, h.pitch)) : null;
      const inside = at && at[0] >= 0 && at[0] <= 1 && at[1] >= 0 && at[1] <= 1;
      b.hidden = !visible.has(h);
      b.classList.toggle("off-screen", !inside);
      if (inside) { b.style.left = `${at[0] * 100}%`; b.style.top = `${at[1] * 100}%`; }
    }
  }

  /** A message in front of the viewer ("Gepauzeerd"), in 2D and in VR; ``title`` null hides it. */
  notice(title, body = "") {
    this.noticeShown = Boolean(title);
    this.renderer.setPanel(1, title ? textPanel(title, body) : null, direction(this.head[0], this.head[1]), PANEL_WIDTH);
  }

  // XR hooks (xr.js) -----------------------------------------------------------------------------
  /** Where a pose looks, in scene degrees. */
  sceneGaze(orientation) {
    return yawPitch(this.sceneDirection(rotate(orientation, [0, 0, -1])));
  }
}

export { gazeOf };
