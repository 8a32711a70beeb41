"""The author page (Scripts) shows the regular files inside the scripts folder, nothing else: a
link to a file elsewhere on the server, or a FIFO, is no script of theirs."""

from __future__ import annotations

import os

MINIMAL_OWNER = "format: zorgblik-vr-script/2\nowner: {name: Ans Smit, role: praktijkopleider}\n"


def test_a_link_out_of_the_scripts_folder_is_not_shown(harness, tmp_path):
    folder = harness.settings.scripts_path
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "eigen.yaml").write_text(MINIMAL_OWNER, encoding="utf-8")
    secret = tmp_path / "elders" / "wachtwoorden.yaml"
    secret.parent.mkdir()
    secret.write_text("GEHEIM-7731: root\n", encoding="utf-8")
    (folder / "geheim.yaml").symlink_to(secret)
    os.mkfifo(folder / "pijp.yaml")
    author = harness.staff("author")

    page = author.get("/scripts")
    assert page.status_code == 200 and "eigen.yaml" in page.text
    assert "geheim" not in page.text and "pijp" not in page.text and "GEHEIM-7731" not in page.text
    assert author.get("/scripts/geheim").status_code == 404
    assert author.get("/scripts/pijp").status_code == 404
    assert author.get("/scripts/eigen").status_code == 200
