"""Resumable uploads (tus 1.0.0) against the real service on a real port, with real footage.

A cut connection is made for real: a raw socket, or an httpx body that breaks off, closes the
connection mid-body; the test first waits until the server has written what was sent.
"""

from __future__ import annotations

import base64
import contextlib
import hashlib
import socket
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from pathlib import Path
from urllib.parse import urlsplit

import httpx
import pytest

from capture.store import FootageStore
from capture.upload import Checksum, UploadBusy, UploadStore
from catalog import Catalog, accounts, queries
from headset_service.server import service_in_thread
from support import FLAT_VIDEO, MONO_VIDEO, TUS, oversized_png
from support import tus_create as create
from support import tus_metadata as metadata
from support import tus_offset as head_offset
from support import tus_patch as patch
from support import tus_upload_rest as upload_rest
from zorgblik.settings import Settings

ROOT = Path(__file__).resolve().parents[2]
MONO_360 = MONO_VIDEO
NOT_360 = FLAT_VIDEO
MAX_BYTES = 1_000_000
CHUNK = 150_000


@dataclass
class Service:
    client: httpx.Client
    settings: Settings
    catalog: Catalog
    token: str  # a communications-team sign-in: uploads need the comms (or admin) role

    def data_file(self, url: str) -> Path:
        return self.settings.data_dir / "uploads" / url.rsplit("/", 1)[1] / "data"


@contextlib.contextmanager
def comms_service(settings: Settings) -> Iterator[Service]:
    """The real service on ``settings``' data folder, and a client signed in as communications."""
    with Catalog(settings.catalog_url) as catalog:
        with catalog.session() as db:
            token = accounts.open_login(db, accounts.create_user(db, username="comms", role="comms",
                                                                 password="correct-paard-batterij"))
        with service_in_thread(settings, catalog) as running:
            with httpx.Client(base_url=running.base_url, timeout=10,
                              headers={"Authorization": f"Bearer {token}"}) as client:
                yield Service(client, settings, catalog, token)


@pytest.fixture(scope="module")
def service(tmp_path_factory) -> Iterator[Service]:
    data = tmp_path_factory.mktemp("uploads")
    with comms_service(replace(Settings.from_env({}, data_dir=data, port=0), max_footage_bytes=MAX_BYTES)) as running:
        yield running


def assert_error_shape(response: httpx.Response, status: int) -> dict:
    assert response.status_code == status, response.text
    body = response.json()
    assert set(body) == {"error"}
    assert set(body["error"]) == {"status", "code", "message", "detail"}
    assert body["error"]["status"] == status and body["error"]["message"]
    return body["error"]


def wait_until(check: Callable[[], object], what: str, timeout: float = 5.0):
    deadline = time.monotonic() + timeout
    while not (result := check()):
        assert time.monotonic() < deadline, f"waited {timeout} s for {what}"
        time.sleep(0.02)
    return result


def finished(service: Service, url: str) -> dict:
    """The upload's status once ingest has run (it runs after the last PATCH is answered)."""
    def settled():
        status = service.client.get(url).json()
        return status if status["status"] in {"done", "failed"} else None
    return wait_until(settled, "ingest")


def assert_became_footage(service: Service, url: str, data: bytes) -> None:
    status = finished(service, url)
    assert status["status"] == "done", status
    with service.catalog.session() as db:
        footage = queries.get_footage(db, status["footage_id"])
        assert footage.sha256 == hashlib.sha256(data).hexdigest()
    assert not service.data_file(url).exists()


def cut_with_socket(service: Service, url: str, offset: int, data: bytes, sent: int) -> None:
    """A PATCH announcing the rest of the file that breaks off after ``sent`` bytes of body."""
    host, port = urlsplit(str(service.client.base_url)).netloc.split(":")
    head = (f"PATCH {url} HTTP/1.1\r\nHost: {host}\r\nTus-Resumable: 1.0.0\r\n"
            f"Authorization: Bearer {service.token}\r\n"
            f"Content-Type: application/offset+octet-stream\r\nUpload-Offset: {offset}\r\n"
            f"Content-Length: {len(data) - offset}\r\n\r\n").encode()
    with socket.create_connection((host, int(port))) as sock:
        sock.sendall(head + data[offset:offset + sent])
        wait_until(lambda: service.data_file(url).stat().st_size == offset + sent, "the server to write what was sent")


