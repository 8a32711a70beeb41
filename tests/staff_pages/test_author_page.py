"""The practice trainer's page: a script with an error shows it at its line and field; once the
file is fixed it builds with progress, publishing waits for the privacy sign-off, and then the
scene is published and can be looked at in 2D."""

from __future__ import annotations

import hashlib
import os
import re
from pathlib import Path

from playwright.sync_api import expect

from catalog import queries
from support import ROOM_PHOTO, approve_profile

ROOT = Path(__file__).resolve().parents[2]
PHOTO = ROOM_PHOTO

SCRIPT = """\
format: zorgblik-vr-script/1
owner: {{name: Anouk Opleider, role: praktijkopleider}}
organisation:
  name: De Linde
  locations: [{{name: Huis, address: Straat 1, city: Utrecht}}]
  contact: {{name: Anouk, role: praktijkopleider, phone: "030 1234567"}}
care_category: ouderenzorg
client_groups: [{{name: Ouderen, description: Bewoners}}]
care_given: [Verzorging]
team: {{name: Team A, department: Afdeling, description: Een team, size: 10}}
expectations: [{{route: BOL, level: 3, expects: [Op tijd komen]}}]
welcome:
  acquaintance: {{description: Meelopen}}
  matching: {{matched: false}}
supervision: {{supervisor_role: VIG, frequency: Wekelijks, studentcoach: {studentcoach}}}
scenes:
  - id: huiskamer
    title: {{nl: De huiskamer}}
    footage: {footage}
    view: {{yaw: 90, pitch: 0}}
    contexts: [intake]
    audience: {{routes: [BOL], levels: [3]}}
"""
ERROR_LINE = 15  # the supervision line


def write(folder: Path, studentcoach: str) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "de-linde.yaml"
    path.write_text(SCRIPT.format(studentcoach=studentcoach, footage=os.path.relpath(PHOTO, folder)), encoding="utf-8")
    return path


def test_lint_fix_build_sign_off_and_publish(site, open_as, shoot):
    script = write(site.settings.scripts_path, studentcoach="misschien")
    page = open_as("author")
    page.get_by_role("navigation", name="Hoofdmenu").get_by_role("link", name="Scripts").click()
    item = page.locator(".script-item", has_text="de-linde")
    expect(item.get_by_text("1 fout")).to_be_visible()
    expect(item.locator(".problems li")).to_contain_text(f"regel {ERROR_LINE}")
    expect(item.locator(".problems li")).to_contain_text("supervision.studentcoach")
    shoot(page, "scripts-1280")

    page.get_by_role("link", name="de-linde", exact=True).click()
    problem = page.locator("ol.problems li").first
    expect(problem).to_contain_text(f"Regel {ERROR_LINE}, veld supervision.studentcoach")
    expect(problem.locator("pre.source")).to_contain_text("misschien")
    expect(page.get_by_role("button", name="Bouwen")).to_be_disabled()

    write(script.parent, studentcoach="false")  # the author fixes the file in their editor
    approve_profile(site.catalog, script)  # school and practice agree (test_script_form.py does it on the page)
    page.reload()
    expect(page.get_by_text("in orde")).to_be_visible()
    page.get_by_role("button", name="Bouwen").click()
    expect(page).to_have_url(re.compile(r"/scripts/bouw/de-linde-\d{8}-\d{6}-[0-9a-f]{6}$"))
    expect(page.locator("#bouwstatus")).to_have_text("klaar", timeout=40_000)
    expect(page.locator("progress").first).to_have_attribute("value", "1.0")
    shoot(page, "build-1280")

    page.get_by_role("link", name="Naar de scènes").click()
    page.get_by_role("button", name=re.compile("^Publiceren")).click()
    expect(page.get_by_role("alert")).to_contain_text("niet gepubliceerd zonder privacy-aftekening")
    sheet = page.get_by_role("img", name=re.compile("Reviewblad van De huiskamer"))
    expect(sheet).to_be_visible()
    assert page.evaluate("img => img.naturalWidth", sheet.element_handle()) > 0, "the review sheet image loads"
    page.get_by_role("button", name=re.compile("aftekenen")).click()
    expect(page.get_by_role("status")).to_contain_text("Afgetekend: de-linde/huiskamer versie 1")
    page.get_by_role("button", name=re.compile("^Publiceren")).focus()
    page.keyboard.press("Enter")
    expect(page.get_by_role("status")).to_contain_text("Gepubliceerd: De huiskamer (versie 1)")
    shoot(page, "script-1280")
    page.set_viewport_size({"width": 820, "height": 1180})
    shoot(page, "script-820")

    page.get_by_role("link", name=re.compile("Bekijk in 2D")).click()
    expect(page).to_have_url(re.compile(r"/speler/"))
    with site.catalog.session() as db:
        [published] = [v for v in queries.published_scene_versions(db) if v.scene.script.name == "de-linde"]
        assert published.title == "De huiskamer"


