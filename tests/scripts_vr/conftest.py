"""Fixtures for the VR-script tests: one small valid script, and a way to write variants of it."""

from __future__ import annotations

from pathlib import Path

import pytest

#: The smallest script that lints clean. Line numbers in the tests refer to this text.
MINIMAL = """\
format: zorgblik-vr-script/2
owner: {name: Ans Smit, role: praktijkopleider}
organisation:
  name: Zorg BV
  locations: [{name: Huis, address: Laan 1, city: Ede}]
  contact: {name: Ans Smit, role: praktijkopleider, email: ans@example.nl}
care_category: ouderenzorg
client_groups: [{name: Ouderen, description: Met dementie}]
care_given: [Verzorging]
team: {name: Team A, department: PG, description: Klein team, size: 8}
expectations: [{route: BOL, level: 3, expects: [Meelopen]}]
welcome:
  acquaintance: {description: Meeloopdag}
  matching: {matched: false}
supervision: {supervisor_role: VIG, frequency: elke dienst, studentcoach: false}
scenes:
  - id: gang
    title: De gang
    footage: sha256:aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa
    in: 0
    out: 60
    contexts: [intake]
    audience: {routes: [BOL], levels: [3]}
"""


@pytest.fixture
def write(tmp_path: Path):
    """``write(text, name="s.yaml")`` -> the path of a new file holding ``text`` (str or bytes)."""

    def _write(text: str | bytes, name: str = "s.yaml") -> Path:
        path = tmp_path / name
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(text, bytes):
            path.write_bytes(text)
        else:
            path.write_text(text, encoding="utf-8")
        return path

    return _write


@pytest.fixture
def variant(write):
    """``variant(old, new)`` -> a file holding MINIMAL with ``old`` replaced by ``new`` (once)."""

    def _variant(*pairs: str, name: str = "s.yaml") -> Path:
        text = MINIMAL
        for old, new in zip(pairs[::2], pairs[1::2]):
            assert old in text, old
            text = text.replace(old, new, 1)
        return write(text, name)

    return _variant
