"""Sync against a real server on a real port: manifest per headset, its profile's rendition only,
Range resume after a cut, sha256 verification, ETag, and withdrawn content leaving."""

from __future__ import annotations

import hashlib
import socket
from urllib.parse import urlsplit

import pytest


@pytest.fixture
def fleet(harness):
    """Two playlists with one scene each; headset A (quest2) holds the intake one, B (quest3) both."""
    admin = harness.staff("admin")
    keys = {"huiskamer": harness.bundle("huiskamer"), "tuin": harness.bundle("tuin")}
    intake = harness.playlist("Intake VVT", [keys["huiskamer"]])
    lesson = harness.playlist("Les 1", [keys["tuin"]], context="werkveldorientatie")
    a_id, a_token = harness.enrol("Quest 01", "quest2")
    b_id, b_token = harness.enrol("Quest 02", "quest3")
    admin.put(f"/api/headsets/{a_id}/playlists", json={"playlist_ids": [intake]}).raise_for_status()
    admin.put(f"/api/headsets/{b_id}/playlists", json={"playlist_ids": [intake, lesson]}).raise_for_status()
    return {"admin": admin, "author": harness.staff("author"), "keys": keys, "intake": intake, "lesson": lesson,
            "a": harness.client(a_token), "b": harness.client(b_token), "a_id": a_id, "a_token": a_token}


