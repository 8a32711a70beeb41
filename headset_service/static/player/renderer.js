// Draws a scene on the inside of a sphere with raw WebGL: the equirectangular frame (one half per
// eye when the bundle is stereo), hotspot markers, and up to two text panels (captions, an opened
// hotspot) laid on the sphere itself, so the same draw call serves the 2D canvas and each XR view.
// A VR180 scene is drawn on the bundle's own mesh instead (render/mesh.py's half sphere, with its
// texture coordinates: setGeometry); what lies behind the viewer then stays dark. So is a scene
// whose bundle has the grounded sphere (its floor flat at the camera height: bounds.min[1]).

import { multiply, rotationY } from "./math.js";

const MAX_HOTSPOTS = 16;
const SEGMENTS = [48, 24];

const VERTEX = `
attribute vec3 aPos;
attribute vec2 aUV;
uniform mat4 uViewProj;
uniform mat4 uModel;
uniform float uScale;         // the built-in sphere is a unit one; a bundle's mesh is in metres
varying vec3 vDir;
varying vec2 vUV;
void main() {
  vDir = aPos;
  vUV = aUV;
  gl_Position = uViewProj * uModel * vec4(aPos * uScale, 1.0);
}`;

const FRAGMENT = `
precision highp float;
const float PI = 3.14159265;
varying vec3 vDir;
varying vec2 vUV;
uniform float uMeshUV;        // 1: the mesh's own texture coordinates (VR180's half sphere, the grounded one)
uniform sampler2D uFrame;
uniform float uHasFrame;
uniform vec4 uEye;            // uv offset (xy) and scale (zw) of this eye's half
uniform vec4 uHot[${MAX_HOTSPOTS}]; // direction, and w: 0 hidden, 1 shown, 2 pointed at
uniform sampler2D uPanel0;
uniform sampler2D uPanel1;
uniform vec3 uPanelC[2];
uniform vec3 uPanelR[2];
uniform vec3 uPanelU[2];
uniform vec3 uPanelS[2];      // half width, half height (tangent units), shown (0/1)

vec4 panel(sampler2D tex, vec3 d, vec3 c, vec3 r, vec3 u, vec3 s) {
  float t = dot(d, c);
  if (s.z < 0.5 || t <= 0.0) return vec4(0.0);
  vec3 p = d / t - c;
  vec2 q = vec2(dot(p, r) / s.x, dot(p, u) / s.y);
  if (abs(q.x) > 1.0 || abs(q.y) > 1.0) return vec4(0.0);
  return texture2D(tex, vec2(q.x * 0.5 + 0.5, 0.5 - q.y * 0.5));
}

void main() {
  vec3 d = normalize(vDir);
  float lon = atan(d.x, -d.z);
  float lat = asin(clamp(d.y, -1.0, 1.0));
  vec2 uv = uMeshUV > 0.5 ? vUV : vec2(lon / (2.0 * PI) + 0.5, 0.5 - lat / PI);
  vec3 c = uHasFrame > 0.5 ? texture2D(uFrame, uEye.xy + uv * uEye.zw).rgb : vec3(0.04, 0.16, 0.19);
  for (int i = 0; i < ${MAX_HOTSPOTS}; i++) {
    if (uHot[i].w < 0.5) continue;
    float a = acos(clamp(dot(d, uHot[i].xyz), -1.0, 1.0));
    float big = uHot[i].w > 1.5 ? 1.4 : 1.0;
    if (a < 0.03 * big) c = mix(c, vec3(1.0), 0.85);
    else if (a < 0.045 * big) c = uHot[i].w > 1.5 ? vec3(0.94, 0.65, 0.0) : vec3(0.04, 0.36, 0.42);
  }
  vec4 p0 = panel(uPanel0, d, uPanelC[0], uPanelR[0], uPanelU[0], uPanelS[0]);
  c = mix(c, p0.rgb, p0.a);
  vec4 p1 = panel(uPanel1, d, uPanelC[1], uPanelR[1], uPanelU[1], uPanelS[1]);
  c = mix(c, p1.rgb, p1.a);
  gl_FragColor = vec4(c, 1.0);
}`;

