"""Input no handler can use is refused with a 4xx in the one error shape (issue #14, finding 6):
digits that only look ASCII, ids past SQLite's 64-bit range, dates at the calendar's ends, a form
field that is not a number. Each of these answered 500 before."""

from __future__ import annotations

import base64

import pytest

from headset_service.csrf import _derived

TUS = {"Tus-Resumable": "1.0.0"}
SUPERSCRIPT_TWO = "²".encode("latin-1")  # str.isdigit() and int() take it; a header arrives as latin-1
HUGE = "99999999999999999999999"


def metadata(filename: str) -> str:
    return "filename " + base64.b64encode(filename.encode()).decode()


def test_tus_upload_length_with_a_non_ascii_digit_is_400(harness, error_shape):
    comms = harness.staff("comms")
    answer = comms.post("/api/uploads", headers={**TUS, "Upload-Length": SUPERSCRIPT_TWO,
                                                  "Upload-Metadata": metadata("clip.mp4")})
    assert "Upload-Length" in error_shape(answer, 400)["message"]


def test_tus_upload_offset_with_a_non_ascii_digit_is_400(harness, error_shape):
    comms = harness.staff("comms")
    created = comms.post("/api/uploads", headers={**TUS, "Upload-Length": "10", "Upload-Metadata": metadata("clip.mp4")})
    assert created.status_code == 201, created.text
    answer = comms.patch(created.headers["Location"], content=b"0123456789", headers={
        **TUS, "Upload-Offset": SUPERSCRIPT_TWO, "Content-Type": "application/offset+octet-stream"})
    assert "Upload-Offset" in error_shape(answer, 400)["message"]


@pytest.mark.parametrize("method, path", [
    ("GET", f"/api/sessions/{HUGE}"),
    ("GET", f"/api/sessions/{HUGE}/events"),
    ("GET", f"/api/headsets/{HUGE}"),
    ("GET", f"/api/playlists/{HUGE}"),
    ("DELETE", f"/api/playlists/{HUGE}"),
    ("POST", f"/api/headsets/{HUGE}/revoke"),
    ("GET", f"/sessies/{HUGE}"),
    ("GET", f"/sessies/{HUGE}/live.json"),
    ("GET", f"/afspeellijsten/{HUGE}"),
    ("GET", f"/beeldmateriaal/{HUGE}"),
    ("GET", f"/klas/{HUGE}/live.json"),
])
def test_an_id_past_64_bits_in_the_path_is_a_4xx(harness, error_shape, method, path):
    answer = harness.staff("admin").request(method, path)
    assert error_shape(answer, 422)["message"].startswith("ongeldig verzoek: ")


@pytest.mark.parametrize("path", ["/rapportages", "/rapportages/export.csv", "/rapportages/xapi.json"])
@pytest.mark.parametrize("query", ["van=0001-01-01&tot=9999-12-31", "van=9999-12-31&tot=9999-12-31"])
def test_report_dates_at_the_calendars_ends_are_422_in_dutch(harness, error_shape, path, query):
    answer = harness.staff("admin").get(f"{path}?{query}")
    assert "datum" in error_shape(answer, 422)["message"]


@pytest.mark.parametrize("periode", [HUGE, "²", "0", "61"])
def test_effect_page_period_outside_1_to_60_months_is_422_in_dutch(harness, error_shape, periode):
    answer = harness.staff("admin").get("/effect", params={"periode": periode})
    assert "periode" in error_shape(answer, 422)["message"]


def _form(client, **fields) -> dict:
    token = client.headers["Authorization"].removeprefix("Bearer ")
    return {"csrf": _derived(token), **fields}


@pytest.mark.parametrize("group_id", ["abc", "²", HUGE])
def test_start_form_with_a_group_that_is_no_number_says_so(harness, group_id):
    admin = harness.staff("admin")
    playlist = harness.playlist("start", [harness.bundle("start")])
    answer = admin.post("/sessies/start", data=_form(admin, playlist_id=str(playlist), group_id=group_id))
    assert answer.status_code == 303, answer.text
    assert "Kies een groep uit de lijst" in admin.get(answer.headers["location"]).text


@pytest.mark.parametrize("fields", [{"playlist_id": HUGE}, {"headset_ids": HUGE}, {"playlist_id": "abc"}],
                         ids=["playlist-past-64-bits", "headset-past-64-bits", "playlist-no-number"])
def test_start_form_with_ids_no_row_can_have_is_a_4xx(harness, error_shape, fields):
    admin = harness.staff("admin")
    form = {"playlist_id": str(harness.playlist("start", [harness.bundle("start")])), **fields}
    answer = admin.post("/sessies/start", data=_form(admin, **form))
    assert 400 <= answer.status_code < 500, answer.text
    if answer.status_code != 303:
        error_shape(answer, answer.status_code)


def test_an_id_out_of_range_is_refused_in_dutch(harness, error_shape):
    answer = harness.staff("admin").get(f"/api/sessions/{HUGE}")
    assert error_shape(answer, 422)["message"] == f"ongeldig verzoek: path.session_id: mag hoogstens {2**63 - 1} zijn"


@pytest.mark.parametrize("path, body", [
    ("/api/sessions", {"context": "intake", "headset_id": 10**23}),
    ("/api/headsets/pairing-codes", {"name": "q", "profile": "quest2", "group_id": 10**23}),
], ids=["session-headset", "pairing-group"])
def test_an_id_past_64_bits_in_a_body_is_422(harness, error_shape, path, body):
    assert error_shape(harness.staff("admin").post(path, json=body), 422)["message"].startswith("ongeldig verzoek: ")
