// Directions and matrices for the viewing sphere. Conventions as render/mesh.py: y up, -z straight
// ahead, yaw grows to the right (+x), pitch grows upward; matrices are column-major (WebGL, WebXR).

export const DEG = Math.PI / 180;

/** Unit direction for a yaw/pitch in degrees. */
export function direction(yawDeg, pitchDeg) {
  const y = yawDeg * DEG, p = pitchDeg * DEG;
  return [Math.cos(p) * Math.sin(y), Math.sin(p), -Math.cos(p) * Math.cos(y)];
}

/** [yaw, pitch] in degrees of a direction (yaw in (-180, 180]). */
export function yawPitch([x, y, z]) {
  const n = Math.hypot(x, y, z) || 1;
  return [Math.atan2(x, -z) / DEG, Math.asin(Math.max(-1, Math.min(1, y / n))) / DEG];
}

/** Rotate vector v by unit quaternion q = {x, y, z, w}. */
export function rotate(q, [vx, vy, vz]) {
  const { x, y, z, w } = q;
  const tx = 2 * (y * vz - z * vy), ty = 2 * (z * vx - x * vz), tz = 2 * (x * vy - y * vx);
  return [vx + w * tx + (y * tz - z * ty), vy + w * ty + (z * tx - x * tz), vz + w * tz + (x * ty - y * tx)];
}

/** Where a pose (orientation quaternion) looks, as [yaw, pitch] in degrees. */
export function gazeOf(q) { return yawPitch(rotate(q, [0, 0, -1])); }

export function angleBetween(a, b) {
  const d = (a[0] * b[0] + a[1] * b[1] + a[2] * b[2]) / (Math.hypot(...a) * Math.hypot(...b) || 1);
  return Math.acos(Math.max(-1, Math.min(1, d))) / DEG;
}

export function multiply(a, b) {
  const out = new Float32Array(16);
  for (let c = 0; c < 4; c++) for (let r = 0; r < 4; r++) {
    let s = 0;
    for (let k = 0; k < 4; k++) s += a[k * 4 + r] * b[c * 4 + k];
    out[c * 4 + r] = s;
  }
  return out;
}

export function perspective(fovyDeg, aspect, near = 0.05, far = 100) {
  const f = 1 / Math.tan(fovyDeg * DEG / 2), nf = 1 / (near - far);
  return new Float32Array([f / aspect, 0, 0, 0, 0, f, 0, 0, 0, 0, (far + near) * nf, -1, 0, 0, 2 * far * near * nf, 0]);
}

export function rotationY(deg) {
  const c = Math.cos(deg * DEG), s = Math.sin(deg * DEG);
  // right-handed: +deg turns -z toward -x, so a view matrix turns by +yaw to look right
  return new Float32Array([c, 0, -s, 0, 0, 1, 0, 0, s, 0, c, 0, 0, 0, 0, 1]);
}

export function rotationX(deg) {
  const c = Math.cos(deg * DEG), s = Math.sin(deg * DEG);
  return new Float32Array([1, 0, 0, 0, 0, c, s, 0, 0, -s, c, 0, 0, 0, 0, 1]);
}

/** The view matrix of a camera at the centre looking at yaw/pitch (degrees). */
export function lookAt(yawDeg, pitchDeg) {
  // the camera's orientation is rotY(-yaw) * rotX(pitch); the view matrix is its inverse
  return multiply(rotationX(-pitchDeg), rotationY(yawDeg));
}

/** A view matrix with its translation removed: the sphere stays centred on the eye. */
export function withoutTranslation(m) {
  const out = Float32Array.from(m);
  out[12] = out[13] = out[14] = 0;
  return out;
}

/** Project a direction with a view-projection matrix: [x, y] in 0..1 of the canvas (y down), or null behind. */
export function project(viewProj, d) {
  const m = viewProj, [x, y, z] = d;
  const cx = m[0] * x + m[4] * y + m[8] * z + m[12], cy = m[1] * x + m[5] * y + m[9] * z + m[13];
  const cw = m[3] * x + m[7] * y + m[11] * z + m[15];
  if (cw <= 1e-6) return null;
  return [(cx / cw + 1) / 2, (1 - cy / cw) / 2];
}
