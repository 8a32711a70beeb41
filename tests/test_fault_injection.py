"""Fault injection (#14, item 19): a build, an upload and the service are killed with kill -9 at
random moments, round after round; afterwards nothing half-made may be visible, nothing
acknowledged may be lost, and the next run must complete.

Every choice comes from one seed, said at the start and in every failure: replay a run with
ZORGBLIK_FAULT_SEED=<seed> (one round: -k "build and round-2"). ZORGBLIK_FAULT_ROUNDS sets the
rounds per kind (3). The moments are drawn, the machine's speed is not: a replay lands near, not
on, the same instant.
"""

from __future__ import annotations

import hashlib
import json
import os
import random
import re
import signal
import subprocess
import sys
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from contextlib import suppress
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import pytest
from sqlalchemy import select

from catalog import Catalog, Footage, SceneVersion, accounts, queries
from headset_service.server import free_port, service_in_thread
from render.events import BUILDING_PREFIX
from scripts_vr.templates import minimal_script
from support import (MONO_VIDEO, ROOM_PHOTO, ROOT, STAFF_PASSWORD, ZORGBLIK, living_in_group, service_process,
                     tus_create, tus_offset, tus_patch, tus_upload_rest, wait_for)
from zorgblik.bundle import MANIFEST, read_manifest
from zorgblik.errors import ZorgblikError
from zorgblik.settings import Settings

SEED = int(os.environ.get("ZORGBLIK_FAULT_SEED") or random.SystemRandom().randrange(1 << 32))
ROUNDS = int(os.environ.get("ZORGBLIK_FAULT_ROUNDS") or 3)

pytestmark = [pytest.mark.slow,
              pytest.mark.skipif(not sys.platform.startswith("linux"), reason="process groups and /proc: Linux")]
rounds = pytest.mark.parametrize("number", range(ROUNDS), ids=lambda n: f"round-{n}")

# A video and a photo: two scenes, so that --jobs 2 builds them in worker processes, as on any
# machine with more than two cores; one second of video keeps a round short.
SCRIPT = minimal_script("""\
  - id: ochtend
    title: {{nl: Ochtend}}
    footage: {video}
    in: 1
    out: 2
    contexts: [intake]
    audience: {{routes: [BOL], levels: [3]}}
  - id: gang
    title: {{nl: De gang}}
    footage: {photo}
    contexts: [intake]
    audience: {{routes: [BOL], levels: [3]}}
""")
SCENES = 2


@dataclass
class Round:
    """One round of one kind: its own random choices, and the words to replay it."""

    kind: str
    number: int
    rng: random.Random = field(init=False)

    def __post_init__(self) -> None:
        self.rng = random.Random(f"{SEED}/{self.kind}/{self.number}")

    def why(self, what: str) -> str:
        return f"{what} [ZORGBLIK_FAULT_SEED={SEED}, {self.kind} round {self.number}]"

    def say(self, what: str) -> None:
        print(f"{self.kind} round {self.number}: {what}")


@pytest.fixture(scope="module", autouse=True)
def said_seed(pytestconfig):
    """The seed on the terminal before the first round, not only in a failure's captured output."""
    line = f"fault injection: ZORGBLIK_FAULT_SEED={SEED}, {ROUNDS} rounds per kind"
    reporter = pytestconfig.pluginmanager.get_plugin("terminalreporter")
    capture = pytestconfig.pluginmanager.get_plugin("capturemanager")
    if reporter is None or capture is None:
        print(line)
        return
    with capture.global_and_fixture_disabled():
        reporter.write_line(line)