# -- the whole flow ----------------------------------------------------------------------------------

def test_options_says_what_the_server_speaks(service):
    response = service.client.options("/api/uploads")
    assert response.status_code == 204
    assert response.headers["Tus-Version"] == "1.0.0"
    assert set(response.headers["Tus-Extension"].split(",")) == {"creation", "checksum", "termination"}
    assert response.headers["Tus-Max-Size"] == str(MAX_BYTES)
    assert response.headers["Tus-Checksum-Algorithm"] == "sha256"


def test_upload_in_chunks_becomes_footage(service):
    data = MONO_360.read_bytes()
    url = create(service.client, MONO_360, category="ouderenzorg", team="De Linde",
                 sha256=hashlib.sha256(data).hexdigest())
    assert head_offset(service.client, url) == 0
    upload_rest(service.client, url, data, 0)
    assert_became_footage(service, url, data)
    status = service.client.get(url).json()
    assert (status["category"], status["team"], status["offset"]) == ("ouderenzorg", "De Linde", len(data))
    assert status["message"]


@pytest.mark.parametrize("offset,sent", [
    (0, 0), (0, 1), (0, 100_000), (CHUNK, 200_000), (CHUNK, MONO_360.stat().st_size - CHUNK - 1),
], ids=["after-headers", "first-byte", "mid-body", "second-chunk", "one-byte-short"])
def test_cut_connection_resumes_from_what_arrived(service, offset, sent):
    data = MONO_360.read_bytes()
    url = create(service.client, MONO_360, sha256=hashlib.sha256(data).hexdigest())
    upload_rest(service.client, url, data[:offset], 0)
    cut_with_socket(service, url, offset, data, sent)
    assert wait_until(lambda: head_offset(service.client, url) == offset + sent, "the cut to be recorded")
    assert service.client.get(url).json()["status"] == "receiving"
    upload_rest(service.client, url, data, offset + sent)
    assert_became_footage(service, url, data)


def test_client_body_that_breaks_off_keeps_what_arrived(service):
    data = MONO_360.read_bytes()
    url = create(service.client, MONO_360)
    sent = 123_457

    def breaks_off():
        yield data[:sent]
        wait_until(lambda: service.data_file(url).stat().st_size == sent, "the server to write what was sent")
        raise ConnectionResetError("Wi-Fi weg")

    headers = {**TUS, "Upload-Offset": "0", "Content-Type": "application/offset+octet-stream",
               "Content-Length": str(len(data))}
    with pytest.raises(ConnectionResetError):
        service.client.patch(url, content=breaks_off(), headers=headers)
    assert wait_until(lambda: head_offset(service.client, url) == sent, "the cut to be recorded")
    upload_rest(service.client, url, data, sent)
    assert_became_footage(service, url, data)


def test_cut_chunk_with_checksum_is_discarded(service):
    data = MONO_360.read_bytes()
    url = create(service.client, MONO_360)
    host, port = urlsplit(str(service.client.base_url)).netloc.split(":")
    piece = data[:CHUNK]
    head = (f"PATCH {url} HTTP/1.1\r\nHost: {host}\r\nTus-Resumable: 1.0.0\r\n"
            f"Authorization: Bearer {service.token}\r\n"
            f"Content-Type: application/offset+octet-stream\r\nUpload-Offset: 0\r\n"
            f"Upload-Checksum: sha256 {base64.b64encode(hashlib.sha256(piece).digest()).decode()}\r\n"
            f"Content-Length: {CHUNK}\r\n\r\n").encode()
    with socket.create_connection((host, int(port))) as sock:
        sock.sendall(head + piece[:50_000])
        wait_until(lambda: service.data_file(url).stat().st_size == 50_000, "the server to write what was sent")
    # unverifiable, so not kept: the offset stays 0 and the written bytes are cut off again
    wait_until(lambda: service.data_file(url).stat().st_size == 0, "the unverified bytes to be dropped")
    assert head_offset(service.client, url) == 0


