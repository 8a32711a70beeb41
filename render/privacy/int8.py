"""CenterFace quantised to int8, made here from the shipped fp32 model (#15).

Nothing is downloaded: the int8 model is made from :func:`~render.privacy.detect.centerface_bytes`
by onnxruntime's static quantisation, with the activation ranges of ``centerface_ranges.json``
(shipped beside this module; made by ``bench/centerface_int8.py --write-ranges`` from tiles the
detector itself cut from the demo footage and from the recall tests' planted-face frames). The
ranges fixed, the quantisation is deterministic; its result is cached in a file named by the fp32
model's sha256, the settings, the ranges and onnxruntime's version, written whole or not at all.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import tempfile
from dataclasses import asdict, dataclass
from pathlib import Path

#: The activation ranges (onnxruntime's calibration cache format), per tensor of the fp32 model.
RANGES_FILE = Path(__file__).with_name("centerface_ranges.json")
#: Bump when :func:`quantise` changes what it makes (the cache file's name holds it).
MAKER_VERSION = 2
#: The nodes of CenterFace's heads (the last four convolutions and the heatmap's sigmoid) and of its
#: stem (the first three convolutions), by the names :func:`named` gives them. Left in fp32 by
#: default: with them quantised too a 4–6° face is lost at a camera roll of 60° that fp32 finds
#: (``privacy_tilt.py --face-scale 0.5``, bench/README.md).
HEADS = ("Conv_117", "Sigmoid_118", "Conv_119", "Conv_120", "Conv_121")
STEM = ("Conv_0", "Relu_1", "Conv_2", "Relu_3", "Conv_4")


@dataclass(frozen=True)
class Int8:
    """How the model is quantised: ``format`` "qdq" or "qoperator", ``activations`` "uint8" or
    "int8" (weights are int8, per output channel), ``ops`` the operator types quantised (empty:
    every one onnxruntime can), ``fp32_nodes`` the nodes left unquantised, by name (:func:`named`)."""

    format: str = "qdq"
    activations: str = "uint8"
    ops: tuple[str, ...] = ()
    fp32_nodes: tuple[str, ...] = STEM + HEADS

    def fingerprint(self) -> str:
        """What decides the int8 model made from a given fp32 one: these settings, the ranges,
        onnxruntime's version and :data:`MAKER_VERSION` (for the face tracks' cache key)."""
        import onnxruntime

        made_of = json.dumps({"maker": MAKER_VERSION, "settings": asdict(self), "onnxruntime": onnxruntime.__version__,
                              "ranges": hashlib.sha256(RANGES_FILE.read_bytes()).hexdigest()}, sort_keys=True)
        return hashlib.sha256(made_of.encode()).hexdigest()[:20]

    def key(self, fp32_sha256: str) -> str:
        """The cache file's key: :meth:`fingerprint` and the fp32 model's sha256."""
        return hashlib.sha256(f"{fp32_sha256}:{self.fingerprint()}".encode()).hexdigest()[:20]


def named(model_bytes: bytes):
    """The model at opset 13 (per-channel weights need it; the shipped file is opset 9) with every
    node named ``<op>_<index>`` (the shipped file names none)."""
    import onnx
    from onnx import version_converter

    model = version_converter.convert_version(onnx.load_from_string(model_bytes), 13)
    for index, node in enumerate(model.graph.node):
        node.name = f"{node.op_type}_{index}"
    return model


def quantise(fp32: bytes, settings: Int8, ranges: Path = RANGES_FILE) -> bytes:
    """``fp32`` quantised as ``settings`` say, with the activation ranges in ``ranges``."""
    # onnxruntime's quantiser warns on the root logger: pre-processing advised, and the batch
    # normalisations' weights (rank 1) quantised per tensor rather than per channel
    root = logging.getLogger()
    quiet = _Quiet()
    root.addFilter(quiet)
    try:
        return _quantise(fp32, settings, ranges)
    finally:
        root.removeFilter(quiet)


class _Quiet(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        return record.levelno > logging.WARNING


def _quantise(fp32: bytes, settings: Int8, ranges: Path) -> bytes:
    from onnxruntime.quantization import QuantFormat, QuantType, quantize_static

    with tempfile.TemporaryDirectory(prefix="zorgblik-int8-") as tmp:
        out = Path(tmp) / "int8.onnx"
        quantize_static(named(fp32), out, None, calibration_cache_path=ranges,
                        quant_format=QuantFormat.QDQ if settings.format == "qdq" else QuantFormat.QOperator,
                        per_channel=True, weight_type=QuantType.QInt8,
                        activation_type=QuantType.QUInt8 if settings.activations == "uint8" else QuantType.QInt8,
                        op_types_to_quantize=list(settings.ops) or None,
                        nodes_to_exclude=list(settings.fp32_nodes))
        return out.read_bytes()


def int8_bytes(fp32: bytes, settings: Int8 = Int8(), cache_dir: Path | None = None) -> bytes:
    """The int8 model: from the cache file if made before, else made now and cached."""
    if cache_dir is None:
        from zorgblik.settings import Settings

        cache_dir = Settings.from_env().cache_dir / "models"
    path = Path(cache_dir) / f"centerface-int8-{settings.key(hashlib.sha256(fp32).hexdigest())}.onnx"
    try:
        return path.read_bytes()
    except FileNotFoundError:
        pass
    made = quantise(fp32, settings)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".centerface-", suffix=".part")
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(made)
        os.replace(tmp, path)
    finally:
        Path(tmp).unlink(missing_ok=True)
    return made
