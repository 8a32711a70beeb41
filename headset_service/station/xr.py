"""OpenXR on the station: :func:`open_instance` (``NoRuntime`` when this PC has none) and
:func:`run`, the frame loop. glfw and PyOpenGL are imported only here, once a runtime exists, so
tests and CI without a display never load them.

    run ─ hidden GLFW window (the OpenGL context) → system, session, STAGE/LOCAL space, a swapchain
          per view → per frame: session commands from the CommandFeed queue, the media clock
          (playback.FrameClock) into one texture, each eye's view drawn on the inside of the sphere
          (views.sphere, views.projection, views.view, its stereo half) → a projection layer.

The decisions (frame timing, texture size, recenter, command → what to show) are pure, in
playback.py and session.py, and tested there; this file only carries them out.
"""

from __future__ import annotations

import ctypes
import math
import os
import queue
import sys
import threading
import time
from contextlib import ExitStack
from typing import TYPE_CHECKING

from headset_service.station import playback, views
from headset_service.station.errors import NoRuntime, StationError

if TYPE_CHECKING:
    import numpy as np

VERTEX = """#version 330 core
layout(location = 0) in vec3 pos;
layout(location = 1) in vec2 uv;
uniform mat4 mvp;
uniform vec4 eye;  // this eye's part of the frame: offset xy, scale zw
out vec2 tex;
void main() { tex = eye.xy + uv * eye.zw; gl_Position = mvp * vec4(pos, 1.0); }
"""
FRAGMENT = """#version 330 core
in vec2 tex;
uniform sampler2D frame;
uniform float has_frame;
out vec4 colour;
void main() { colour = has_frame > 0.5 ? texture(frame, tex) : vec4(0.04, 0.16, 0.19, 1.0); }
"""


def open_instance():
    """An OpenXR instance with XR_KHR_opengl_enable, or :class:`NoRuntime` when this PC has no runtime."""
    os.environ.setdefault("XR_LOADER_DEBUG", "none")  # the loader's own lines would drown ours
    import xr

    try:
        return xr.create_instance(xr.InstanceCreateInfo(
            application_info=xr.ApplicationInfo(application_name="zorgblik station", engine_name="zorgblik"),
            enabled_extension_names=[xr.KHR_OPENGL_ENABLE_EXTENSION_NAME]))
    except xr.exception.RuntimeUnavailableError as e:
        raise NoRuntime() from e
    except xr.exception.XrException as e:
        raise StationError(f"OpenXR start niet: {e}", hint="start de runtime (SteamVR, Meta Quest Link, Monado) opnieuw") from e


def _window():
    import glfw

    if not glfw.init():
        raise StationError("OpenGL start niet (glfw)", hint="dit station heeft een grafische sessie nodig")
    glfw.window_hint(glfw.VISIBLE, glfw.FALSE)
    glfw.window_hint(glfw.CONTEXT_VERSION_MAJOR, 3)
    glfw.window_hint(glfw.CONTEXT_VERSION_MINOR, 3)
    glfw.window_hint(glfw.OPENGL_PROFILE, glfw.OPENGL_CORE_PROFILE)
    window = glfw.create_window(64, 64, "zorgblik station", None, None)
    if not window:
        glfw.terminate()
        raise StationError("OpenGL 3.3 is er niet op dit station", hint="werk het stuurprogramma van de videokaart bij")
    glfw.make_context_current(window)
    glfw.swap_interval(0)  # the runtime paces frames, not the hidden window
    return window


def _binding(window):
    """The runtime's handle on our OpenGL context (Windows: WGL; Linux: GLX)."""
    import xr

    if sys.platform == "win32":
        from OpenGL import WGL

        return xr.GraphicsBindingOpenGLWin32KHR(h_dc=WGL.wglGetCurrentDC(), h_glrc=WGL.wglGetCurrentContext())
    from OpenGL import GLX

    return xr.GraphicsBindingOpenGLXlibKHR(x_display=GLX.glXGetCurrentDisplay(), glx_drawable=GLX.glXGetCurrentDrawable(),
                                           glx_context=GLX.glXGetCurrentContext())


