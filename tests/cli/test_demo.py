"""The README's first command: the demo builds the example scripts from real footage,
publishes them, serves them on a real port and says where to look."""

from __future__ import annotations

import re

import httpx

from cli import main


def test_demo_check_builds_serves_and_prints_where_to_look(tmp_path, monkeypatch, capsys, render_cache_dir):
    monkeypatch.setenv("ZORGBLIK_ENCODER_PRESET", "ultrafast")
    monkeypatch.setenv("ZORGBLIK_RENDER_CACHE_DIR", str(render_cache_dir))  # the demo scenes, encoded once a session
    monkeypatch.setenv("ZORGBLIK_PORT", "0")
    assert main(["--data", str(tmp_path / "data"), "demo", "--check"]) == 0
    out = capsys.readouterr().out
    assert re.search(r"De service antwoordt op http://127\.0\.0\.1:\d+ met 4 gepubliceerde scènes", out)
    for scene in ("de-brug-gehandicaptenzorg/uitje", "de-brug-gehandicaptenzorg/avond",
                  "de-linde-ouderenzorg/huiskamer", "de-linde-ouderenzorg/tuin"):
        assert scene in out
    assert re.search(r"Voor medewerkers:  http://\S+/  \(inloggen als demo, wachtwoord \S+\)", out)
    assert re.search(r"open http://\S+/headset in de browser van de headset en voer code [A-Z0-9-]+ in", out)
    # --check stops the service once it has answered
    url = re.search(r"(http://127\.0\.0\.1:\d+)", out).group(1)
    try:
        httpx.get(url + "/api/health", timeout=1)
    except httpx.TransportError:
        pass
    else:
        raise AssertionError("the service still answers after demo --check")
