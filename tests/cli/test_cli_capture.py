"""``zorgblik capture``: what a user sees on stdout and stderr, and the exit codes."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from catalog import Catalog, Footage
from support import BACK_CALIBRATION, BACK_LENS, FLAT_VIDEO, FRONT_CALIBRATION, FRONT_LENS, GLOWSTICKS_PHOTO, HALF_DOME_PHOTO, LANDSCAPE_PHOTO, MONO_VIDEO, ROOM_PHOTO, oversized_jpeg, oversized_png
from cli import main
from zorgblik.settings import Settings


@pytest.fixture
def zb(tmp_path, capsys, monkeypatch):
    """Run ``zorgblik --data <tmp> ...``; returns (exit code, stdout, stderr)."""
    for name in ("ZORGBLIK_DATA_DIR", "ZORGBLIK_MAX_FOOTAGE_BYTES", "ZORGBLIK_DATABASE_URL"):
        monkeypatch.delenv(name, raising=False)
    data = tmp_path / "data"

    def run(*args: str) -> tuple[int, str, str]:
        code = main(["--data", str(data), *map(str, args)])
        out, err = capsys.readouterr()
        return code, out, err

    run.data = data
    return run


def _one_error_line(err: str) -> str:
    lines = err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("zorgblik: fout: "), err
    return lines[0]


def test_add_list_show_with_pose_and_no_progress_noise_in_logs(zb, monkeypatch):
    monkeypatch.setattr("cli.capture.PROGRESS_FROM_BYTES", 0)  # would show a bar on a terminal
    code, out, err = zb("capture", "add", HALF_DOME_PHOTO, "--category", "ouderenzorg")
    assert code == 0 and err == ""  # captured stderr is no terminal: no progress bar
    assert out.startswith("footage:1 toegevoegd: theta_half_dome_01.jpg — photo, 800×400, equirectangular mono")

    code, out, err = zb("capture", "show", "1")
    assert code == 0 and err == ""
    assert "stand       yaw +0.0°, pitch +1.3°, roll +0.2°" in out
    assert "5376×2688" in out  # the metadata/pixels disagreement is among the reasons
    assert "toestemming none_recorded: geen toestemming vastgelegd" in out


def test_consent_is_shown_in_show_but_never_in_list(zb):
    zb("capture", "add", GLOWSTICKS_PHOTO)
    code, out, err = zb("capture", "consent", "1", "--person", "F-2024-017", "--role", "client", "--status", "given",
                        "--form", "FORM-88")
    assert code == 0 and err == "" and "stand nu: iedereen heeft toestemming gegeven" in out
    zb("capture", "consent", "1", "--person", "M-003", "--role", "staff", "--status", "unknown")

    code, out, _ = zb("capture", "list")
    assert "toestemming: blur_required" in out
    assert "F-2024-017" not in out and "M-003" not in out

    code, out, err = zb("capture", "withdraw", "1", "--person", "F-2024-017")
    assert code == 0 and err == "" and "toestemming ingetrokken voor footage:1" in out

    code, out, _ = zb("capture", "show", "1")
    assert re.search(r"- F-2024-017 \(cliënt\): ingetrokken op \d{4}-\d\d-\d\d, formulier FORM-88\n", out)
    assert "- M-003 (medewerker): onbekend" in out
    assert "toestemming blur_required: vervagen nodig" in out


def test_dual_fisheye_add_says_it_needs_stitching(zb, tmp_path):
    import cv2
    import numpy as np

    halves = [cv2.imread(str(lens)) for lens in (FRONT_LENS, BACK_LENS)]
    path = tmp_path / "dual.jpg"
    cv2.imwrite(str(path), np.hstack(halves))
    code, out, err = zb("capture", "add", path)
    assert code == 0 and "dual-fisheye" in out and "zorgblik capture stitch dual.jpg --lens-front" in out


def test_eac_add_is_converted_to_equirect_and_says_so(zb, tmp_path):
    import cv2

    from zorgblik.media.ffmpeg import reproject_command
    from zorgblik.tools import run_tool

    pano = tmp_path / "pano.png"
    cv2.imwrite(str(pano), cv2.imread(str(LANDSCAPE_PHOTO), cv2.IMREAD_REDUCED_COLOR_2))
    path = tmp_path / "gopro_max.jpg"
    run_tool(reproject_command(pano, path, source="e", target="eac", size=(1536, 1024),
                               output_args=("-frames:v", "1", "-q:v", "2")))
    code, out, err = zb("capture", "add", path, "--category", "ouderenzorg")
    assert code == 0 and err == ""
    assert out.startswith("footage:1 toegevoegd: gopro_max.jpg — photo, 2048×1024, equirectangular mono"), out
    assert "omgezet: equi-angulaire kubus (EAC, zoals GoPro MAX) → equirectangular; het origineel is bewaard" in out

    code, out, err = zb("capture", "show", "1")
    assert code == 0 and "omgezet naar equirectangular uit gopro_max.jpg" in out and "randverschil" in out
    originals = [p for p in (zb.data / "store").rglob("*.jpg") if p.read_bytes() == path.read_bytes()]
    assert len(originals) == 1


def _empty(tmp_path: Path) -> Path:
    path = tmp_path / "leeg.mp4"
    path.write_bytes(b"")
    return path


def _truncated(tmp_path: Path) -> Path:
    path = tmp_path / "afgebroken.mp4"
    path.write_bytes((MONO_VIDEO).read_bytes()[:4000])
    return path


def _cut_off(tmp_path: Path) -> Path:
    """Index at the front: ffprobe reads it as whole (#14, 10)."""
    from zorgblik.tools import run_tool

    whole = tmp_path / "heel.mp4"
    run_tool(["ffmpeg", "-v", "error", "-i", MONO_VIDEO, "-c", "copy",
              "-movflags", "+faststart", whole])
    path = tmp_path / "afgekapt.mp4"
    path.write_bytes(whole.read_bytes()[:400_000])
    return path


def _not_360(tmp_path: Path) -> Path:
    return FLAT_VIDEO


def _one_lens(tmp_path: Path) -> Path:
    return BACK_LENS


def _wrong_extension(tmp_path: Path) -> Path:
    path = tmp_path / "opname.mp4"
    path.write_bytes((ROOM_PHOTO).read_bytes())
    return path


REFUSED = [
    (_empty, "leeg bestand (0 bytes) — kopieer het bestand opnieuw van de camera"),
    (_truncated, "geen leesbare video of foto"),
    (_cut_off, "bytes aan het eind — de opname is afgebroken of niet helemaal gekopieerd; kopieer het bestand"),
    (_not_360, "geen 360°-opname: beeldverhouding 320×240"),
    (_one_lens, "één fisheye-lensbeeld, op zichzelf geen 360°-opname"),
    (_wrong_extension, "extensie '.mp4' past niet bij de inhoud: het is een foto (mjpeg) — hernoem het bestand naar opname.jpg"),
]


@pytest.mark.parametrize("make,words", REFUSED, ids=[r[0].__name__.strip("_") for r in REFUSED])
def test_bad_footage_gets_one_dutch_line_exit_1_and_nothing_stored(zb, tmp_path, make, words):
    path = make(tmp_path)
    code, out, err = zb("capture", "add", path)
    line = _one_error_line(err)
    assert code == 1 and out == ""
    assert f"zorgblik: fout: {path}: " in line and words in line
    assert not list((zb.data / "store").rglob("*.*")) if (zb.data / "store").exists() else True
    assert zb("capture", "list")[1].startswith("Nog geen opnames")


def _refuse_decoding(*args, **kwargs):
    raise AssertionError("the photo was decoded before it was refused")


@pytest.mark.parametrize("kind", ["png", "jpeg"])
def test_a_photo_of_too_many_pixels_gets_one_line_before_it_is_decoded(zb, tmp_path, monkeypatch, kind):
    monkeypatch.setattr("capture.ingest.probe", _refuse_decoding)  # ffprobe decodes a photo's first frame
    monkeypatch.setattr("cv2.imread", _refuse_decoding)
    path = tmp_path / ("reus.png" if kind == "png" else "reus.jpg")
    if kind == "png":
        oversized_png(path, 20000, 10000)
    else:
        oversized_jpeg(ROOM_PHOTO, path, 20000, 10000)
    code, out, err = zb("capture", "add", path)
    line = _one_error_line(err)
    assert code == 1 and out == "" and "Traceback" not in err
    assert line.startswith(f"zorgblik: fout: {path}: foto van 20000×10000 pixels (200 megapixel) is groter dan de grens")
    assert "16384 pixels breed" in line and "134 megapixel" in line
    assert not list((zb.data / "store").rglob("*.*")) if (zb.data / "store").exists() else True
    assert zb("capture", "list")[1].startswith("Nog geen opnames")


def test_stitch_refuses_lens_images_of_too_many_pixels_before_decoding(zb, tmp_path, monkeypatch):
    monkeypatch.setattr("cv2.imread", _refuse_decoding)
    front = oversized_png(tmp_path / "voor.png", 20000, 20000)
    code, out, err = zb("capture", "stitch", front, BACK_LENS,
                        "--lens-front", FRONT_CALIBRATION, "--lens-back", BACK_CALIBRATION)
    line = _one_error_line(err)
    assert code == 1 and f"zorgblik: fout: {front}: foto van 20000×20000 pixels" in line
    assert not list((zb.data / "store").rglob("*.*")) if (zb.data / "store").exists() else True


def test_size_limit_comes_from_the_setting(zb, monkeypatch):
    monkeypatch.setenv("ZORGBLIK_MAX_FOOTAGE_BYTES", "100000")
    path = ROOM_PHOTO
    code, out, err = zb("capture", "add", path)
    line = _one_error_line(err)
    assert code == 1 and "bestand is 307.720 bytes, groter dan de grens van 100.000 bytes" in line


@pytest.mark.parametrize("args,words", [
    (["consent", "1", "--person", "F-1", "--role", "patient", "--status", "given"], "onbekende rol 'patient' — kies uit: client, staff, student, visitor"),
    (["consent", "1", "--person", "F-1", "--role", "client", "--status", "withdrawn"], "intrekken gaat met 'zorgblik capture withdraw'"),
    (["withdraw", "1", "--person", "F-9"], "footage:1: geen toestemming vastgelegd voor F-9"),
    (["show", "7"], "footage 7 bestaat niet — zie 'zorgblik capture list'"),
], ids=["role", "withdrawn-via-consent", "withdraw-unknown-person", "show-unknown"])
def test_wrong_consent_commands_get_one_dutch_line(zb, args, words):
    with Catalog(Settings.from_env({}, data_dir=zb.data).catalog_url) as catalog, catalog.session() as db:
        db.add(Footage(sha256="a" * 64, original_name="a.jpg", store_path="a.jpg", size_bytes=1, media_kind="photo",
                       codec="mjpeg", width=800, height=400, projection="equirectangular", stereo="mono"))
    code, out, err = zb("capture", *args)
    assert code == 1 and words in _one_error_line(err)


def test_show_says_how_crooked_a_capture_without_pose_looks(zb, tmp_path):
    """No pose in the metadata: ``capture show`` gives the level read from the picture (#17)."""
    from zorgblik.media.ffmpeg import still_command
    from zorgblik.tools import run_tool

    photo = tmp_path / "kamer_scheef.jpg"
    run_tool(still_command(ROOM_PHOTO, photo, filters="scale=1024:512,v360=e:e:roll=88"), where=str(ROOM_PHOTO))
    assert zb("capture", "add", photo)[0] == 0
    code, out, err = zb("capture", "show", "1")
    assert code == 0 and err == ""
    assert "  waterpas    scheef: roll −88°, pitch 0° (geschat)\n" in out
    zb("capture", "add", HALF_DOME_PHOTO)  # GPano gives the pose: nothing estimated, nothing said
    assert "waterpas" not in zb("capture", "show", "2")[1]
