"""``zorgblik privacy blur`` and ``zorgblik privacy sheet`` on a real photo with a planted face."""

from __future__ import annotations

import cv2
import numpy as np
import pytest

from cli import main


@pytest.fixture
def photo(tmp_path, pano, planter):
    frame, face = planter(pano, "astronaut", -179, 5, 16)  # across the seam
    path = tmp_path / "gang.jpg"
    cv2.imwrite(str(path), frame)
    return path, face


def test_blur_writes_photo_and_sheet(photo, tmp_path, capsys):
    path, face = photo
    out, sheet = tmp_path / "out" / "gang.jpg", tmp_path / "gang-controle.png"
    assert main(["privacy", "blur", str(path), "-o", str(out), "--review-sheet", str(sheet)]) == 0
    said = capsys.readouterr().out
    assert "1 gezicht(en) vervaagd" in said and str(sheet) in said
    before, after = cv2.imread(str(path)), cv2.imread(str(out))
    assert after.shape == before.shape
    row, col = int((0.5 - face.pitch / 180) * 1024), int((face.yaw / 360 + 0.5) * 2048) % 2048
    changed = np.abs(after.astype(int) - before.astype(int)).max(axis=2)
    assert changed[row - 20:row + 20, (col - 20) % 2048:].mean() > 10  # the face, on the right edge of the seam
    assert cv2.imread(str(sheet)).shape[1] >= 1000


def test_sheet_only(photo, tmp_path, capsys):
    path, _ = photo
    sheet = tmp_path / "controle.png"
    assert main(["privacy", "sheet", str(path), "-o", str(sheet)]) == 0
    assert sheet.exists() and "reviewblad" in capsys.readouterr().out


def test_not_360_is_one_dutch_line(tmp_path, capsys):
    flat = tmp_path / "plat.jpg"
    cv2.imwrite(str(flat), np.zeros((240, 320, 3), np.uint8))
    assert main(["privacy", "blur", str(flat), "-o", str(tmp_path / "x.jpg")]) == 1
    err = capsys.readouterr().err.strip()
    assert err.startswith("zorgblik: fout: ") and "plat.jpg" in err and "2:1" in err and "\n" not in err
