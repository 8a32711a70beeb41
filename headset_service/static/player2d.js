// zorgblik 2D viewer: looks around inside an equirectangular photo or video on a plain canvas
// (mouse drag, touch, arrow keys). For the classroom projector and for people who cannot wear
// a headset. Stereo bundles show the left eye.
(function () {
  "use strict";
  const scene = window.ZORGBLIK_SCENE;
  const canvas = document.getElementById("sphere");
  const media = document.getElementById("media");
  const gl = canvas.getContext("webgl");
  if (!gl) { canvas.replaceWith(Object.assign(document.createElement("p"), { textContent: "Deze browser ondersteunt geen WebGL." })); return; }

  const vs = "attribute vec2 p; varying vec2 v; void main(){ v=p; gl_Position=vec4(p,0.,1.); }";
  const fs = [
    "precision highp float; varying vec2 v; uniform sampler2D tex; uniform float yaw, pitch, tanHalf, aspect; uniform vec2 eye;",
    "const float PI=3.14159265;",
    "void main(){",
    "  vec3 d=normalize(vec3(v.x*tanHalf*aspect, v.y*tanHalf, -1.));",
    "  float cp=cos(pitch), sp=sin(pitch); d=vec3(d.x, d.y*cp+d.z*sp, -d.y*sp+d.z*cp);",
    "  float cy=cos(yaw), sy=sin(yaw); d=vec3(d.x*cy-d.z*sy, d.y, d.x*sy+d.z*cy);",
    "  float lon=atan(d.x,-d.z), lat=asin(clamp(d.y,-1.,1.));",
    "  vec2 uv=vec2(lon/(2.*PI)+.5, .5-lat/PI);",
    "  gl_FragColor=texture2D(tex, vec2(uv.x, eye.x+uv.y*eye.y));",
    "}"].join("\n");
  function shader(type, src) { const s = gl.createShader(type); gl.shaderSource(s, src); gl.compileShader(s); return s; }
  const prog = gl.createProgram();
  gl.attachShader(prog, shader(gl.VERTEX_SHADER, vs));
  gl.attachShader(prog, shader(gl.FRAGMENT_SHADER, fs));
  gl.linkProgram(prog); gl.useProgram(prog);
  gl.bindBuffer(gl.ARRAY_BUFFER, gl.createBuffer());
  gl.bufferData(gl.ARRAY_BUFFER, new Float32Array([-1, -1, 3, -1, -1, 3]), gl.STATIC_DRAW);
  const loc = gl.getAttribLocation(prog, "p");
  gl.enableVertexAttribArray(loc); gl.vertexAttribPointer(loc, 2, gl.FLOAT, false, 0, 0);
  const tex = gl.createTexture();
  gl.bindTexture(gl.TEXTURE_2D, tex);
  gl.texParameteri(gl.TEXTURE_2D, gl.TEXTURE_WRAP_S, gl.CLAMP_TO_EDGE);
  gl.texParameteri(gl.TEXTURE_2D, gl.TEXTURE_WRAP_T, gl.CLAMP_TO_EDGE);
  gl.texParameteri(gl.TEXTURE_2D, gl.TEXTURE_MIN_FILTER, gl.LINEAR);
  const u = (n) => gl.getUniformLocation(prog, n);
  // top half of a top-bottom frame is the left eye
  gl.uniform2f(u("eye"), 0, scene.stereo === "top-bottom" ? 0.5 : 1.0);

  const deg = Math.PI / 180;
  let yaw = (scene.view.yaw || 0) * deg, pitch = (scene.view.pitch || 0) * deg, fov = 90;
  function draw() {
    const ready = scene.media_kind === "video" ? media.readyState >= 2 : media.complete && media.naturalWidth > 0;
    if (ready) {
      canvas.style.visibility = "visible";
      gl.texImage2D(gl.TEXTURE_2D, 0, gl.RGB, gl.RGB, gl.UNSIGNED_BYTE, media);
      gl.viewport(0, 0, canvas.width, canvas.height);
      gl.uniform1f(u("yaw"), yaw); gl.uniform1f(u("pitch"), pitch);
      gl.uniform1f(u("tanHalf"), Math.tan(fov * deg / 2)); gl.uniform1f(u("aspect"), canvas.width / canvas.height);
      gl.drawArrays(gl.TRIANGLES, 0, 3);
    }
    requestAnimationFrame(draw);
  }
  requestAnimationFrame(draw);

  const play = document.getElementById("play");
  if (play) {
    play.addEventListener("click", () => { media.play(); play.hidden = true; });
    media.addEventListener("pause", () => { play.hidden = false; });
  }

  let drag = null;
  canvas.addEventListener("pointerdown", (e) => { drag = [e.clientX, e.clientY]; canvas.setPointerCapture(e.pointerId); });
  canvas.addEventListener("pointerup", () => { drag = null; });
  canvas.addEventListener("pointermove", (e) => {
    if (!drag) return;
    const k = fov * deg / canvas.clientHeight;
    yaw -= (e.clientX - drag[0]) * k; pitch = Math.max(-1.5, Math.min(1.5, pitch + (e.clientY - drag[1]) * k));
    drag = [e.clientX, e.clientY];
  });
  document.getElementById("viewer").addEventListener("keydown", (e) => {
    const step = 5 * deg;
    if (e.key === "ArrowLeft") yaw -= step; else if (e.key === "ArrowRight") yaw += step;
    else if (e.key === "ArrowUp") pitch = Math.min(1.5, pitch + step); else if (e.key === "ArrowDown") pitch = Math.max(-1.5, pitch - step);
    else return;
    e.preventDefault();
  });
})();
