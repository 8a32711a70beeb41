"""A classroom for the browser tests and the bench (bench/class_sync.py): a werkveldoriëntatie
playlist of short real video scenes on a headset group, N headset pages paired in their own
browser profiles, and the teacher's /klas and projector pages — driven only as people would."""

from __future__ import annotations

import re
import subprocess
from dataclasses import dataclass, field
from pathlib import Path

from support import staff_browser_page, wait_for

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
             viewport=(240, 160), polling: int = 0) -> ClassRoom:
        """``media_scene``: tests/players/conftest.py's fixture; one published scene per clip. Then,
        on the pages only, as the teacher does it: a playlist of those scenes, ``count`` pairing
        codes for one group (typed in on the headsets' own pages), the class page on that group and
        the projector page opened from it. The first ``polling`` headsets get no WebSocket (a
        network that does not let one through): they poll."""
        keys = [media_scene(f"les{n}", ("scene.quest2.mp4", clip), poster, media_kind="video", duration_s=None,
                            contexts=["werkveldorientatie"], prompts=PROMPTS)
                for n, clip in enumerate(clips)]
        harness.staff("teacher")  # the account the coordinator made; the teacher only signs in
        name, group_name = harness.unique("Oriëntatie VVT"), harness.unique("Klas 1A")
        teacher = staff_browser_page(browser, harness.base_url, "teacher-test")
        room = cls(harness, browser, keys, 0, f"{name} · Werkveldoriëntatie", teacher=teacher)
        room.contexts.append(teacher.context)
        menu = teacher.get_by_role("navigation", name="Hoofdmenu")
        menu.get_by_role("link", name="Afspeellijsten").click()
        teacher.get_by_label("Naam").fill(name)
        teacher.get_by_label("Voor", exact=True).select_option(label="Werkveldoriëntatie")
        teacher.get_by_role("button", name="Afspeellijst maken").click()
        for key in keys:
            teacher.get_by_role("button", name=f"Toevoegen Scène {harness.scene_of[key]}").click()
        teacher.locator("table.playlist-items .item-title").nth(len(keys) - 1).wait_for()
        menu.get_by_role("link", name="Sessies").click()
        for n in range(count):
            headset = harness.unique(f"Quest {n}")
            teacher.get_by_label("Naam van de headset").fill(headset)
            teacher.get_by_role("combobox", name="Groep (optioneel").fill(group_name)
            teacher.get_by_role("button", name="Koppelcode maken").click()
            code = re.search(rf"Koppelcode voor {re.escape(headset)}: ([A-Z0-9]{{4}}-[A-Z0-9]{{4}})",
                             teacher.get_by_role("status").inner_text()).group(1)
            page = room._page(viewport)
            if n < polling:
                page.route_web_socket(re.compile(r".*/api/device/ws$"), lambda ws: ws.close())
            page.goto(f"{harness.base_url}/headset")
            page.get_by_label("Koppelcode").fill(code)
            page.get_by_role("button", name="Koppelen").click()
            room.headsets.append(page)
        for page in room.headsets:
            page.get_by_text("Wacht op de begeleider…").wait_for(timeout=30000)
        wait_for(lambda: all(p.evaluate("window.zorgblik.commands?.connected && window.zorgblik.clock.synced")
                             for p in room.headsets[polling:]), "every headset online with its clock")
        menu.get_by_role("link", name="Klas").click()
        teacher.get_by_label("Groep").select_option(label=group_name)
        teacher.get_by_role("button", name="Toon").click()
        teacher.wait_for_url(re.compile(r"groep=\d+"))
        room.group = int(re.search(r"groep=(\d+)", teacher.url).group(1))
        with teacher.context.expect_page() as opened:
            teacher.get_by_role("link", name="Projectie voor het digibord openen").click()
        room.projector = room._watch(opened.value)
        room.projector.set_viewport_size({"width": 640, "height": 360})
        room._watch(teacher)
        return room

    def _page(self, viewport):
        context = self.browser.new_context(viewport={"width": viewport[0], "height": viewport[1]})
        self.contexts.append(context)
        return self._watch(context.new_page())

    @staticmethod
    def _watch(page):
        """Keep ``page``'s errors (``page.errors``) and print its console (shown when a test fails)."""
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