function sphere() {
  const [around, down] = SEGMENTS, pos = [], idx = [];
  for (let j = 0; j <= down; j++) {
    const lat = (0.5 - j / down) * Math.PI;
    for (let i = 0; i <= around; i++) {
      const lon = (i / around - 0.5) * 2 * Math.PI;
      pos.push(Math.cos(lat) * Math.sin(lon), Math.sin(lat), -Math.cos(lat) * Math.cos(lon));
    }
  }
  for (let j = 0; j < down; j++) for (let i = 0; i < around; i++) {
    const a = j * (around + 1) + i, b = a + 1, c = a + around + 1, d = c + 1;
    idx.push(a, c, b, b, c, d);
  }
  return { pos: new Float32Array(pos), uv: new Float32Array(pos.length / 3 * 2), idx: new Uint16Array(idx) };
}

/** A Wavefront OBJ as render/mesh.py writes it (v, vt, triangles of v/vt) as one vertex per
 *  triangle corner: {pos, uv, idx}. Its vt are mesh.py's as they are (v 0 at the zenith: the
 *  frame's top row, as the texture is uploaded). */
export function parseObj(text) {
  const v = [], vt = [], pos = [], uv = [];
  for (const line of text.split("\n")) {
    const part = line.trim().split(/\s+/);
    if (part[0] === "v") v.push(part.slice(1, 4).map(Number));
    else if (part[0] === "vt") vt.push(part.slice(1, 3).map(Number));
    else if (part[0] === "f") {
      for (const corner of part.slice(1, 4)) {
        const [vi, ti] = corner.split("/").map((n) => parseInt(n, 10) - 1);
        pos.push(...v[vi]);
        uv.push(vt[ti][0], vt[ti][1]);
      }
    }
  }
  const count = pos.length / 3, idx = new Uint16Array(count);
  for (let i = 0; i < count; i++) idx[i] = i;
  return { pos: new Float32Array(pos), uv: new Float32Array(uv), idx, scale: 1 };
}

/** The smallest box round ``pos`` (x, y, z triples): {min: [x, y, z], max: [x, y, z]}. */
function boundsOf(pos) {
  const min = [Infinity, Infinity, Infinity], max = [-Infinity, -Infinity, -Infinity];
  for (let i = 0; i < pos.length; i += 3) for (let k = 0; k < 3; k++) {
    min[k] = Math.min(min[k], pos[i + k]); max[k] = Math.max(max[k], pos[i + k]);
  }
  return { min, max };
}

/** Where each eye's picture sits in the frame: [u offset, v offset, u scale, v scale]. */
export function eyeWindow(stereo, eye) {
  const right = eye === "right";
  if (stereo === "top-bottom") return [0, right ? 0.5 : 0, 1, 0.5];
  if (stereo === "left-right") return [right ? 0.5 : 0, 0, 0.5, 1];
  return [0, 0, 1, 1];
}

