"""A Dask build through a render store (``build --executor dask --store URL``, #16): the workers read
footage from the store and put what they make there; the caller takes it into its render cache.

With real parts: an S3-compatible server on a local port (moto's server), s3fs as the fsspec
implementation and a LocalCluster of two worker processes that may not touch the caller's folders
(an audit hook in each worker raises on any file the caller owns, ffmpeg's arguments included).
The bundles equal an in-process build in frames, duration, keyframes, codec, size and 360°
metadata; a store that cannot be reached is one Dutch line; a result that does not arrive whole
names its scene and leaves nothing in the cache."""

from __future__ import annotations

import hashlib
import os
import socket
import sys
from pathlib import Path

import cloudpickle
import pytest
from distributed.diagnostics.plugin import WorkerPlugin

from cli import main
from render.errors import RenderError, StoreIncomplete, StoreUnreachable
from render.executors import DaskExecutor, InlineExecutor, get_executor
from render.store import RenderStore, footage_key
from support import FOOTAGE, MONO_VIDEO, ROOM_PHOTO, build_two_scenes, media_facts, own_render_cache, two_scene_script
from zorgblik.settings import Settings

cloudpickle.register_pickle_by_value(sys.modules[__name__])  # the worker plugin below travels to the workers

#: What a worker touching a path would do (the events of sys.addaudithook that name files).
FILE_EVENTS = {"open", "os.listdir", "os.scandir", "os.mkdir", "os.rename", "os.remove", "os.rmdir", "os.link",
               "os.symlink", "os.chmod", "os.utime", "os.truncate", "shutil.copyfile", "shutil.copytree",
               "shutil.rmtree", "subprocess.Popen", "os.chdir"}


BUCKET = "zorgblik-test"


def _names(args) -> list[str]:
    out = []
    for arg in args:
        if isinstance(arg, (list, tuple)):
            out += _names(arg)
        elif isinstance(arg, (str, bytes, os.PathLike)):
            try:
                out.append(os.fsdecode(arg))
            except TypeError:
                pass
    return out


class CallerDiskForbidden(WorkerPlugin):
    """A Dask worker plugin: from setup on, any file event in the worker naming a path under
    ``roots`` is noted on the worker (``zorgblik_touched``) and raises PermissionError."""

    name = "zorgblik-caller-disk-forbidden"

    def __init__(self, roots):
        self.roots = tuple(str(Path(r).resolve()) for r in roots)

    def setup(self, worker):
        roots, touched = self.roots, []
        worker.zorgblik_touched = touched

        def hook(event, args):
            if event in FILE_EVENTS:
                for name in _names(args):
                    if any(root in name for root in roots):
                        touched.append(f"{event} {name}")
                        raise PermissionError(f"worker raakte de schijf van de bouwer: {event} {name}")

        sys.addaudithook(hook)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def s3(monkeypatch):
    """An S3-compatible server on a local port, reached through the AWS_* variables (the workers
    started after this inherit them)."""
    from moto.server import ThreadedMotoServer

    server = ThreadedMotoServer(ip_address="127.0.0.1", port=_free_port(), verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    for name, value in {"AWS_ENDPOINT_URL": f"http://{host}:{port}", "AWS_ACCESS_KEY_ID": "zorgblik",
                        "AWS_SECRET_ACCESS_KEY": "zorgblik", "AWS_DEFAULT_REGION": "us-east-1"}.items():
        monkeypatch.setenv(name, value)
    import fsspec

    fsspec.filesystem("s3", skip_instance_cache=True).mkdir(BUCKET)  # whoever runs the store makes its bucket
    yield f"http://{host}:{port}"
    server.stop()


def test_the_store_is_a_setting_and_a_flag_of_dask_only():
    assert Settings.from_env({}).render_store == ""
    assert Settings.from_env({"ZORGBLIK_RENDER_STORE": "s3://regio/render"}).render_store == "s3://regio/render"
    dask = get_executor("dask", store="s3://regio/render", chunk_s=2.0)
    assert dask.store == dask.chunks.store == "s3://regio/render"
    assert get_executor("dask").store is None  # no store: the workers reach the caller's folders, as before
    with pytest.raises(RenderError, match="--store hoort bij --executor dask"):
        get_executor("local", jobs=2, store="s3://regio/render")


def test_a_store_that_cannot_be_reached_is_one_dutch_line_and_a_failed_build(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("AWS_ENDPOINT_URL", f"http://127.0.0.1:{_free_port()}")  # nobody listens there
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "zorgblik")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "zorgblik")
    monkeypatch.setenv("ZORGBLIK_RENDER_STORE", "s3://onbereikbaar/render")
    monkeypatch.setenv("ZORGBLIK_RENDER_CACHE_DIR", str(tmp_path / "cache"))
    script = two_scene_script(tmp_path)
    code = main(["--data", str(tmp_path / "data"), "build", str(script), "--executor", "dask", "--profile", "quest2"])
    err = [line for line in capsys.readouterr().err.splitlines() if line.startswith("zorgblik: fout:")]
    assert code != 0
    assert len(err) == 1 and "opslag s3://onbereikbaar/render is niet bereikbaar" in err[0], err
    assert not (tmp_path / "data" / "bundles").exists() or not any((tmp_path / "data" / "bundles").iterdir())
    with pytest.raises(StoreUnreachable, match="opslag nergens://x is niet te openen"):
        RenderStore("nergens://x").check()