# -- refusals ----------------------------------------------------------------------------------------

def test_wrong_offset_is_409_with_the_current_offset(service):
    data = MONO_360.read_bytes()
    url = create(service.client, MONO_360)
    assert patch(service.client, url, 0, data[:1000]).status_code == 204
    response = patch(service.client, url, 500, data[500:2000])
    err = assert_error_shape(response, 409)
    assert response.headers["Upload-Offset"] == "1000" and err["detail"] == {"offset": 1000}
    assert response.headers["Tus-Resumable"] == "1.0.0"
    assert head_offset(service.client, url) == 1000


def test_bad_checksum_is_460_and_the_offset_stays(service):
    data = MONO_360.read_bytes()
    url = create(service.client, MONO_360)
    assert patch(service.client, url, 0, data[:CHUNK]).status_code == 204
    response = patch(service.client, url, CHUNK, data[CHUNK:2 * CHUNK], hashlib.sha256(b"iets anders").digest())
    err = assert_error_shape(response, 460)
    assert err["code"] == "checksum_mismatch" and "opnieuw" in err["message"]
    assert head_offset(service.client, url) == CHUNK
    assert service.data_file(url).stat().st_size == CHUNK
    upload_rest(service.client, url, data, CHUNK)
    assert_became_footage(service, url, data)


def test_over_the_size_limit_is_413_at_creation(service):
    response = service.client.post("/api/uploads", headers={
        **TUS, "Upload-Length": str(MAX_BYTES + 1), "Upload-Metadata": metadata(filename="groot.mp4")})
    err = assert_error_shape(response, 413)
    assert str(MAX_BYTES) in err["message"]


def test_more_bytes_than_announced_is_413_and_nothing_is_kept(service):
    data = MONO_360.read_bytes()
    url = create(service.client, MONO_360)
    assert_error_shape(patch(service.client, url, 0, data + b"extra"), 413)
    assert head_offset(service.client, url) == 0


def test_not_360_fails_with_dutch_reason_and_leaves_nothing(service):
    data = NOT_360.read_bytes()
    url = create(service.client, NOT_360)
    upload_rest(service.client, url, data, 0)
    status = finished(service, url)
    assert status["status"] == "failed"
    assert status["message"].startswith("geen 360°-opname") and "\n" not in status["message"]
    with service.catalog.session() as db:
        assert queries.footage_by_sha256(db, hashlib.sha256(data).hexdigest()) is None
    folder = service.data_file(url).parent
    assert sorted(p.name for p in folder.iterdir() if not p.name.startswith(".")) == ["state.json"]
    assert not list((service.settings.store_dir / ".incoming").glob("*"))
    assert service.client.head(url, headers=TUS).status_code == 410  # HEAD: status only, no body
    assert_error_shape(patch(service.client, url, len(data), b"x"), 410)


def test_a_cut_off_video_fails_and_leaves_nothing(service, tmp_path):
    """The index at the front, the end cut off: ffprobe reads it as whole (#14, 10)."""
    from zorgblik.tools import run_tool

    whole = tmp_path / "heel.mp4"
    run_tool(["ffmpeg", "-v", "error", "-i", MONO_360, "-c", "copy", "-movflags", "+faststart", whole])
    path = tmp_path / "afgekapt.mp4"
    path.write_bytes(data := whole.read_bytes()[:400_000])
    url = create(service.client, path)
    upload_rest(service.client, url, data, 0)
    status = finished(service, url)
    assert status["status"] == "failed" and "\n" not in status["message"]
    assert status["message"].startswith("video is afgebroken: er ontbreken")
    assert "kopieer het bestand opnieuw van de camera" in status["message"]
    with service.catalog.session() as db:
        assert queries.footage_by_sha256(db, hashlib.sha256(data).hexdigest()) is None
    assert not service.data_file(url).exists()
    assert not list((service.settings.store_dir / ".incoming").glob("*"))