def sha256_of(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def bundle_problems(folder: Path) -> list[str]:
    """What keeps ``folder`` from being a whole bundle, checked as a headset checks it: every file
    of the manifest there, of its size and sha256."""
    try:
        manifest = read_manifest(folder / MANIFEST)
    except (OSError, ZorgblikError) as exc:
        return [f"{folder.name}: no readable manifest ({exc})"]
    return [f"{folder.name}/{f.name} is not the file its manifest lists" for f in manifest.files
            if not (folder / f.name).is_file() or (folder / f.name).stat().st_size != f.bytes
            or sha256_of(folder / f.name) != f.sha256]


def half_made(settings: Settings, catalog: Catalog) -> list[str]:
    """Whatever the catalog or the bundles folder shows that is not whole: a bundle whose files do
    not verify (hidden ``.building-*`` folders are no bundles), footage whose stored file is not
    the bytes its row names."""
    with catalog.session() as db:
        keys = [v.bundle_key for v in db.scalars(select(SceneVersion))]
        footage = [(f.id, f.sha256, f.store_path) for f in db.scalars(select(Footage))]
    shown = {settings.bundles_dir / key for key in keys}
    if settings.bundles_dir.is_dir():
        shown |= {p for p in settings.bundles_dir.iterdir() if not p.name.startswith(".")}
    problems = [p for folder in sorted(shown) for p in bundle_problems(folder)]
    for footage_id, sha, relpath in footage:
        stored = settings.store_dir / relpath
        if not stored.is_file() or sha256_of(stored) != sha:
            problems.append(f"footage {footage_id}: {relpath} is not the file its row names")
    return problems


def described(pids: list[int]) -> list[str]:
    names = []
    for pid in pids:
        with suppress(OSError):
            argv = Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
            names.append(f"{pid} {argv[:120]}")
    return names


def all_ended(r: Round, group: int, what: str) -> None:
    """Every process of ``group`` has ended (the test fails naming those that did not, then ends them)."""
    try:
        wait_for(lambda: not living_in_group(group), r.why(what), seconds=20)
    except AssertionError:
        left = described(living_in_group(group))
        with suppress(ProcessLookupError):
            os.killpg(group, signal.SIGKILL)
        raise AssertionError(r.why(f"{what}; still running: {left}")) from None


# -- a build ---------------------------------------------------------------------------------------

def build_args(settings: Settings, script: Path) -> tuple[list[str], dict[str, str]]:
    """The build's command and environment; its render cache is its data folder's own, empty at
    first (never the session's shared one): the kill must land in real work, the next build redo it."""
    env = {k: v for k, v in os.environ.items() if k != "ZORGBLIK_RENDER_CACHE_DIR"}
    return ([*ZORGBLIK, "--data", str(settings.data_dir), "build", "--jobs", "2", "--profile", "quest2", str(script)],
            {**env, "PYTHONPATH": str(ROOT), "ZORGBLIK_ENCODER_PRESET": "ultrafast"})


def progress_files(settings: Settings) -> list[dict]:
    found = []
    for path in settings.builds_dir.glob("*.json") if settings.builds_dir.is_dir() else []:
        if not path.name.startswith("."):  # '.…json': a progress file being written
            with suppress(OSError, ValueError):
                found.append(json.loads(path.read_text(encoding="utf-8")))
    return found


def build_fraction(settings: Settings) -> float:
    """How far the (one) build is, by its progress file: its scenes' mean fraction; -1 before the file."""
    states = progress_files(settings)
    return sum(s["fraction"] for s in states[0]["scenes"].values()) / SCENES if states else -1.0


@rounds
def test_a_killed_build_leaves_nothing_half_made_and_the_next_one_completes(number, tmp_path):
    r = Round("build", number)
    settings = Settings.from_env({}, data_dir=tmp_path / "data")
    script = tmp_path / "fout.yaml"
    script.write_text(SCRIPT.format(video=os.path.relpath(MONO_VIDEO, tmp_path),
                                    photo=os.path.relpath(ROOM_PHOTO, tmp_path)),
                      encoding="utf-8")
    # even rounds kill the zorgblik process alone: its workers and their ffmpeg must end by themselves
    whole_group = number % 2 == 1
    moment, later = r.rng.uniform(0, 1), r.rng.uniform(0, 0.5)
    r.say(f"kill {'the process group' if whole_group else 'the build process'} at {moment:.0%} of the build, "
          f"+{later:.2f} s")
    argv, env = build_args(settings, script)
    build = subprocess.Popen(argv, cwd=tmp_path, env=env, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                             stderr=subprocess.DEVNULL, start_new_session=True)
    try:
        wait_for(lambda: build.poll() is not None or build_fraction(settings) >= moment,
                 r.why(f"the build to reach {moment:.0%}"), seconds=180)
        time.sleep(later)  # the drawn moment itself, not a wait for something
        if build.poll() is None and whole_group:
            os.killpg(build.pid, signal.SIGKILL)
        elif build.poll() is None:
            build.kill()
        else:
            r.say(f"the build ended ({build.returncode}) before the kill")
        build.wait(timeout=10)
        all_ended(r, build.pid, "the killed build's workers and ffmpeg to end")
    finally:
        with suppress(ProcessLookupError):
            os.killpg(build.pid, signal.SIGKILL)
        build.wait(timeout=10)

    with Catalog(settings.catalog_url) as catalog:
        assert half_made(settings, catalog) == [], r.why("half-made work visible after the kill")
        with service_in_thread(settings, catalog):  # the next start clears what the kill left
            pass
        left = [p.name for p in settings.bundles_dir.glob(BUILDING_PREFIX + "*")]
        assert left == [], r.why("half bundles kept after the next start")
        assert [s["id"] for s in progress_files(settings) if s["state"] == "running"] == [], \
            r.why("a killed build still says it is running after the next start")

        rebuild = subprocess.Popen(argv, cwd=tmp_path, env=env, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                                   stderr=subprocess.PIPE, text=True, start_new_session=True)
        try:
            _, errors = rebuild.communicate(timeout=300)
        except subprocess.TimeoutExpired:
            os.killpg(rebuild.pid, signal.SIGKILL)
            rebuild.communicate()
            raise AssertionError(r.why("the build after the kill did not end within 300 s")) from None
        assert rebuild.returncode == 0, r.why(f"the build after the kill failed: {errors[-2000:]}")
        all_ended(r, rebuild.pid, "the completed build's workers to end")
        last = json.loads(Path(re.search(r"\(voortgang: (.+)\)", errors)[1]).read_text(encoding="utf-8"))
        assert last["state"] == "done", r.why(f"the build after the kill says {last}")
        assert sorted(last["scenes"]) == ["fout/gang", "fout/ochtend"], r.why(f"scenes built: {last['scenes']}")
        with catalog.session() as db:
            for scene in last["scenes"].values():
                assert queries.scene_version_by_bundle_key(db, scene["bundle_key"]) is not None, \
                    r.why(f"bundle {scene['bundle_key']} not in the catalog")
        assert half_made(settings, catalog) == [], r.why("the build after the kill made a bundle that does not verify")
        assert not list(settings.bundles_dir.glob(BUILDING_PREFIX + "*")), r.why("the completed build left a half bundle")


# -- an upload -------------------------------------------------------------------------------------

def staff_token(settings: Settings, role: str) -> str:
    """A sign-in of a new ``role`` member of staff, made in the catalog before the service starts."""
    with Catalog(settings.catalog_url) as catalog, catalog.session() as db:
        user = accounts.create_user(db, username=f"{role}-fout", role=role, password=STAFF_PASSWORD)
        return accounts.open_login(db, user)


def signed_in(base_url: str, token: str) -> httpx.Client:
    return httpx.Client(base_url=base_url, timeout=10, headers={"Authorization": f"Bearer {token}"})


def no_traceback(r: Round, log: Path) -> None:
    text = log.read_text(errors="replace")
    assert "Traceback" not in text, r.why(f"the service failed on something the kill left: {text[-3000:]}")


@rounds
def test_a_killed_upload_loses_no_acknowledged_byte_and_completes_once(number, tmp_path):
    r = Round("upload", number)
    settings = Settings.from_env({}, data_dir=tmp_path / "data")
    token, port, log = staff_token(settings, "comms"), free_port("127.0.0.1", 0), tmp_path / "service.log"
    source = MONO_VIDEO.read_bytes()
    sha = hashlib.sha256(source).hexdigest()
    chunk = r.rng.choice([40_000, 100_000, 150_000])
    pieces = -(-len(source) // chunk)
    checksums = r.rng.random() < 0.5
    when = r.rng.choice(["during a PATCH", "between PATCHes", "while it is taken in"])
    at = r.rng.randrange(pieces) if when == "during a PATCH" else r.rng.randrange(1, pieces)
    sent, written, later = r.rng.random(), r.rng.random() < 0.5, r.rng.uniform(0, 1.0)
    r.say(f"{pieces} PATCHes of {chunk} bytes{' with checksums' if checksums else ''}; kill {when} "
          + {"during a PATCH": f"{at} after {sent:.0%} of it{', once written' if written else ''}",
             "between PATCHes": f"before {at}", "while it is taken in": f"{later:.2f} s after the last"}[when])

    acked = 0  # what the service said it has (204 with Upload-Offset)
    with service_process(settings.data_dir, port, log) as service, signed_in(service.base_url, token) as client:
        url = tus_create(client, MONO_VIDEO, sha256=sha)
        data_file = settings.data_dir / "uploads" / url.rsplit("/", 1)[1] / "data"
        for index in range(pieces):
            piece = source[acked:acked + chunk]
            digest = hashlib.sha256(piece).digest() if checksums else None
            if when == "between PATCHes" and index == at:
                service.kill()
                break
            if when == "during a PATCH" and index == at:
                cut, offset = int(len(piece) * sent), acked

                def killed_midway():
                    yield piece[:cut]
                    if written and cut:
                        wait_for(lambda: data_file.stat().st_size >= offset + cut, r.why("the bytes sent to be written"))
                    service.kill()
                    yield piece[cut:]

                with pytest.raises(httpx.TransportError):
                    tus_patch(client, url, acked, killed_midway(), digest, length=len(piece))
                break
            response = tus_patch(client, url, acked, piece, digest)
            assert response.status_code == 204, r.why(response.text)
            acked = int(response.headers["Upload-Offset"])
        else:
            time.sleep(later)  # the drawn moment: the service takes the file in after its last answer
            service.kill()

    with Catalog(settings.catalog_url) as catalog:
        assert half_made(settings, catalog) == [], r.why("half-made footage visible after the kill")
        with service_process(settings.data_dir, port, log) as service, signed_in(service.base_url, token) as client:
            status = wait_for(lambda: (s := client.get(url).json())["status"] != "processing" and s,
                              r.why("the upload to leave 'processing' after the restart"))
            assert status["status"] in {"receiving", "done"}, r.why(f"after the restart: {status}")
            r.say(f"{acked} bytes acknowledged; after the restart: {status['status']} at {status['offset']}")
            if status["status"] == "receiving":
                offset = tus_offset(client, url)
                assert acked <= offset <= len(source), r.why(f"resumes at {offset}, {acked} bytes were acknowledged")
                tus_upload_rest(client, url, source, offset, chunk)
            status = wait_for(lambda: (s := client.get(url).json())["status"] != "processing" and s,
                              r.why("the resumed upload to be taken in"))
            assert status["status"] == "done", r.why(f"the resumed upload: {status}")
        no_traceback(r, log)
        with catalog.session() as db:
            footage = list(db.scalars(select(Footage)))
        assert [(f.id, f.sha256) for f in footage] == [(status["footage_id"], sha)], \
            r.why(f"footage after the upload: {[(f.id, f.sha256) for f in footage]}")
        stored = settings.store_dir / footage[0].store_path
        assert sha256_of(stored) == sha, r.why("the stored footage is not the file sent")
        assert half_made(settings, catalog) == [], r.why("half-made footage visible after the upload completed")
        assert not data_file.exists(), r.why("the upload's bytes stayed behind after it became footage")


# -- headsets posting events -------------------------------------------------------------------------

HEADSETS = 3
KINDS = ("scene_start", "hotspot_open", "panel_show", "panel_end", "scene_end")


def events(rng: random.Random, count: int) -> list[dict]:
    """``count`` events with ids from ``rng`` (a retry sends the same ones)."""
    return [{"event_id": str(uuid.UUID(int=rng.getrandbits(128), version=4)), "kind": rng.choice(KINDS),
             "at": f"2026-11-24T09:{rng.randrange(60):02d}:{rng.randrange(60):02d}Z", "data": {"n": rng.randrange(1000)}}
            for _ in range(count)]


def post_until_gone(client: httpx.Client, session_id: int, rng: random.Random) -> tuple[list[str], list[dict]]:
    """Batches of events until the service is gone: the ids it acknowledged, and the batch it did not."""
    acked: list[str] = []
    while True:
        batch = events(rng, rng.randint(1, 20))
        try:
            response = client.post(f"/api/sessions/{session_id}/events", json={"events": batch})
        except httpx.TransportError:
            return acked, batch
        assert response.status_code == 200, response.text
        acked += [e["event_id"] for e in batch]


@rounds
def test_a_killed_service_keeps_every_acknowledged_event_once(number, tmp_path):
    r = Round("events", number)
    settings = Settings.from_env({}, data_dir=tmp_path / "data")
    admin, intake = staff_token(settings, "admin"), staff_token(settings, "intake")
    port, log = free_port("127.0.0.1", 0), tmp_path / "service.log"
    later = r.rng.uniform(0.1, 1.5)
    r.say(f"{HEADSETS} headsets post events; kill the service after {later:.2f} s")
    headsets = []  # (token, session id, the headset's own random events)
    with service_process(settings.data_dir, port, log) as service:
        with signed_in(service.base_url, admin) as staff, signed_in(service.base_url, intake) as runner:
            for n in range(HEADSETS):
                code = staff.post("/api/headsets/pairing-codes", json={"name": f"Quest {n}", "profile": "quest2"})
                paired = httpx.post(f"{service.base_url}/api/headsets/pair", json={"code": code.json()["code"]})
                session = runner.post("/api/sessions", json={"context": "intake",
                                                              "headset_id": paired.json()["headset_id"]})
                assert session.status_code == 201, r.why(session.text)
                headsets.append((paired.json()["token"], session.json()["id"], random.Random(r.rng.random())))
        clients = [signed_in(service.base_url, token) for token, _, _ in headsets]
        try:
            with ThreadPoolExecutor(HEADSETS) as pool:
                posting = [pool.submit(post_until_gone, c, s, rng) for c, (_, s, rng) in zip(clients, headsets)]
                time.sleep(later)  # the drawn moment, while every headset posts
                service.kill()
                outcomes = [f.result() for f in posting]
        finally:
            for c in clients:
                c.close()

    with service_process(settings.data_dir, port, log) as service, signed_in(service.base_url, intake) as runner:
        for (token, session_id, _), (acked, unanswered) in zip(headsets, outcomes):
            def stored() -> list[str]:
                response = runner.get(f"/api/sessions/{session_id}/events")
                assert response.status_code == 200, r.why(response.text)
                return [e["event_id"] for e in response.json()]

            before = stored()
            r.say(f"session {session_id}: {len(acked)} events acknowledged, {len(before)} stored, "
                  f"{len(unanswered)} unanswered")
            assert len(before) == len(set(before)), r.why(f"session {session_id}: an event stored twice")
            lost = set(acked) - set(before)
            assert not lost, r.why(f"session {session_id}: {len(lost)} of {len(acked)} acknowledged events lost")
            sent = {*acked, *(e["event_id"] for e in unanswered)}
            assert set(before) <= sent, r.why(f"session {session_id}: events nobody sent")
            with signed_in(service.base_url, token) as headset:  # the headset sends its unanswered batch again
                retry = headset.post(f"/api/sessions/{session_id}/events", json={"events": unanswered})
            assert retry.status_code == 200, r.why(retry.text)
            assert retry.json()["stored"] == len(sent) - len(before), r.why(f"the retry stored {retry.json()}")
            after = stored()
            assert sorted(after) == sorted(sent), r.why(f"session {session_id}: not every event once after the retry")
    no_traceback(r, log)
