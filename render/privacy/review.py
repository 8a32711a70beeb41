"""The review sheet: one PNG per scene on which a person signs off what the privacy pass did.

Every blurred face and manual region is shown as a crop *of the blurred result* (the sheet
never shows a face that was blurred, sharp); every kept face is shown sharp, since that person
consented, with who and under which consent record. Each crop carries its time and direction.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import cv2
import numpy as np

from render.privacy.report import PrivacyReport, ReviewItem
from render.privacy.errors import PrivacyError

#: Frame colours (BGR) and captions per kind of item.
KINDS = {
    "face": ((40, 40, 220), "vervaagd gezicht"),
    "kept": ((60, 170, 40), "onvervaagd (toestemming)"),
    "region": ((0, 140, 240), "handmatig vlak"),
}

CARD_W, CARD_H, PAD, COLUMNS, HEADER = 200, 250, 12, 6, 96
FONT = cv2.FONT_HERSHEY_SIMPLEX


def _ascii(text: str) -> str:
    """OpenCV's fonts draw ASCII only: drop accents (é → e) and replace the rest."""
    import unicodedata

    return unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")


def _clock(seconds: float) -> str:
    minutes, rest = divmod(seconds, 60)
    return f"{int(minutes)}:{rest:04.1f}"


def _card(item: ReviewItem, still: bool) -> np.ndarray:
    colour, caption = KINDS[item.kind]
    card = np.full((CARD_H, CARD_W, 3), 245, np.uint8)
    side = CARD_W - 2 * PAD
    if item.thumbnail is not None:
        card[PAD:PAD + side, PAD:PAD + side] = cv2.resize(item.thumbnail, (side, side), interpolation=cv2.INTER_AREA)
    cv2.rectangle(card, (PAD - 3, PAD - 3), (PAD + side + 2, PAD + side + 2), colour, 3)
    when = "foto" if still else f"{_clock(item.start)}-{_clock(item.end)}"
    lines = [caption, f"{when}  yaw {item.box.yaw:+.0f} pitch {item.box.pitch:+.0f}", _ascii(item.label)[:30]]
    y = PAD + side + 18
    for n, line in enumerate(lines):
        cv2.putText(card, line, (PAD, y + 17 * n), FONT, 0.42, colour if n == 0 else (30, 30, 30), 1, cv2.LINE_AA)
    return card


def review_sheet(report: PrivacyReport, *, scene: str | None = None) -> np.ndarray:
    """The sheet as a BGR image: a header with scene and counts, then one card per item."""
    still = report.frames <= 1
    items = sorted(report.items, key=lambda i: (list(KINDS).index(i.kind), i.start, i.box.yaw))
    rows = max(1, -(-len(items) // COLUMNS))
    sheet = np.full((HEADER + rows * CARD_H + PAD, COLUMNS * CARD_W, 3), 255, np.uint8)
    title = f"zorgblik privacycontrole - scene {_ascii(scene or Path(report.source).stem)}"
    counts = (f"{report.count('face')} vervaagde gezichten, {report.count('kept')} onvervaagd met toestemming, "
              f"{report.count('region')} handmatige vlakken")
    source = f"{_ascii(Path(report.source).name)}  {report.width}x{report.height}  " + (
        "foto" if still else f"{report.frames} frames, {report.keyframes} zoekbeelden")
    stamp = f"gemaakt {dt.datetime.now():%Y-%m-%d %H:%M}  -  controleer elk vak en teken af voor publicatie"
    for n, (text, scale) in enumerate(((title, 0.7), (counts, 0.5), (source, 0.45), (stamp, 0.45))):
        cv2.putText(sheet, text, (PAD, 26 + 21 * n), FONT, scale, (20, 20, 20), 2 if n == 0 else 1, cv2.LINE_AA)
    if not items:
        cv2.putText(sheet, "geen gezichten of vlakken gevonden", (PAD, HEADER + 40), FONT, 0.6, (20, 20, 20), 1,
                    cv2.LINE_AA)
    for n, item in enumerate(items):
        r, c = divmod(n, COLUMNS)
        sheet[HEADER + r * CARD_H:HEADER + (r + 1) * CARD_H, c * CARD_W:(c + 1) * CARD_W] = _card(item, still)
    return sheet


def write_review_sheet(report: PrivacyReport, path: Path, *, scene: str | None = None) -> Path:
    """Write :func:`review_sheet` at ``path`` (the format follows the suffix: .png)."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    if not cv2.imwrite(str(path), review_sheet(report, scene=scene)):
        raise PrivacyError("reviewblad kan niet geschreven worden", where=str(path),
                           hint="kies een pad in een map waarin je mag schrijven")
    return path