def test_a_photo_of_too_many_pixels_fails_by_its_header_and_leaves_nothing(service, tmp_path, monkeypatch):
    def decoded(*args, **kwargs):
        raise AssertionError("the photo was decoded before it was refused")

    monkeypatch.setattr("capture.ingest.probe", decoded)  # ffprobe decodes a photo's first frame
    monkeypatch.setattr("cv2.imread", decoded)
    path = oversized_png(tmp_path / "reus.png", 20000, 10000)
    data = path.read_bytes()
    url = create(service.client, path)
    upload_rest(service.client, url, data, 0)
    status = finished(service, url)
    assert status["status"] == "failed" and "\n" not in status["message"]
    assert status["message"].startswith("foto van 20000×10000 pixels (200 megapixel) is groter dan de grens")
    with service.catalog.session() as db:
        assert queries.footage_by_sha256(db, hashlib.sha256(data).hexdigest()) is None
    assert not service.data_file(url).exists()
    assert not list((service.settings.store_dir / ".incoming").glob("*"))


def test_whole_file_sha256_mismatch_never_becomes_footage(service):
    data = MONO_360.read_bytes()
    url = create(service.client, MONO_360, filename="andere.mp4", sha256="0" * 64)
    upload_rest(service.client, url, data, 0)
    status = finished(service, url)
    assert status["status"] == "failed" and "sha256" in status["message"]
    assert not service.data_file(url).exists()


@pytest.mark.parametrize("filename", ["../geheim.mp4", "map/clip.mp4", "..\\clip.mp4", ".."])
def test_filename_with_a_path_is_400(service, filename):
    response = service.client.post("/api/uploads", headers={
        **TUS, "Upload-Length": "1000", "Upload-Metadata": metadata(filename=filename)})
    err = assert_error_shape(response, 400)
    assert "bestandsnaam" in err["message"]
    assert response.headers["Tus-Resumable"] == "1.0.0"


@pytest.mark.parametrize("headers,status", [
    ({"Upload-Length": "1000", "Upload-Metadata": metadata(filename="clip.exe")}, 400),
    ({"Upload-Length": "1000"}, 400),
    ({"Upload-Length": "duizend", "Upload-Metadata": metadata(filename="clip.mp4")}, 400),
    ({"Upload-Length": "1000", "Upload-Metadata": "filename %%%"}, 400),
    ({"Upload-Length": "1000", "Upload-Metadata": metadata(filename="clip.mp4", sha256="abc")}, 400),
], ids=["extension", "no-filename", "length-not-a-number", "metadata-not-base64", "short-sha256"])
def test_bad_creation_is_400(service, headers, status):
    assert_error_shape(service.client.post("/api/uploads", headers={**TUS, **headers}), status)


def test_protocol_errors(service):
    url = create(service.client, MONO_360)
    no_version = service.client.patch(url, content=b"x", headers={
        "Upload-Offset": "0", "Content-Type": "application/offset+octet-stream"})
    assert assert_error_shape(no_version, 412) and no_version.headers["Tus-Version"] == "1.0.0"
    wrong_type = service.client.patch(url, content=b"x", headers={**TUS, "Upload-Offset": "0"})
    assert_error_shape(wrong_type, 415)
    assert_error_shape(service.client.get("/api/uploads/" + "0" * 32), 404)
    assert_error_shape(service.client.get("/api/uploads/..%2F..%2Fzorgblik.db"), 404)


def test_terminated_upload_is_gone(service):
    url = create(service.client, MONO_360)
    assert patch(service.client, url, 0, MONO_360.read_bytes()[:1000]).status_code == 204
    response = service.client.delete(url, headers=TUS)
    assert response.status_code == 204 and response.headers["Tus-Resumable"] == "1.0.0"
    assert service.client.head(url, headers=TUS).status_code == 404
    assert not service.data_file(url).parent.exists()


# -- the store without HTTP ----------------------------------------------------------------------------

def test_second_writer_on_the_same_upload_is_refused(tmp_path):
    uploads = UploadStore(tmp_path, max_bytes=MAX_BYTES, lock_wait=0)
    upload = uploads.create(10, "clip.mp4")

    def meanwhile():
        yield b"abc"
        with pytest.raises(UploadBusy):
            uploads.append(upload.id, 0, [b"xyz"])
        yield b"def"

    assert uploads.append(upload.id, 0, meanwhile(), Checksum("sha256", hashlib.sha256(b"abcdef").digest())).offset == 6
    assert (tmp_path / upload.id / "data").read_bytes() == b"abcdef"