class _Sphere:
    """The viewing sphere on the GPU, its program and the frame texture."""

    def __init__(self):
        from OpenGL import GL
        from OpenGL.GL import shaders

        self.GL = GL
        self.program = shaders.compileProgram(shaders.compileShader(VERTEX, GL.GL_VERTEX_SHADER),
                                              shaders.compileShader(FRAGMENT, GL.GL_FRAGMENT_SHADER))
        self.vao = GL.glGenVertexArrays(1)
        self.buffers = GL.glGenBuffers(3)
        self.projection = None
        self.use("equirectangular")
        self.texture = GL.glGenTextures(1)
        GL.glBindTexture(GL.GL_TEXTURE_2D, self.texture)
        for name, value in ((GL.GL_TEXTURE_MIN_FILTER, GL.GL_LINEAR), (GL.GL_TEXTURE_MAG_FILTER, GL.GL_LINEAR),
                            (GL.GL_TEXTURE_WRAP_S, GL.GL_REPEAT), (GL.GL_TEXTURE_WRAP_T, GL.GL_CLAMP_TO_EDGE)):
            GL.glTexParameteri(GL.GL_TEXTURE_2D, name, value)
        self.size: tuple[int, int] | None = None
        self.framebuffer = GL.glGenFramebuffers(1)
        self.max_texture = int(GL.glGetIntegerv(GL.GL_MAX_TEXTURE_SIZE))

    def use(self, projection: str, camera_height: float | None = None) -> None:
        """Draw on the sphere of ``projection`` (the manifest's): the whole one, or VR180's half; or
        with a ``camera_height`` the grounded one (the manifest's ``mesh``)."""
        if (projection, camera_height) == self.projection:
            return
        GL = self.GL
        xyz, uv, tris = views.sphere(projection=projection, camera_height=camera_height)
        self.count = tris.size
        GL.glBindVertexArray(self.vao)
        for location, data in ((0, xyz), (1, uv)):
            GL.glBindBuffer(GL.GL_ARRAY_BUFFER, self.buffers[location])
            GL.glBufferData(GL.GL_ARRAY_BUFFER, data.nbytes, data, GL.GL_STATIC_DRAW)
            GL.glEnableVertexAttribArray(location)
            GL.glVertexAttribPointer(location, data.shape[1], GL.GL_FLOAT, False, 0, None)
        GL.glBindBuffer(GL.GL_ELEMENT_ARRAY_BUFFER, self.buffers[2])
        GL.glBufferData(GL.GL_ELEMENT_ARRAY_BUFFER, tris.nbytes, tris, GL.GL_STATIC_DRAW)
        self.projection = (projection, camera_height)

    def upload(self, frame: np.ndarray | None, size: tuple[int, int]) -> None:
        GL = self.GL
        if frame is None:
            self.size = None
            return
        GL.glBindTexture(GL.GL_TEXTURE_2D, self.texture)
        GL.glPixelStorei(GL.GL_UNPACK_ALIGNMENT, 1)
        if self.size != size:
            GL.glTexImage2D(GL.GL_TEXTURE_2D, 0, GL.GL_RGB8, size[0], size[1], 0, GL.GL_RGB, GL.GL_UNSIGNED_BYTE, frame)
            self.size = size
        else:
            GL.glTexSubImage2D(GL.GL_TEXTURE_2D, 0, 0, 0, size[0], size[1], GL.GL_RGB, GL.GL_UNSIGNED_BYTE, frame)

    def draw(self, image: int, width: int, height: int, mvp, eye: tuple[float, float, float, float]) -> None:
        GL = self.GL
        GL.glBindFramebuffer(GL.GL_FRAMEBUFFER, self.framebuffer)
        GL.glFramebufferTexture2D(GL.GL_FRAMEBUFFER, GL.GL_COLOR_ATTACHMENT0, GL.GL_TEXTURE_2D, image, 0)
        GL.glViewport(0, 0, width, height)
        GL.glClear(GL.GL_COLOR_BUFFER_BIT)
        GL.glUseProgram(self.program)
        GL.glUniformMatrix4fv(GL.glGetUniformLocation(self.program, "mvp"), 1, GL.GL_TRUE, mvp.astype("float32"))
        GL.glUniform4f(GL.glGetUniformLocation(self.program, "eye"), *eye)
        GL.glUniform1f(GL.glGetUniformLocation(self.program, "has_frame"), 1.0 if self.size else 0.0)
        GL.glActiveTexture(GL.GL_TEXTURE0)
        GL.glBindTexture(GL.GL_TEXTURE_2D, self.texture)
        GL.glBindVertexArray(self.vao)
        GL.glEnable(GL.GL_CULL_FACE)  # the sphere's triangles face inward, as glFrontFace(GL_CCW) expects
        GL.glDrawElements(GL.GL_TRIANGLES, self.count, GL.GL_UNSIGNED_INT, None)
        GL.glBindFramebuffer(GL.GL_FRAMEBUFFER, 0)


