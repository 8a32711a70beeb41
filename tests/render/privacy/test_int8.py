"""CenterFace quantised to int8 (#15): made from the shipped model, the same every time, cached
under a name that says what it was made of, and it finds the planted faces the fp32 model finds."""

from __future__ import annotations

import hashlib

from render.privacy import sphere_detector
from render.privacy.detect import DEFAULT_MODEL, CenterFace, SphereDetector, centerface_bytes
from render.privacy.int8 import Int8, int8_bytes, quantise
from render.privacy.tiles import contains, overlap
from render.privacy.tracks import detection

#: Five faces, 6–14° tall, one leaning, one across the seam, one near a pole.
FACES = [("astronaut", 0, 0, 10, 0), ("grace_hopper", 179, 5, 8, 0), ("astronaut", 90, 65, 12, 0),
         ("grace_hopper", -90, -20, 6, 30), ("astronaut", -150, 20, 8, 0)]


def test_made_from_the_shipped_model_the_same_every_time(tmp_path):
    fp32 = centerface_bytes()
    made = quantise(fp32, Int8())
    assert made == quantise(fp32, Int8()) and len(made) < len(fp32) / 2
    cached = int8_bytes(fp32, Int8(), cache_dir=tmp_path)
    assert cached == made
    (path,) = tmp_path.iterdir()  # one file, named by the fp32 model's sha256 and the settings
    assert path.name == f"centerface-int8-{Int8().key(hashlib.sha256(fp32).hexdigest())}.onnx"
    assert Int8().key("a" * 64) != Int8().key("b" * 64) != Int8(activations="int8").key("b" * 64)
    path.write_bytes(b"read from the cache")
    assert int8_bytes(fp32, Int8(), cache_dir=tmp_path) == b"read from the cache"


def test_int8_finds_the_faces_fp32_finds(pano, planter):
    frame, truths = pano, []
    for name, yaw, pitch, size, lean in FACES:
        frame, truth = planter(frame, name, yaw, pitch, size, lean)
        truths.append(truth)
    fp32, int8 = sphere_detector("centerface")(frame), sphere_detector("centerface-int8")(frame)

    def found(boxes):
        return [any(overlap(t, b) > 0.3 or contains(b, t.yaw, t.pitch) for b in boxes) for t in truths]

    assert all(found(fp32)), found(fp32)
    assert found(int8) == found(fp32)
    assert len(int8) <= len(truths) + 1


def test_the_tracks_key_names_the_model():
    assert detection()["model"] == DEFAULT_MODEL == sphere_detector().model.name
    fp32 = detection(detector=SphereDetector(CenterFace()))
    int8 = detection(detector=sphere_detector("centerface-int8"))
    assert fp32["model"] == "centerface" and "int8" not in fp32
    assert int8["model"] == "centerface-int8" and int8["int8"] == Int8().fingerprint()
    assert fp32 != int8