def test_other_roles_do_not_get_the_author_page(site, open_as):
    page = open_as("intake")
    assert page.goto(f"{site.base_url}/scripts").status == 403


def test_footage_problems_the_catalog_knows_show_at_their_line(site, open_as):
    """A photo from the catalog with a caption, and a scene for BOL in job interviews (BBL only):
    both inline on the page, at their line and field, and the script cannot be built."""
    from catalog import Footage

    with site.catalog.session() as db:
        photo = Footage(sha256="c" * 64, original_name="gang.jpg", store_path="cc/gang.jpg", size_bytes=1000,
                        media_kind="photo", codec="mjpeg", width=2048, height=1024, projection="equirectangular",
                        stereo="mono")
        db.add(photo)
        db.flush()
        photo_id = photo.id
    folder = site.settings.scripts_path
    folder.mkdir(parents=True, exist_ok=True)
    text = SCRIPT.format(studentcoach="false", footage=f"footage:{photo_id}").replace("contexts: [intake]", "contexts: [sollicitatie]")
    (folder / "de-es.yaml").write_text(text + "    captions: [{start: 0, end: 2, text: Hallo}]\n", encoding="utf-8")
    page = open_as("author")
    page.goto(f"{site.base_url}/scripts/de-es")
    problems = page.locator("ol.problems li")
    expect(problems).to_have_count(2)
    expect(problems.nth(0)).to_contain_text("Regel 22, veld scenes.0.audience.routes: geen afspeellijst kan deze scène laten zien")
    expect(problems.nth(1)).to_contain_text("Regel 23, veld scenes.0.captions.0: een foto heeft geen tijdlijn voor ondertitels")
    expect(problems.nth(1).locator("pre.source")).to_contain_text("Hallo")
    expect(page.get_by_role("button", name="Bouwen")).to_be_disabled()


def _tilted_photo(site, name: str) -> int:
    """A photo in the catalog without a pose in its metadata, which capture estimated at roll −88°."""
    from catalog import Footage

    with site.catalog.session() as db:
        photo = Footage(sha256=hashlib.sha256(name.encode()).hexdigest(), original_name=name, store_path=f"aa/{name}", size_bytes=1000,
                        media_kind="photo", codec="mjpeg", width=2048, height=1024, projection="equirectangular",
                        stereo="mono", level_estimate={"yaw": -3.0, "pitch": 0.0, "roll": -88.0, "lines": 140})
        db.add(photo)
        db.flush()
        return photo.id


def _tilted_script(site, name: str, photo_id: int) -> Path:
    folder = site.settings.scripts_path
    folder.mkdir(parents=True, exist_ok=True)
    text = SCRIPT.format(studentcoach="false", footage=f"footage:{photo_id}").replace(
        "    view: {yaw: 90, pitch: 0}\n", "    view: {yaw: 90, pitch: 0}  # naar de tafel\n")
    path = folder / f"{name}.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def test_the_author_levels_a_tilted_scene_with_capture_s_estimate(site, open_as, shoot):
    """Capture estimated that the camera lay on its side; the script page says so at the scene
    and one click writes ``level: auto`` into that scene, the rest of the file as it was."""
    path = _tilted_script(site, "de-scheve-kamer", _tilted_photo(site, "bkamer.jpg"))
    before = path.read_text(encoding="utf-8")
    page = open_as("author")
    page.goto(f"{site.base_url}/scripts/de-scheve-kamer")
    item = page.locator(".tilted li", has_text="De huiskamer")
    expect(item).to_contain_text("scheef: roll −88°, pitch 0°, yaw −3° (geschat)")
    shoot(page, "author-tilted-scene")
    item.get_by_role("button", name="Rechtzetten met de schatting").click()
    expect(page.locator(".flash")).to_contain_text("wordt rechtgezet met de geschatte stand (level: auto)")
    expect(page.locator(".tilted li", has_text="De huiskamer")).to_contain_text("wordt rechtgezet")
    expect(page.get_by_role("button", name="Rechtzetten met de schatting")).to_have_count(0)
    expect(page.get_by_role("button", name="Bouwen")).to_be_enabled()
    shoot(page, "author-tilted-scene-levelled")
    after = path.read_text(encoding="utf-8")
    assert after == before.replace("# naar de tafel\n", "# naar de tafel\n    level: auto\n")


def test_levelling_a_scene_of_a_file_changed_meanwhile_is_refused(site, open_as):
    path = _tilted_script(site, "de-andere-kamer", _tilted_photo(site, "ckamer.jpg"))
    page = open_as("author")
    page.goto(f"{site.base_url}/scripts/de-andere-kamer")
    changed = path.read_text(encoding="utf-8").replace("Team A", "Team B")
    path.write_text(changed, encoding="utf-8")
    page.get_by_role("button", name="Rechtzetten met de schatting").click()
    expect(page.locator(".flash")).to_contain_text("Het script is gewijzigd sinds je de pagina opende")
    assert path.read_text(encoding="utf-8") == changed
