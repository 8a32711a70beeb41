// The immersive WebXR session: one draw per eye into the XR framebuffer, selecting hotspots with a
// controller (or the gaze ray of a headset without controllers), dwelling on one with the head,
// and head-direction samples for the event log.

import { direction, gazeOf, multiply, rotate, withoutTranslation } from "./math.js";

const DWELL_S = 2.0; // looking at a hotspot this long opens it
const DWELL_WITHIN = 5; // degrees

export async function immersiveSupported() {
  try {
    return Boolean(navigator.xr) && await navigator.xr.isSessionSupported("immersive-vr");
  } catch (e) {
    return false;
  }
}

/**
 * Enter VR with ``player``; resolves once the session runs. ``onHead(yaw, pitch)`` is called each
 * frame with the scene direction the headset looks at; ``onEnd()`` when the session ends.
 */
export async function enterVR(player, { onHead, onEnd } = {}) {
  const session = await navigator.xr.requestSession("immersive-vr", { optionalFeatures: ["local-floor"] });
  const gl = player.gl;
  await gl.makeXRCompatible();
  const layer = new XRWebGLLayer(session, gl);
  session.updateRenderState({ baseLayer: layer });
  const space = await session.requestReferenceSpace("local");
  let headOrientation = { x: 0, y: 0, z: 0, w: 1 };
  let dwell = { hotspot: null, since: 0 };
  const state = {
    session,
    frames: 0,
    headYaw: () => gazeOf(headOrientation)[0],
    end: () => session.end(),
  };

  const rayDirection = (frame, source) => {
    const pose = frame.getPose(source.targetRaySpace, space);
    return pose ? player.sceneDirection(rotate(pose.transform.orientation, [0, 0, -1])) : null;
  };

  session.addEventListener("select", (e) => {
    if (player.onPanelSelect?.()) return; // a profile panel is up: the trigger means "Verder"
    const dir = rayDirection(e.frame, e.inputSource);
    const h = dir && player.hotspotAlong(dir);
    if (h) player.openHotspot(h, e.inputSource.targetRayMode === "gaze" ? "gaze" : "controller");
    else if (player.opened) player.closeHotspot();
  });
  session.addEventListener("squeeze", () => player.recenter());
  session.addEventListener("end", () => { player.xr = null; onEnd?.(); });

  const onFrame = (time, frame) => {
    session.requestAnimationFrame(onFrame);
    const pose = frame.getViewerPose(space);
    if (!pose) return;
    headOrientation = pose.transform.orientation;
    const [yaw, pitch] = player.sceneGaze(headOrientation);
    player.head = [yaw, pitch];
    // what a controller points at (for the highlight), else what the head looks at
    let pointed = null;
    for (const source of session.inputSources) {
      if (source.targetRayMode !== "tracked-pointer") continue;
      const dir = rayDirection(frame, source);
      pointed = (dir && player.hotspotAlong(dir)) || pointed;
    }
    const looked = player.hotspotAlong(direction(yaw, pitch), DWELL_WITHIN);
    player.pointed = pointed || looked;
    if (looked !== dwell.hotspot) dwell = { hotspot: looked, since: time };
    else if (looked && looked !== player.opened && (time - dwell.since) / 1000 >= DWELL_S) {
      player.openHotspot(looked, "gaze");
      dwell.since = Infinity;
    }
    player.update();
    gl.bindFramebuffer(gl.FRAMEBUFFER, layer.framebuffer);
    gl.clearColor(0, 0, 0, 1);
    gl.clear(gl.COLOR_BUFFER_BIT);
    for (const view of pose.views) {
      const viewProj = multiply(view.projectionMatrix, withoutTranslation(view.transform.inverse.matrix));
      player.renderer.draw(viewProj, layer.getViewport(view), view.eye);
    }
    state.frames++;
    onHead?.(yaw, pitch);
  };
  player.xr = state;
  session.requestAnimationFrame(onFrame);
  return state;
}