export class SphereRenderer {
  constructor(gl) {
    this.gl = gl;
    const compile = (type, src) => {
      const s = gl.createShader(type);
      gl.shaderSource(s, src);
      gl.compileShader(s);
      if (!gl.getShaderParameter(s, gl.COMPILE_STATUS)) throw new Error(gl.getShaderInfoLog(s));
      return s;
    };
    const prog = this.prog = gl.createProgram();
    gl.attachShader(prog, compile(gl.VERTEX_SHADER, VERTEX));
    gl.attachShader(prog, compile(gl.FRAGMENT_SHADER, FRAGMENT));
    gl.linkProgram(prog);
    if (!gl.getProgramParameter(prog, gl.LINK_STATUS)) throw new Error(gl.getProgramInfoLog(prog));
    this.vbo = gl.createBuffer();
    this.tbo = gl.createBuffer();
    this.ibo = gl.createBuffer();
    this.setGeometry(null);
    this.u = {};
    for (const name of ["uViewProj", "uModel", "uScale", "uMeshUV", "uFrame", "uHasFrame", "uEye", "uHot", "uPanel0",
                        "uPanel1", "uPanelC", "uPanelR", "uPanelU", "uPanelS"]) this.u[name] = gl.getUniformLocation(prog, name);
    this.frame = this._texture();
    this.panels = [this._texture(), this._texture()];
    this.panelGeometry = [null, null];
    this.hasFrame = false;
    this.stereo = "mono";
    this.hotspots = new Float32Array(4 * MAX_HOTSPOTS);
    this.yawOffset = 0;
    this.eyeWindows = {}; // per eye drawn: the part of the frame it showed (for the browser tests)
  }

  /** Draw on ``mesh`` ({pos, uv, idx} in metres: parseObj) with its texture coordinates, or with
   *  null on the built-in whole sphere, each direction's place in the frame worked out per pixel.
   *  ``projection`` ("360" or "vr180") and ``bounds`` say which is in use. */
  setGeometry(mesh, projection = "360") {
    const gl = this.gl, geometry = mesh || { ...sphere(), scale: 10 };
    gl.bindBuffer(gl.ARRAY_BUFFER, this.vbo);
    gl.bufferData(gl.ARRAY_BUFFER, geometry.pos, gl.STATIC_DRAW);
    gl.bindBuffer(gl.ARRAY_BUFFER, this.tbo);
    gl.bufferData(gl.ARRAY_BUFFER, geometry.uv, gl.STATIC_DRAW);
    gl.bindBuffer(gl.ELEMENT_ARRAY_BUFFER, this.ibo);
    gl.bufferData(gl.ELEMENT_ARRAY_BUFFER, geometry.idx, gl.STATIC_DRAW);
    this.count = geometry.idx.length;
    this.scale = geometry.scale;
    this.meshUV = Boolean(mesh);
    this.projection = projection;
    const box = boundsOf(geometry.pos);
    this.bounds = { min: box.min.map((v) => v * geometry.scale), max: box.max.map((v) => v * geometry.scale) };
  }

  _texture() {
    const gl = this.gl, t = gl.createTexture();
    gl.bindTexture(gl.TEXTURE_2D, t);
    for (const [k, v] of [[gl.TEXTURE_WRAP_S, gl.CLAMP_TO_EDGE], [gl.TEXTURE_WRAP_T, gl.CLAMP_TO_EDGE],
                          [gl.TEXTURE_MIN_FILTER, gl.LINEAR], [gl.TEXTURE_MAG_FILTER, gl.LINEAR]]) gl.texParameteri(gl.TEXTURE_2D, k, v);
    gl.texImage2D(gl.TEXTURE_2D, 0, gl.RGBA, 1, 1, 0, gl.RGBA, gl.UNSIGNED_BYTE, new Uint8Array([0, 0, 0, 0]));
    return t;
  }

  /** Upload the current picture (an image, a decoded bitmap, or a video with a frame ready). */
  setFrame(source, stereo) {
    const gl = this.gl;
    gl.bindTexture(gl.TEXTURE_2D, this.frame);
    gl.pixelStorei(gl.UNPACK_FLIP_Y_WEBGL, false);
    gl.texImage2D(gl.TEXTURE_2D, 0, gl.RGB, gl.RGB, gl.UNSIGNED_BYTE, source);
    this.hasFrame = true;
    this.stereo = stereo || "mono";
  }

  clearFrame() { this.hasFrame = false; }

  /** Markers: [{dir: [x,y,z], shown, pointed}] (at most 16). */
  setHotspots(list) {
    this.hotspots.fill(0);
    list.slice(0, MAX_HOTSPOTS).forEach((h, i) => {
      this.hotspots.set([...h.dir, h.shown ? (h.pointed ? 2 : 1) : 0], i * 4);
    });
  }