def test_footage_goes_in_once_and_a_result_that_is_not_whole_leaves_nothing(tmp_path):
    """The shared-folder case (a plain folder), without a cluster: the store's own rules."""
    store = RenderStore(str(tmp_path / "store"))
    store.check()
    from render.plan import Rendition, ScenePlan
    from render.profiles import get_profile

    sha = hashlib.sha256(MONO_VIDEO.read_bytes()).hexdigest()
    plan = ScenePlan("s", "plein", 0, {"nl": "a"}, str(MONO_VIDEO), sha, "video", "mono", False, 30.0, 0.0, 1.0,
                     (0.0, 0.0, 0.0), (0.0, 0.0), (Rendition(get_profile("quest2"), 1920, 960),), "ultrafast")
    task = store.scene_task(plan, tmp_path / "empty-cache")
    stored = tmp_path / "store" / footage_key(plan)
    assert task.plan.source_path == footage_key(plan) == f"footage/{sha}.mp4"  # no path of this disk
    made = stored.stat().st_mtime_ns
    store.scene_task(plan, tmp_path / "empty-cache")
    assert stored.stat().st_mtime_ns == made  # there already: not put again

    worker = tmp_path / "worker-cache"
    for rel, data in (("encode/abc.mp4", b"beeld"), ("privacy/abc.json", b"{}"), ("sha256/x.json", b"feit")):
        (worker / rel).parent.mkdir(parents=True, exist_ok=True)
        (worker / rel).write_bytes(data)
    results = store.put_results(worker)
    assert sorted(results) == ["encode/abc.mp4", "privacy/abc.json"]  # facts about a worker's paths stay there

    cache = tmp_path / "cache"
    (tmp_path / "store" / "cache" / "encode" / "abc.mp4").write_bytes(b"half")
    with pytest.raises(StoreIncomplete) as failed:
        store.take(results, cache, "script.yaml: scène plein")
    assert "\n" not in str(failed.value) and str(failed.value).startswith("script.yaml: scène plein: ")
    assert "cache/encode/abc.mp4 kwam niet heel uit opslag" in str(failed.value)
    assert [p for p in cache.rglob("*") if p.is_file()] == [], "nothing half (and not the summary) in the cache"
    assert [p for p in cache.iterdir() if p.name.startswith(".")] == [], "no temp folder left"

    store.put_results(worker)
    store.take(results, cache, "script.yaml: scène plein")
    assert (cache / "encode" / "abc.mp4").read_bytes() == b"beeld" and (cache / "privacy" / "abc.json").exists()
    with pytest.raises(StoreIncomplete, match="cache/tracks/weg.json ontbreekt in opslag"):
        store.take({"tracks/weg.json": "0" * 64}, cache, "script.yaml: scène plein")