def test_expire_removes_stale_uploads_only(tmp_path):
    uploads = UploadStore(tmp_path, max_bytes=MAX_BYTES)
    stale = uploads.create(10, "oud.mp4")
    uploads.append(stale.id, 0, [b"12345"])
    fresh = uploads.create(10, "nieuw.mp4")
    now = datetime.fromisoformat(uploads.get(fresh.id).updated_at) + timedelta(hours=1)
    assert uploads.expire(timedelta(hours=2), now=now) == []
    assert uploads.expire(timedelta(minutes=30), now=now) == sorted([stale.id, fresh.id])
    assert list(tmp_path.iterdir()) == []


# -- after a crash (kill -9) -------------------------------------------------------------------------

def left_processing(uploads: UploadStore, path: Path, *, mid_finish: bool = False) -> str:
    """An upload as a killed service leaves it: every byte in, ``processing``, never finished."""
    upload = uploads.create(path.stat().st_size, path.name)
    assert uploads.append(upload.id, 0, [path.read_bytes()]).status == "processing"
    if mid_finish:  # killed inside finish(): the bytes were already moved aside for ingest
        folder = uploads.root / upload.id
        (folder / "complete").mkdir()
        (folder / "data").rename(folder / "complete" / path.name)
    return upload.id


@pytest.mark.parametrize("mid_finish", [False, True])
def test_recover_finishes_what_a_dead_process_left_processing(tmp_path, mid_finish):
    uploads = UploadStore(tmp_path / "uploads", max_bytes=MAX_BYTES)
    upload_id = left_processing(uploads, MONO_360, mid_finish=mid_finish)
    with Catalog(f"sqlite:///{tmp_path / 'z.db'}") as catalog:
        [recovered] = uploads.recover(catalog=catalog, footage=FootageStore(tmp_path / "store"))
        assert recovered.id == upload_id and recovered.status == "done", recovered
        with catalog.session() as db:
            assert queries.get_footage(db, recovered.footage_id).sha256 == hashlib.sha256(MONO_360.read_bytes()).hexdigest()
    assert uploads.recover(catalog=catalog, footage=FootageStore(tmp_path / "store")) == []


def test_recover_fails_an_upload_whose_bytes_are_gone_with_a_reason(tmp_path):
    uploads = UploadStore(tmp_path / "uploads", max_bytes=MAX_BYTES)
    upload_id = left_processing(uploads, MONO_360)
    (uploads.root / upload_id / "data").unlink()
    with Catalog(f"sqlite:///{tmp_path / 'z.db'}") as catalog:
        [recovered] = uploads.recover(catalog=catalog, footage=FootageStore(tmp_path / "store"))
    assert recovered.status == "failed" and "opnieuw" in recovered.message, recovered
    uploads.delete(upload_id)  # no longer stuck: DELETE is no 423


def test_starting_the_service_recovers_and_expires_uploads(tmp_path):
    settings = replace(Settings.from_env({}, data_dir=tmp_path, port=0), max_footage_bytes=MAX_BYTES,
                       upload_expire_hours=24)
    uploads = UploadStore(tmp_path / "uploads", max_bytes=MAX_BYTES)
    stuck = left_processing(uploads, MONO_360)
    abandoned = uploads.create(10, "half.mp4")
    abandoned = uploads.append(abandoned.id, 0, [b"12345"])
    state = uploads.root / abandoned.id / "state.json"
    long_ago = (datetime.fromisoformat(abandoned.updated_at) - timedelta(hours=25)).isoformat()
    state.write_text(state.read_text().replace(abandoned.updated_at, long_ago))
    with comms_service(settings) as service:
        assert_became_footage(service, f"/api/uploads/{stuck}", MONO_360.read_bytes())
        wait_until(lambda: not (uploads.root / abandoned.id).exists(), "the abandoned upload to expire")
        assert service.client.head(f"/api/uploads/{abandoned.id}", headers=TUS).status_code == 404
