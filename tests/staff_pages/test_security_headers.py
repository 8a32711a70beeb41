"""The staff pages still work under their Content-Security-Policy: no script, style, image, media
or request of theirs is refused by the browser (the policy itself: tests/headset_service/test_auth.py)."""

from __future__ import annotations

import pytest

from support import synthetic_bundle

RECORD_VIOLATIONS = """
window.cspViolations = [];
document.addEventListener("securitypolicyviolation",
  (e) => window.cspViolations.push(`${e.violatedDirective} ${e.blockedURI} ${e.sourceFile}:${e.lineNumber}`));
"""


@pytest.fixture(scope="module")
def scene(site):
    """A published photo scene (with the view the 2D player starts from) on an intake playlist and a headset."""
    manifest = {"title": {"nl": "De huiskamer"}, "media_kind": "photo", "stereo": "mono",
                "profile": "quest2", "duration_s": None, "contexts": ["intake"], "view": {"yaw": 0, "pitch": 0}}
    files = [("scene.quest2.jpg", "media", b"\xff\xd8\xff\xd9", "quest2"), ("poster.jpg", "poster", b"\xff\xd8\xff\xd9", None)]
    key = synthetic_bundle(site.settings, site.catalog, script="csp-ouderenzorg", scene="huiskamer", files=files,
                           manifest=manifest, category="ouderenzorg")
    site.playlist("Intake CSP", "intake", [key])
    site.enrol("Quest CSP", "Kar CSP", ["Intake CSP"])
    return key


def test_staff_pages_run_without_csp_violations(site, scene, open_as):
    page = open_as("admin")
    page.add_init_script(RECORD_VIOLATIONS)
    errors = []
    page.on("console", lambda m: errors.append(m.text) if "Content Security Policy" in m.text else None)
    for path in ("/", "/sessies", "/klas", "/klas/projectie", "/afspeellijsten", "/beeldmateriaal", "/scripts",
                 "/rapportages", "/beheer", f"/speler/{scene}"):
        response = page.goto(f"{site.base_url}{path}")
        assert response.status == 200, path
        assert "frame-ancestors 'none'" in response.headers["content-security-policy"]
        page.wait_for_timeout(400)  # scripts load their modules, poll and fetch the scene
        assert page.evaluate("window.cspViolations") == [], path
    assert errors == []
