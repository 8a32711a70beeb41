"""The service on a real port, over real HTTP, with scenes built from real footage.

The client signs in as an admin (a bearer token); tests/headset_service/test_auth.py checks
what others, and nobody, may do."""

from __future__ import annotations

import hashlib
from dataclasses import replace
from pathlib import Path

import httpx
import pytest

from catalog import Catalog, accounts, queries, signoffs
from headset_service.server import service_in_thread
from render import build_script
from support import approve_profile
from zorgblik.settings import Settings

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def service(tmp_path_factory, render_cache_dir):
    data = tmp_path_factory.mktemp("service")
    settings = replace(Settings.from_env({}, data_dir=data, port=0, render_cache_dir=str(render_cache_dir)),
                       encoder_preset="ultrafast")
    script = ROOT / "demo" / "scripts" / "de-linde-ouderenzorg.yaml"
    with Catalog(settings.catalog_url) as catalog:
        built = build_script(script, settings=settings, catalog=catalog)
        approve_profile(catalog, script)
        with catalog.session() as db:
            for scene in built:  # the demo footage has no consent register: a person signs off
                version = queries.scene_version_by_bundle_key(db, scene.bundle_key)
                signoffs.sign_off(db, version, by="test")
                queries.publish(db, version)
            token = accounts.open_login(db, accounts.create_user(db, username="beheer", role="admin",
                                                                 password="correct-paard-batterij"))
        with service_in_thread(settings, catalog) as running:
            with httpx.Client(base_url=running.base_url, timeout=10,
                              headers={"Authorization": f"Bearer {token}"}) as client:
                yield client


def assert_error_shape(response: httpx.Response, status: int) -> dict:
    assert response.status_code == status
    body = response.json()
    assert set(body) == {"error"}
    assert set(body["error"]) == {"status", "code", "message", "detail"}
    assert body["error"]["status"] == status and body["error"]["message"]
    return body["error"]


def test_lists_published_scenes(service):
    scenes = service.get("/api/scenes").json()
    assert [s["scene"] for s in scenes] == ["huiskamer", "tuin"]
    assert scenes[0]["title"]["nl"] == "Een ochtend op de huiskamer"
    assert scenes[1]["media_kind"] == "photo"


def test_bundle_file_with_range_resumes_and_verifies(service):
    scene = service.get("/api/scenes").json()[0]
    manifest = service.get(scene["manifest_url"]).json()
    media = next(f for f in manifest["files"] if f["role"] == "media")
    url = f"/bundles/{scene['bundle_key']}/{media['name']}"
    half = media["bytes"] // 2
    first = service.get(url, headers={"Range": f"bytes=0-{half - 1}"})
    assert first.status_code == 206 and len(first.content) == half
    rest = service.get(url, headers={"Range": f"bytes={half}-"})
    assert rest.status_code == 206
    assert hashlib.sha256(first.content + rest.content).hexdigest() == media["sha256"]


def test_unknown_bundle_and_file_get_json_404(service):
    assert_error_shape(service.get("/bundles/nope/manifest.json"), 404)
    scene = service.get("/api/scenes").json()[0]
    err = assert_error_shape(service.get(f"/bundles/{scene['bundle_key']}/..%2Fzorgblik.db"), 404)
    assert "hoort niet bij" in err["message"] or err["code"] == "not_found"


def test_events_are_stored_once_per_event_id(service):
    session = service.post("/api/sessions", json={"context": "intake", "learner_code": "K7F2"}).json()
    scene = service.get("/api/scenes").json()[0]
    batch = {"events": [
        {"event_id": "evt-0001-aaaa", "kind": "session_start", "at": "2026-11-24T09:00:00Z"},
        {"event_id": "evt-0002-bbbb", "kind": "scene_start", "at": "2026-11-24T09:00:01Z", "bundle_key": scene["bundle_key"]},
        {"event_id": "evt-0003-cccc", "kind": "hotspot_open", "at": "2026-11-24T09:00:05Z",
         "bundle_key": scene["bundle_key"], "data": {"hotspot": "tafel"}},
    ]}
    first = service.post(f"/api/sessions/{session['id']}/events", json=batch).json()
    assert first == {"received": 3, "stored": 3, "skipped": 0}
    again = service.post(f"/api/sessions/{session['id']}/events", json=batch).json()
    assert again == {"received": 3, "stored": 0, "skipped": 3}
    kinds = [e["kind"] for e in service.get(f"/api/sessions/{session['id']}/events").json()]
    assert kinds == ["session_start", "scene_start", "hotspot_open"]


def test_head_direction_is_not_kept_in_interviews(service):
    session = service.post("/api/sessions", json={"context": "sollicitatie"}).json()
    batch = {"events": [{"event_id": "evt-head-0001", "kind": "head_direction", "at": "2026-11-24T09:00:00Z",
                         "data": {"yaw": 10, "pitch": 0}}]}
    assert service.post(f"/api/sessions/{session['id']}/events", json=batch).json()["stored"] == 0
    assert service.get(f"/api/sessions/{session['id']}/events").json() == []


@pytest.mark.parametrize("body", [
    {"context": "feest"},
    {"context": "intake", "learner_code": "Jan de Vries"},
    {"context": "intake", "extra": 1},
], ids=["unknown-context", "name-instead-of-code", "unknown-field"])
def test_bad_session_request_gets_422_in_one_shape(service, body):
    err = assert_error_shape(service.post("/api/sessions", json=body), 422)
    assert err["detail"]


def test_events_for_unknown_session_404(service):
    batch = {"events": [{"event_id": "evt-x-000001", "kind": "session_start", "at": "2026-11-24T09:00:00Z"}]}
    assert_error_shape(service.post("/api/sessions/9999/events", json=batch), 404)


def test_staff_page_and_player_are_dutch_html(service):
    page = service.get("/")
    assert page.status_code == 200 and 'lang="nl"' in page.text and "Een ochtend op de huiskamer" in page.text
    scene = service.get("/api/scenes").json()[0]
    player = service.get(scene["player_url"])
    assert player.status_code == 200 and "player2d.js" in player.text
    assert service.get("/static/player2d.js").status_code == 200


def test_openapi_is_published(service):
    anonymous = httpx.get(f"{service.base_url}/openapi.json")
    assert "/api/scenes" in anonymous.json()["paths"]


def test_without_signing_in_scenes_and_files_get_401(service):
    scene = service.get("/api/scenes").json()[0]
    assert_error_shape(httpx.get(f"{service.base_url}/api/scenes"), 401)
    assert_error_shape(httpx.get(f"{service.base_url}{scene['manifest_url']}"), 401)
    assert httpx.get(f"{service.base_url}/api/health").status_code == 200
