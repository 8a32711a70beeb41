"""A classroom for the browser tests and the bench (bench/class_sync.py): a werkveldoriëntatie
playlist of short real video scenes on a headset group, N headset pages paired in their own
browser profiles, and the teacher's /klas and projector pages — driven only as people would."""

from __future__ import annotations

import subprocess
from dataclasses import dataclass, field
from pathlib import Path
from support import wait_for

PROMPTS = [{"text": {"nl": "Wat doet de verzorgende als eerste?"}, "contexts": ["werkveldorientatie"]},
           {"text": {"nl": "Welke vraag zou jij de bewoner stellen?"}, "contexts": ["intake"]}]
SESSION_COOKIE = "zorgblik_sessie"



def make_clip(out: Path, seconds: float) -> bytes:
    """``seconds`` of 512×256 H.264 with sound, 25 fps, a keyframe a second, the hue turning."""
    subprocess.run(["ffmpeg", "-loglevel", "error", "-f", "lavfi", "-i",
                    f"color=c=red:size=512x256:rate=25:duration={seconds},hue=H=PI*t/2", "-f", "lavfi", "-i",
                    f"sine=frequency=440:duration={seconds}", "-c:v", "libx264", "-preset", "ultrafast",
                    "-pix_fmt", "yuv420p", "-g", "25", "-c:a", "aac", "-shortest", "-movflags", "+faststart", "-y",
                    str(out)], check=True)
    return out.read_bytes()




@dataclass
class ClassRoom:
    harness: object  # tests/headset_service/conftest.py Harness
    browser: object
    keys: list[str]
    group: int
    playlist_label: str
    headsets: list = field(default_factory=list)  # headset pages
    contexts: list = field(default_factory=list)
    teacher: object = None
    projector: object = None

    @classmethod
    def open(cls, harness, browser, media_scene, clips: list[bytes], poster: bytes, count: int = 5,
             viewport=(240, 160)) -> ClassRoom:
        """``media_scene``: tests/players/conftest.py's fixture; one scene per clip, ``count`` headsets."""
        admin = harness.staff("admin")
        keys = [media_scene(f"les{n}", ("scene.quest2.mp4", clip), poster, media_kind="video", duration_s=None,
                            contexts=["werkveldorientatie"], prompts=PROMPTS)
                for n, clip in enumerate(clips)]
        name = harness.unique("Oriëntatie VVT")
        playlist = harness.staff("author").post("/api/playlists", json={
            "name": name, "context": "werkveldorientatie", "scenes": harness.refs(keys)}).raise_for_status().json()["id"]
        group = admin.post("/api/groups", json={"name": harness.unique("Klas 1A")}).raise_for_status().json()["id"]
        admin.put(f"/api/groups/{group}/playlists", json={"playlist_ids": [playlist]}).raise_for_status()
        room = cls(harness, browser, keys, group, f"{name} · Werkveldoriëntatie")
        for n in range(count):
            code = admin.post("/api/headsets/pairing-codes", json={"name": harness.unique(f"Quest {n}"), "profile": "quest2",
                                                                  "group_id": group}).raise_for_status().json()["code"]
            page = room._page(viewport)
            page.goto(f"{harness.base_url}/headset")
            page.get_by_label("Koppelcode").fill(code)
            page.get_by_role("button", name="Koppelen").click()
            room.headsets.append(page)
        for page in room.headsets:
            page.get_by_text("Wacht op de begeleider…").wait_for(timeout=30000)
        wait_for(lambda: all(p.evaluate("window.zorgblik.commands?.connected && window.zorgblik.clock.synced")
                             for p in room.headsets), "every headset online with its clock")
        token = harness.staff("teacher").headers["authorization"][7:]
        room.teacher = room._page((800, 600), token)
        room.teacher.goto(f"{harness.base_url}/klas?groep={group}")
        room.projector = room._page((640, 360), token)
        room.projector.goto(f"{harness.base_url}/klas/projectie?groep={group}")
        return room

    def _page(self, viewport, staff_token: str | None = None):
        context = self.browser.new_context(viewport={"width": viewport[0], "height": viewport[1]})
        if staff_token:
            context.add_cookies([{"name": SESSION_COOKIE, "value": staff_token, "url": self.harness.base_url}])
        self.contexts.append(context)
        page = context.new_page()
        page.errors = []
        page.on("pageerror", lambda e: page.errors.append(str(e)))
        page.on("console", lambda m: print(f"console.{m.type}: {m.text}"))  # shown when a test fails
        return page

    def close(self) -> None:
        for context in self.contexts:
            context.close()

    # what the teacher does ------------------------------------------------------------------------
    def start(self) -> None:
        self.teacher.get_by_label("Afspeellijst").select_option(label=self.playlist_label)
        self.teacher.get_by_role("button", name="Start voor de hele groep").click()
        self.teacher.get_by_role("status").wait_for()

    def press(self, name: str) -> None:
        self.teacher.get_by_role("button", name=name, exact=True).click()
        self.teacher.get_by_role("status").wait_for()

    # what the headsets did ------------------------------------------------------------------------
    def starts(self, index: int, seconds: float = 30) -> list[dict]:
        """Each headset's first class start of scene ``index`` (waits until all have one)."""
        def each():
            found = [p.evaluate("i => zorgblik.starts.find((s) => s.index === i) || null", index) for p in self.headsets]
            return found if all(found) else None
        return wait_for(each, f"every headset starting scene {index}", seconds=seconds)

    @staticmethod
    def spread(starts: list[dict], moment: str = "start_server_ms") -> float:
        """Max − min over the headsets of their start moments (when the scene's 0:00 was on screen,
        on the service's clock); ``moment="first_frame_server_ms"``: of the first frames shown."""
        moments = [s[moment] for s in starts]
        return max(moments) - min(moments)

    def all_waiting(self, index: int, seconds: float = 30) -> bool:
        return wait_for(lambda: all(p.evaluate("i => zorgblik.session?.index === i && zorgblik.session.waiting", index)
                                    for p in self.headsets), f"every headset holding at the end of scene {index}",
                        seconds=seconds)

    def drifts(self) -> list[float | None]:
        return [p.evaluate("zorgblik.drift") for p in self.headsets]