class _Scene:
    """The media shown now and its clock (carries out playback.transition's steps)."""

    def __init__(self, folder_of, max_size: int):
        from headset_service.station.media import Media

        self.Media, self.folder_of, self.max_size = Media, folder_of, max_size
        self.media = None
        self.clock: playback.FrameClock | None = None
        self.shown = playback.Show(None, False)
        self.yaw = 0.0
        self.opened = False

    def follow(self, want: playback.Show, sphere: _Sphere, now: float) -> None:
        for step in playback.transition(self.shown, want):
            if step == "close":
                self.media.close()
                self.media, self.clock = None, None
                sphere.upload(None, (0, 0))
            elif step == "open":
                self.media = self.Media(self.folder_of(want.scene), self.max_size)
                manifest = self.media.manifest  # VR180: the half sphere; mesh: the grounded one
                sphere.use(manifest.projection, manifest.mesh.camera_height if manifest.mesh else None)
                self.clock = playback.FrameClock(self.media.fps, now)
                self.opened = True  # the scene's starting view goes where the head looks
            elif step == "pause":
                self.clock.pause(now)
            elif step == "resume":
                self.clock.resume(now)
        self.shown = want

    def advance(self, sphere: _Sphere, now: float) -> bool:
        """Put the frame that is due into the texture; False when the video has ended."""
        if self.media is None:
            return True
        frame, taken = self.media.take(max(1, self.clock.due(now)) if self.clock.shown < 0 else self.clock.due(now))
        self.clock.took(taken)
        if frame is None:
            return not self.media.is_video
        if frame is not False:
            sphere.upload(frame, (self.media.width, self.media.height))
        return True

    def close(self) -> None:
        if self.media is not None:
            self.media.close()


