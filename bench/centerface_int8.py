"""CenterFace quantised to int8: the calibration ranges, the variants, their cost and scores (#15).

Calibration tiles are the views the detector itself cuts (level views at full resolution, turned
views coarse, closer looks) from the demo footage (the equirect photos, the hikers' panorama,
frames of the videos) and from the planted-face frames of ``privacy_tilt.py`` (faces ×1 and ×0.5,
level and turned as the camera roll 90° turns them).

    PYTHONPATH=. .venv/bin/python bench/centerface_int8.py --write-ranges   # remake render/privacy/centerface_ranges.json
    PYTHONPATH=. .venv/bin/python bench/centerface_int8.py                  # variants: CPU per Mpx, score shifts

For each variant (QDQ / QOperator, uint8 / int8 activations, heads quantised or not) prints CPU
seconds per Mpx through the model (the same tiles, batches as the detector makes them, fp32 in
the same run, alternating), and how far the heatmap moves against fp32: at the cells fp32 scores
≥ 0.1 (candidates) and ≥ 0.35 (faces), and the cells that cross either threshold.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

import cv2
import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
from privacy_tilt import LAYOUTS, plant  # noqa: E402

from render.privacy.detect import CenterFace, SphereDetector, _session, centerface_bytes  # noqa: E402
from render.privacy.int8 import HEADS, RANGES_FILE, Int8, named  # noqa: E402
from render.privacy.tiles import rotate_equirect  # noqa: E402
from zorgblik.media.frames import read_frames  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
FOOTAGE = ROOT / "demo" / "footage"


class Recorder:
    """Passes the detector's batches to fp32 CenterFace and keeps them."""

    def __init__(self) -> None:
        self.model = CenterFace()
        self.threshold = self.model.threshold
        self.batches: list[np.ndarray] = []

    def detect(self, images, threshold=None):
        self.batches.append(images.copy())
        return self.model.detect(images, threshold)


def frames() -> list[np.ndarray]:
    out = [cv2.imread(str(p)) for p in sorted((FOOTAGE / "equirect").glob("*.jpg"))]
    for name, size, at in (("testroom_1920x960_mono.mp4", (1920, 960), (1.0, 4.0)),
                           ("congo_stereo_tb_1920x1080.mp4", (1920, 1080), (1.0, 5.0))):
        for start in at:
            frame = next(iter(read_frames(FOOTAGE / "video" / name, size, pix_fmt="bgr24", start=start, duration=0.1)))
            frame = np.array(frame).reshape(size[1], size[0], 3)
            out.append(frame[:size[1] // 2] if "stereo_tb" in name else frame)  # the top eye
    pano = cv2.resize(cv2.imread(str(FOOTAGE / "equirect" / "pannellum_examplepano_4096.jpg")), (1920, 960),
                      interpolation=cv2.INTER_AREA)
    for scale in (1.0, 0.5):
        for layout in LAYOUTS:
            frame = pano
            for name, yaw, pitch, size, lean in layout:
                frame, _ = plant(frame, name, yaw, pitch, size * scale, lean)
            out += [frame, rotate_equirect(frame, 90, 0)]
    return out


def tiles() -> list[np.ndarray]:
    recorder = Recorder()
    detector = SphereDetector(recorder)
    for frame in frames():
        detector(frame)
    return recorder.batches


def write_ranges(batches: list[np.ndarray]) -> None:
    from onnxruntime.quantization import CalibrationDataReader
    from onnxruntime.quantization.calibrate import create_calibrator, save_tensors_data

    class Reader(CalibrationDataReader):
        def __init__(self):
            self.left = iter(batches)

        def get_next(self):
            batch = next(self.left, None)
            if batch is None:
                return None
            return {"input.1": np.ascontiguousarray(batch[..., ::-1].transpose(0, 3, 1, 2), dtype=np.float32)}

    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "fp32.onnx"
        import onnx

        onnx.save(named(centerface_bytes()), str(path))
        calibrator = create_calibrator(path, augmented_model_path=str(Path(tmp) / "augmented.onnx"))
        calibrator.collect_data(Reader())
        save_tensors_data(calibrator.compute_data(), RANGES_FILE)
    print(f"ranges of {sum(len(b) for b in batches)} tiles written to {RANGES_FILE}")


#: The variants tried (#15); the default (centerface-int8) is the last.
VARIANTS = {
    "qdq u8 all": Int8(fp32_nodes=()),
    "qdq s8 all": Int8(activations="int8", fp32_nodes=()),
    "qdq u8 Conv only": Int8(ops=("Conv",), fp32_nodes=()),
    "qoperator u8 all": Int8(format="qoperator", fp32_nodes=()),
    "qdq u8 heads fp32": Int8(fp32_nodes=HEADS),
    "qdq u8 stem+heads fp32": Int8(),
}


def face_model(name: str):
    """A model from ``MODELS`` by name, or ``int8:VARIANT`` for one of :data:`VARIANTS`."""
    from render.privacy.detect import MODELS

    return CenterFace(int8=VARIANTS[name[5:]]) if name.startswith("int8:") else MODELS[name]()


def compare(batches: list[np.ndarray], names: list[str]) -> None:
    models = {"fp32": CenterFace(), **{n: CenterFace(int8=VARIANTS[n]) for n in names}}
    heat: dict[str, list[np.ndarray]] = {n: [] for n in models}
    cpu = {n: 0.0 for n in models}
    for model in models.values():
        model.detect(batches[0])
    for k, batch in enumerate(batches):
        for name in (list(models) if k % 2 == 0 else list(models)[::-1]):
            session = _session(models[name].threads, models[name].int8)
            x = np.ascontiguousarray(batch[..., ::-1].transpose(0, 3, 1, 2), dtype=np.float32)
            start = time.process_time()
            out = session.run(None, {session.get_inputs()[0].name: x})
            cpu[name] += time.process_time() - start
            heat[name].append(out[0].ravel())
    mpx = sum(int(np.prod(b.shape[:3])) for b in batches) / 1e6
    print(f"{len(batches)} batches, {mpx:.1f} Mpx; load {os.getloadavg()[0]:.1f}")
    ref = np.concatenate(heat["fp32"])
    for name in models:
        h = np.concatenate(heat[name])
        line = f"{name:<20} CPU {cpu[name] / mpx:.3f} s/Mpx ({cpu['fp32'] / cpu[name]:.2f}× cheaper)"
        if name != "fp32":
            for floor in (0.1, 0.35):
                near = ref >= floor
                d = np.abs(h[near] - ref[near])
                lost, new = int((near & (h < floor)).sum()), int((~near & (h >= floor)).sum())
                line += (f"; ≥{floor}: {near.sum()} cells, |Δ| mean {d.mean():.3f} max {d.max():.3f}, "
                         f"{lost} fall below, {new} rise above")
            band = (ref > 0.25) & (ref < 0.45)
            line += f"; 0.25–0.45 band |Δ| mean {np.abs(h[band] - ref[band]).mean():.3f}"
        print(line)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--write-ranges", action="store_true", help="remake the shipped calibration ranges")
    parser.add_argument("--variants", default=",".join(VARIANTS), help="comma-separated, of: " + ", ".join(VARIANTS))
    parser.add_argument("--every", type=int, default=4, help="compare on every n-th batch of tiles")
    args = parser.parse_args()
    batches = tiles()
    if args.write_ranges:
        write_ranges(batches)
        return
    compare(batches[::args.every], args.variants.split(","))


if __name__ == "__main__":
    main()