class InlineThroughStore(InlineExecutor):
    """The store's flow in this process, without a cluster: what a build does with a Dask
    executor's store, the scene task run here."""

    def __init__(self, store: str):
        self.store = store


@pytest.mark.slow
def test_a_photo_through_the_store_and_a_new_profile_that_searches_no_faces_again(tmp_path):
    from catalog import Catalog
    from render import build_script
    from scripts_vr.templates import minimal_script

    settings = own_render_cache(Settings.from_env({}, data_dir=tmp_path / "data", encoder_preset="ultrafast"))
    script = tmp_path / "foto.yaml"
    script.write_text(minimal_script(f"""\
  - id: kamer
    title: {{nl: De kamer}}
    footage: {os.path.relpath(ROOM_PHOTO, tmp_path)}
    contexts: [intake]
    audience: {{routes: [BOL], levels: [3]}}
"""), encoding="utf-8")
    store = InlineThroughStore(f"file://{tmp_path / 'store'}")
    with Catalog(settings.catalog_url) as catalog:
        [first] = build_script(script, settings=settings, catalog=catalog, profiles=["quest2"], executor=store)
        [second] = build_script(script, settings=settings, catalog=catalog, profiles=["quest2", "web"], executor=store)
    assert (first.encoded, first.privacy_pass_ran) == (1, True)  # what the scene task did, not the bundle step here
    assert (second.encoded, second.privacy_pass_ran) == (1, False)  # the cache's blurred picture went with the task
    assert sorted(p.name for p in second.bundle_dir.glob("scene.*")) == ["scene.quest2.jpg", "scene.web.jpg"]
    assert not [p for p in settings.cache_dir.rglob("*") if p.name.startswith(".")], "no temp file left in the cache"


@pytest.mark.slow
def test_a_build_through_an_s3_store_equals_the_in_process_build_and_no_worker_touches_the_callers_disk(
        tmp_path, s3, monkeypatch):
    from distributed import Client, LocalCluster

    caller = tmp_path / "caller"
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    monkeypatch.chdir(elsewhere)  # the workers start here, not in the caller's folder
    with LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None,
                      scheduler_kwargs={"dashboard_address": ":0"}) as cluster, \
            Client(cluster) as client:
        client.register_plugin(CallerDiskForbidden([caller, FOOTAGE]))
        with pytest.raises(PermissionError, match="worker raakte de schijf van de bouwer"):  # the hook is live
            client.submit(Path.read_bytes, MONO_VIDEO, pure=False).result()
        client.run(lambda dask_worker: dask_worker.zorgblik_touched.clear())
        executor = DaskExecutor(scheduler=cluster.scheduler_address, chunk_s=1.0, store=f"s3://{BUCKET}/render")
        through_store, progress = build_two_scenes(caller, executor, seconds=2.0)
        touched = client.run(lambda dask_worker: dask_worker.zorgblik_touched)
    assert list(touched.values()) == [[], []], "no worker touched the caller's data folder, cache or footage"
    in_process, _ = build_two_scenes(tmp_path / "inline", InlineExecutor(), seconds=2.0)
    assert sorted(through_store) == sorted(in_process) == ["middag", "ochtend"]
    assert progress == {"ochtend": 1.0, "middag": 1.0}
    for scene in through_store:
        ours, theirs = (media_facts(b[scene] / "scene.quest2.mp4") for b in (through_store, in_process))
        assert ours == theirs
        assert ours[3:5] == (60, (0.0, 1.0))  # two chunks of a second, joined
    import fsspec

    listing = {p.split("/render/", 1)[1].split("/")[0] for p in fsspec.filesystem("s3").find(f"{BUCKET}/render")}
    assert listing == {"footage", "cache"}  # the chunks are gone once joined
    assert len(fsspec.filesystem("s3").ls(f"{BUCKET}/render/footage")) == 1  # two scenes, one footage put in