def run(instance, session_state, commands: queue.Queue, folder_of, stop: threading.Event) -> None:
    """Show ``session_state``'s scenes (a :class:`~headset_service.station.session.Session`) in the
    headset until the runtime ends the session or ``stop`` is set. ``commands`` carries the
    service's commands from the CommandFeed thread; ``folder_of(bundle_key)`` is a synced bundle."""
    import xr
    from OpenGL import GL

    with ExitStack() as done:
        import glfw

        window = _window()
        done.callback(glfw.terminate)
        done.callback(glfw.destroy_window, window)
        system = xr.get_system(instance, xr.SystemGetInfo(form_factor=xr.FormFactor.HEAD_MOUNTED_DISPLAY))
        xr.get_opengl_graphics_requirements_khr(instance, system)  # the spec asks for this before the session
        binding = _binding(window)
        session = xr.create_session(instance, xr.SessionCreateInfo(
            system_id=system, next=ctypes.cast(ctypes.pointer(binding), ctypes.c_void_p)))
        done.callback(xr.destroy_session, session)
        kinds = xr.enumerate_reference_spaces(session)
        kind = xr.ReferenceSpaceType.STAGE if xr.ReferenceSpaceType.STAGE.value in kinds else xr.ReferenceSpaceType.LOCAL
        space = xr.create_reference_space(session, xr.ReferenceSpaceCreateInfo(reference_space_type=kind))
        done.callback(xr.destroy_space, space)
        stereo = xr.ViewConfigurationType.PRIMARY_STEREO
        chains = []
        for v in xr.enumerate_view_configuration_views(instance, system, stereo):
            w, h = v.recommended_image_rect_width, v.recommended_image_rect_height
            chain = xr.create_swapchain(session, xr.SwapchainCreateInfo(
                usage_flags=xr.SwapchainUsageFlags.COLOR_ATTACHMENT_BIT | xr.SwapchainUsageFlags.SAMPLED_BIT,
                format=GL.GL_SRGB8_ALPHA8 if GL.GL_SRGB8_ALPHA8 in xr.enumerate_swapchain_formats(session) else GL.GL_RGBA8,
                sample_count=1, width=w, height=h, face_count=1, array_size=1, mip_count=1))
            done.callback(xr.destroy_swapchain, chain)
            chains.append((chain, w, h, [i.image for i in xr.enumerate_swapchain_images(chain, xr.SwapchainImageOpenGLKHR)]))

        sphere = _Sphere()
        scene = _Scene(folder_of, sphere.max_texture)
        done.callback(scene.close)
        running = False
        while not stop.is_set():
            # the runtime's news: begin when ready, leave when it ends us
            while True:
                try:
                    event = xr.poll_event(instance)
                except xr.EventUnavailable:
                    break
                if xr.StructureType(event.type) == xr.StructureType.EVENT_DATA_SESSION_STATE_CHANGED:
                    state = xr.SessionState(ctypes.cast(ctypes.byref(event), ctypes.POINTER(xr.EventDataSessionStateChanged)).contents.state)
                    if state == xr.SessionState.READY:
                        xr.begin_session(session, xr.SessionBeginInfo(primary_view_configuration_type=stereo))
                        running = True
                    elif state == xr.SessionState.STOPPING:
                        xr.end_session(session)
                        running = False
                    elif state in (xr.SessionState.EXITING, xr.SessionState.LOSS_PENDING):
                        return
            if not running:
                time.sleep(0.05)
                continue
            while not commands.empty():
                session_state.handle(commands.get_nowait())
            frame_state = xr.wait_frame(session, xr.FrameWaitInfo())
            xr.begin_frame(session, xr.FrameBeginInfo())
            now = time.monotonic()
            scene.follow(playback.wanted(session_state.state, session_state.scene), sphere, now)
            if not scene.advance(sphere, now):
                session_state.scene_ended(position_s=scene.clock.position(now))
            layers = []
            if frame_state.should_render:
                _, located = xr.locate_views(session, xr.ViewLocateInfo(
                    view_configuration_type=stereo, display_time=frame_state.predicted_display_time, space=space))
                head = located[0].pose.orientation
                orientation = (head.x, head.y, head.z, head.w)
                if session_state.recenter_requested or scene.opened:
                    scene.yaw = playback.recenter_yaw(orientation, scene.media.manifest.view.yaw if scene.media else 0)
                    session_state.recenter_requested = scene.opened = False
                yaw, pitch = views.gaze(orientation)
                session_state.head_pose((yaw + math.degrees(scene.yaw) + 540) % 360 - 180, pitch)  # in scene degrees
                projection_views = []
                for eye, ((chain, w, h, images), v) in enumerate(zip(chains, located)):
                    index = xr.acquire_swapchain_image(chain, xr.SwapchainImageAcquireInfo())
                    xr.wait_swapchain_image(chain, xr.SwapchainImageWaitInfo(timeout=xr.INFINITE_DURATION))
                    p, o, f = v.pose.position, v.pose.orientation, v.fov
                    mvp = (views.projection(f.angle_left, f.angle_right, f.angle_up, f.angle_down)
                           @ views.view((p.x, p.y, p.z), (o.x, o.y, o.z, o.w)) @ playback.world_turn(scene.yaw))
                    stereo_kind = scene.media.stereo if scene.media else "mono"
                    sphere.draw(images[index], w, h, mvp, views.eye_window(stereo_kind, eye))
                    xr.release_swapchain_image(chain, xr.SwapchainImageReleaseInfo())
                    projection_views.append(xr.CompositionLayerProjectionView(
                        pose=v.pose, fov=v.fov, sub_image=xr.SwapchainSubImage(
                            swapchain=chain, image_rect=xr.Rect2Di(extent=xr.Extent2Di(w, h)))))
                layer = xr.CompositionLayerProjection(space=space, views=projection_views)
                layers = [ctypes.byref(layer)]
            xr.end_frame(session, xr.FrameEndInfo(display_time=frame_state.predicted_display_time,
                                                  environment_blend_mode=xr.EnvironmentBlendMode.OPAQUE, layers=layers))
        try:
            xr.request_exit_session(session)
        except xr.XrException:
            pass