  /** Show ``canvas`` as panel ``slot`` centred on direction ``dir``, ``widthDeg`` wide; null hides it. */
  setPanel(slot, canvas, dir, widthDeg) {
    if (!canvas) { this.panelGeometry[slot] = null; return; }
    const gl = this.gl;
    gl.bindTexture(gl.TEXTURE_2D, this.panels[slot]);
    gl.texImage2D(gl.TEXTURE_2D, 0, gl.RGBA, gl.RGBA, gl.UNSIGNED_BYTE, canvas);
    const n = Math.hypot(...dir), c = dir.map((v) => v / n);
    let r = [-c[2], 0, c[0]];
    const rn = Math.hypot(...r) || 1;
    r = r.map((v) => v / rn);
    const up = [r[1] * c[2] - r[2] * c[1], r[2] * c[0] - r[0] * c[2], r[0] * c[1] - r[1] * c[0]];
    const hw = Math.tan(widthDeg * Math.PI / 360), hh = hw * canvas.height / canvas.width;
    this.panelGeometry[slot] = { c, r, up, s: [hw, hh, 1] };
  }

  /** Draw into the bound framebuffer's ``viewport`` for one eye (left / right / none). */
  draw(viewProj, viewport, eye = "none") {
    const gl = this.gl, u = this.u;
    gl.viewport(viewport.x, viewport.y, viewport.width, viewport.height);
    gl.disable(gl.DEPTH_TEST);
    gl.disable(gl.CULL_FACE);
    gl.useProgram(this.prog);
    gl.bindBuffer(gl.ARRAY_BUFFER, this.vbo);
    gl.bindBuffer(gl.ELEMENT_ARRAY_BUFFER, this.ibo);
    const loc = gl.getAttribLocation(this.prog, "aPos");
    gl.enableVertexAttribArray(loc);
    gl.vertexAttribPointer(loc, 3, gl.FLOAT, false, 0, 0);
    const uvLoc = gl.getAttribLocation(this.prog, "aUV");
    gl.bindBuffer(gl.ARRAY_BUFFER, this.tbo);
    gl.enableVertexAttribArray(uvLoc);
    gl.vertexAttribPointer(uvLoc, 2, gl.FLOAT, false, 0, 0);
    gl.uniform1f(u.uScale, this.scale);
    gl.uniform1f(u.uMeshUV, this.meshUV ? 1 : 0);
    gl.uniformMatrix4fv(u.uViewProj, false, viewProj);
    gl.uniformMatrix4fv(u.uModel, false, rotationY(-this.yawOffset));
    gl.uniform1f(u.uHasFrame, this.hasFrame ? 1 : 0);
    const window = eyeWindow(this.stereo, eye);
    this.eyeWindows[eye] = window;
    gl.uniform4fv(u.uEye, window);
    gl.uniform4fv(u.uHot, this.hotspots);
    const geo = this.panelGeometry, flat = (k, d) => geo.flatMap((g) => (g ? g[k] : d));
    gl.uniform3fv(u.uPanelC, flat("c", [0, 0, -1]));
    gl.uniform3fv(u.uPanelR, flat("r", [1, 0, 0]));
    gl.uniform3fv(u.uPanelU, flat("up", [0, 1, 0]));
    gl.uniform3fv(u.uPanelS, flat("s", [1, 1, 0]));
    const units = [[this.frame, u.uFrame], [this.panels[0], u.uPanel0], [this.panels[1], u.uPanel1]];
    units.forEach(([tex, loc2], i) => {
      gl.activeTexture(gl.TEXTURE0 + i);
      gl.bindTexture(gl.TEXTURE_2D, tex);
      gl.uniform1i(loc2, i);
    });
    gl.activeTexture(gl.TEXTURE0);
    gl.drawElements(gl.TRIANGLES, this.count, gl.UNSIGNED_SHORT, 0);
  }
}

export { multiply };