def download_cut_halfway(base_url: str, path: str, token: str, size: int) -> bytes:
    """Start a plain GET on a raw socket, read about half the body, and drop the connection."""
    url = urlsplit(base_url)
    with socket.create_connection((url.hostname, url.port), timeout=10) as s:
        s.sendall(f"GET {path} HTTP/1.1\r\nHost: {url.netloc}\r\nAuthorization: Bearer {token}\r\n\r\n".encode())
        data = b""
        while b"\r\n\r\n" not in data:
            data += s.recv(65536)
        head, body = data.split(b"\r\n\r\n", 1)
        assert head.startswith(b"HTTP/1.1 200")
        while len(body) < size // 2:
            body += s.recv(65536)
    return body[: size // 2]


def test_download_cut_halfway_resumes_with_range_and_verifies(harness, fleet):
    manifest = fleet["a"].get("/api/device/manifest").json()
    media = next(f for f in manifest["bundles"][0]["files"] if f["role"] == "media")
    got = download_cut_halfway(harness.base_url, media["url"], fleet["a_token"], media["bytes"])
    assert 0 < len(got) < media["bytes"]
    rest = fleet["a"].get(media["url"], headers={"Range": f"bytes={len(got)}-"})
    assert rest.status_code == 206
    assert rest.headers["content-range"] == f"bytes {len(got)}-{media['bytes'] - 1}/{media['bytes']}"
    assert hashlib.sha256(got + rest.content).hexdigest() == media["sha256"]
    assert fleet["a"].get("/api/device/manifest").status_code == 200  # the service is fine after the cut


def test_each_headset_gets_its_playlists_and_only_its_profiles_rendition(fleet):
    a = fleet["a"].get("/api/device/manifest").json()
    b = fleet["b"].get("/api/device/manifest").json()
    assert [p["id"] for p in a["playlists"]] == [fleet["intake"]]
    assert [bundle["bundle_key"] for bundle in a["bundles"]] == [fleet["keys"]["huiskamer"]]
    assert {bundle["bundle_key"] for bundle in b["bundles"]} == set(fleet["keys"].values())
    a_files = {f["name"] for f in a["bundles"][0]["files"]}
    assert a_files == {"scene.quest2.mp4", "poster.jpg", "captions.nl.vtt", "hotspots.json", "manifest.json"}
    b_media = {f["name"] for bundle in b["bundles"] for f in bundle["files"] if f["role"] == "media"}
    assert b_media == {"scene.quest3.mp4"}
    assert a["total_bytes"] == sum(f["bytes"] for f in a["bundles"][0]["files"])


def test_a_headset_never_receives_another_playlists_content(fleet, error_shape):
    tuin = fleet["keys"]["tuin"]
    error_shape(fleet["a"].get(f"/bundles/{tuin}/manifest.json"), 404)
    error_shape(fleet["a"].get(f"/bundles/{tuin}/scene.quest2.mp4", headers={"Range": "bytes=0-9"}), 404)
    huiskamer = fleet["keys"]["huiskamer"]
    error_shape(fleet["a"].get(f"/bundles/{huiskamer}/scene.quest3.mp4"), 404)  # another profile's rendition
    assert fleet["b"].get(f"/bundles/{tuin}/scene.quest3.mp4", headers={"Range": "bytes=0-9"}).status_code == 206


def test_pico_falls_back_to_the_quest2_rendition_and_a_scene_without_one_is_told_why(harness, fleet):
    pico_id, pico = harness.enrol("Pico 01", "pico4")
    fleet["admin"].put(f"/api/headsets/{pico_id}/playlists", json={"playlist_ids": [fleet["intake"]]}).raise_for_status()
    assert harness.client(pico).get("/api/device/manifest").json()["bundles"][0]["rendition"] == "quest2"
    only3 = harness.bundle("keuken", renditions={"quest3": 1000})
    scenes = harness.refs([fleet["keys"]["huiskamer"], only3])
    fleet["author"].put(f"/api/playlists/{fleet['intake']}/scenes", json={"scenes": scenes}).raise_for_status()
    manifest = fleet["a"].get("/api/device/manifest").json()
    assert manifest["unplayable"] == [{"bundle_key": only3, "reason": "geen weergave voor profiel quest2"}]
    assert [b["bundle_key"] for b in manifest["bundles"]] == [fleet["keys"]["huiskamer"]]


def test_unchanged_manifest_costs_a_304_and_a_change_a_new_etag(fleet):
    etag = fleet["a"].get("/api/device/manifest").headers["etag"]
    again = fleet["a"].get("/api/device/manifest", headers={"If-None-Match": etag})
    assert again.status_code == 304 and again.content == b"" and again.headers["etag"] == etag
    fleet["author"].put(f"/api/playlists/{fleet['intake']}/scenes", json={"scenes": []}).raise_for_status()
    changed = fleet["a"].get("/api/device/manifest", headers={"If-None-Match": etag})
    assert changed.status_code == 200 and changed.headers["etag"] != etag and changed.json()["bundles"] == []


def test_withdrawn_content_is_removed_at_the_next_sync(fleet, error_shape):
    key = fleet["keys"]["huiskamer"]
    report = {"bundles": [key], "free_bytes": 12_000_000_000, "battery": 81}
    assert fleet["a"].post("/api/device/inventory", json=report).json() == {"remove": [], "missing": []}
    fleet["author"].post(f"/api/scenes/{key}/withdraw").raise_for_status()
    manifest = fleet["a"].get("/api/device/manifest").json()
    assert manifest["bundles"] == [] and manifest["remove"] == [key]
    assert fleet["a"].post("/api/device/inventory", json=report).json()["remove"] == [key]
    error_shape(fleet["a"].get(f"/bundles/{key}/manifest.json"), 404)
    headset = fleet["admin"].get(f"/api/headsets/{fleet['a_id']}").json()
    assert (headset["free_bytes"], headset["battery"], headset["inventory"]) == (12_000_000_000, 81, [key])


def test_inventory_says_what_is_still_missing(fleet):
    result = fleet["b"].post("/api/device/inventory", json={"bundles": [fleet["keys"]["tuin"]]}).json()
    assert result == {"remove": [], "missing": [fleet["keys"]["huiskamer"]]}


def test_group_playlists_reach_the_groups_headsets(harness, fleet):
    admin = fleet["admin"]
    group = admin.post("/api/groups", json={"name": harness.unique("Klas 1A")}).json()
    admin.put(f"/api/groups/{group['id']}/playlists", json={"playlist_ids": [fleet["lesson"]]}).raise_for_status()
    _, token = harness.enrol("Quest 11", "quest3", group_id=group["id"])
    manifest = harness.client(token).get("/api/device/manifest").json()
    assert [p["id"] for p in manifest["playlists"]] == [fleet["lesson"]]
