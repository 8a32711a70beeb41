"""Request bodies have a ceiling per route (issue #14, finding 7): a 150 MB JSON to the public
pairing endpoint was read whole (service memory 148 -> 383 MB). The tests talk over a raw socket,
so they can stop sending once the server has answered, as a real client cut off would."""

from __future__ import annotations

import json
import socket
from urllib.parse import urlsplit

import httpx

MB = 1_000_000


def _pairing_code(harness) -> str:
    return harness.staff("admin").post("/api/headsets/pairing-codes", json={
        "name": harness.unique("groot"), "profile": "quest2"}).raise_for_status().json()["code"]


def _raw(harness, head: str, body_parts) -> tuple[int, dict]:
    """Send ``head`` and then ``body_parts`` until the server answers; the status and JSON body."""
    url = urlsplit(harness.base_url)
    with socket.create_connection((url.hostname, url.port), timeout=10) as sock:
        sock.sendall(head.encode("latin-1"))
        try:
            for part in body_parts:
                sock.sendall(part)
        except (BrokenPipeError, ConnectionResetError):
            pass  # the server answered and closed: what a cut-off client sees
        answer = b""
        try:
            while chunk := sock.recv(65536):
                answer += chunk
        except ConnectionResetError:
            pass
    status_line, _, rest = answer.partition(b"\r\n")
    headers, _, body = rest.partition(b"\r\n\r\n")
    if b"transfer-encoding: chunked" in headers.lower():
        size, _, body = body.partition(b"\r\n")
        body = body[:int(size, 16)]
    return int(status_line.split()[1]), json.loads(body)


def _pair_body(code: str, size: int) -> bytes:
    """A pairing request with the right code, padded with spaces (valid JSON) to ``size`` bytes."""
    body = json.dumps({"code": code}).encode()
    return body[:-1] + b" " * (size - len(body)) + b"}"


def test_3_mb_json_to_pair_is_413_before_the_handler_runs(harness, error_shape):
    code = _pairing_code(harness)
    body = _pair_body(code, 3 * MB)
    head = ("POST /api/headsets/pair HTTP/1.1\r\nHost: test\r\nContent-Type: application/json\r\n"
            f"Content-Length: {len(body)}\r\nConnection: close\r\n\r\n")
    status, answer = _raw(harness, head, [body[:1000]])  # the rest never needs to be sent
    assert status == 413
    error_shape(httpx.Response(status, json=answer), 413)
    assert answer["error"]["code"] == "too_large"
    # the handler did not run: the code is still unused and pairs a headset now
    assert httpx.post(f"{harness.base_url}/api/headsets/pair", json={"code": code}).status_code == 201


def test_chunked_body_without_content_length_is_cut_at_the_limit(harness, error_shape):
    code = _pairing_code(harness)
    body = _pair_body(code, 3 * MB)
    head = ("POST /api/headsets/pair HTTP/1.1\r\nHost: test\r\nContent-Type: application/json\r\n"
            "Transfer-Encoding: chunked\r\nConnection: close\r\n\r\n")
    piece = 64 * 1024
    chunks = (b"%x\r\n%s\r\n" % (len(body[i:i + piece]), body[i:i + piece]) for i in range(0, int(1.5 * MB), piece))
    status, answer = _raw(harness, head, chunks)  # 1.5 MB sent, never the end: cut off at 1 MB
    assert status == 413
    error_shape(httpx.Response(status, json=answer), 413)
    assert httpx.post(f"{harness.base_url}/api/headsets/pair", json={"code": code}).status_code == 201


def test_a_body_under_the_limit_still_passes(harness):
    code = _pairing_code(harness)
    answer = httpx.post(f"{harness.base_url}/api/headsets/pair", content=_pair_body(code, MB // 2),
                        headers={"Content-Type": "application/json"})
    assert answer.status_code == 201, answer.text


def test_an_event_batch_may_be_larger_than_the_default(harness):
    """A full batch (1 MB of event data, schemas.MAX_BATCH_DATA_BYTES) plus its envelope passes the
    limit; the schema, not the size guard, decides."""
    headset_id, token = harness.enrol(harness.unique("events"))
    playlist = harness.playlist("events", [harness.bundle("events")])
    session = harness.staff("admin").post("/api/sessions", json={
        "context": "intake", "headset_id": headset_id, "playlist_id": playlist}).raise_for_status().json()
    events = [{"event_id": f"evt-{i:08d}", "kind": "scene_start", "at": "2026-01-01T10:00:00Z",
               "data": {"pad": "x" * 4000}} for i in range(240)]  # ~0.96 MB of data, ~1.1 MB as JSON
    answer = harness.client(token).post(f"/api/sessions/{session['id']}/events", json={"events": events})
    assert answer.status_code == 200, answer.text[:300]
