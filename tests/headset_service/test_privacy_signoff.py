"""Privacy sign-off over the real service: publishing waits for it, authors and comms give it as
themselves, and the review sheet and summary reach comms, authors and admin only, never a headset."""

from __future__ import annotations

import pytest

from zorgblik.bundle import PrivacySummary


@pytest.fixture
def draft(harness):
    """An unsigned draft bundle with its review sheet and privacy summary beside it."""
    key = harness.bundle("badkamer", publish=False)
    folder = harness.settings.bundles_dir / key
    (folder / "review.png").write_bytes(b"\x89PNG\r\n\x1a\n" + b"0" * 64)
    PrivacySummary(blurred_faces=2, kept_faces=0, regions=0, consent_state="none_recorded", needs_signoff=True,
                   scene="test/badkamer", notes=["scène badkamer: F-1 wordt toch vervaagd"], privacy_pass={}).write(folder)
    return key


def test_a_summary_not_in_the_bundle_format_is_named_not_a_traceback(harness, draft, error_shape):
    (harness.settings.bundles_dir / draft / "privacy.json").write_text('{"blurred_faces": 2}')
    refused = harness.staff("comms").get(f"/api/scenes/{draft}/privacy")
    assert 400 <= refused.status_code < 600 and refused.status_code != 500, refused.text
    body = error_shape(refused, refused.status_code)
    assert "privacysamenvatting klopt niet" in body["message"] and "zorgblik build" in body.get("hint", body["message"])


def test_publishing_waits_for_a_signoff_by_a_signed_in_author_or_comms(harness, draft, error_shape):
    refused = error_shape(harness.staff("author").post(f"/api/scenes/{draft}/publish"), 409)
    assert "privacy-aftekening" in refused["message"] and "reviewblad" in refused["message"]
    assert "zorgblik privacy signoff" in refused["message"]

    error_shape(harness.staff("intake").post(f"/api/scenes/{draft}/signoff"), 403)
    signed = harness.staff("comms").post(f"/api/scenes/{draft}/signoff").raise_for_status().json()
    assert signed["signed_by"] == "comms-test" and signed["bundle_key"] == draft
    assert "geen toestemming vastgelegd voor deze opname" in signed["reasons"]

    published = harness.staff("author").post(f"/api/scenes/{draft}/publish")
    assert published.status_code == 200, published.text
    summary = harness.staff("comms").get(f"/api/scenes/{draft}/privacy").raise_for_status().json()
    assert summary["signoff"]["signed_by"] == "comms-test" and summary["blurred_faces"] == 2
    assert summary["notes"] == ["scène badkamer: F-1 wordt toch vervaagd"] and summary["pass"] == {}


def test_review_sheet_is_for_staff_and_never_served_as_a_bundle_file(harness, draft, error_shape):
    sheet = harness.staff("comms").get(f"/api/scenes/{draft}/review-sheet")
    assert sheet.status_code == 200 and sheet.headers["content-type"] == "image/png"
    assert sheet.headers["cache-control"] == "private, no-store"
    error_shape(harness.client().get(f"/api/scenes/{draft}/review-sheet"), 401)

    harness.staff("comms").post(f"/api/scenes/{draft}/signoff").raise_for_status()
    harness.staff("author").post(f"/api/scenes/{draft}/publish").raise_for_status()
    playlist = harness.playlist("Privacy", [draft])
    headset_id, token = harness.enrol("Quest privacy")
    harness.staff("admin").put(f"/api/headsets/{headset_id}/playlists", json={"playlist_ids": [playlist]}).raise_for_status()
    headset = harness.client(token)
    manifest = headset.get("/api/device/manifest").raise_for_status().json()
    names = {f["name"] for b in manifest["bundles"] for f in b["files"]}
    assert "poster.jpg" in names and not names & {"review.png", "privacy.json"}
    for name in ("review.png", "privacy.json"):
        error_shape(headset.get(f"/bundles/{draft}/{name}"), 404)
        error_shape(harness.staff("admin").get(f"/bundles/{draft}/{name}"), 404)
    error_shape(headset.get(f"/api/scenes/{draft}/review-sheet"), 401)


@pytest.mark.parametrize("path", ["privacy", "review-sheet"])
def test_privacy_reports_are_for_comms_authors_and_admin_only(harness, draft, error_shape, path):
    """The notes name a filmed client who refused consent, drafts included: not for session staff."""
    for role in ("intake", "hr", "teacher"):
        refused = error_shape(harness.staff(role).get(f"/api/scenes/{draft}/{path}"), 403)
        assert "F-1" not in refused["message"] and "mag dit niet" in refused["message"]
    for role in ("comms", "author", "admin"):
        assert harness.staff(role).get(f"/api/scenes/{draft}/{path}").status_code == 200
