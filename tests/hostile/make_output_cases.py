#!/usr/bin/python3
"""Writes the models and data files of tests/hostile/output.cmake into OUTDIR:
a tiny Gemm classifier and a tiny autoencoder, good test data, zero samples,
integer data and calibration data holding NaN/Inf. Deterministic; needs
python3-onnx and python3-numpy (Debian)."""
import os
import sys

import numpy as np
from onnx import TensorProto, helper, numpy_helper, save


def gemm_model(path, outputs):
    rng = np.random.default_rng(1)
    w = rng.standard_normal((outputs, 4)).astype(np.float32)
    graph = helper.make_graph(
        [helper.make_node("Gemm", ["x", "W"], ["y"], name="fc", transB=1)], "tiny",
        [helper.make_tensor_value_info("x", TensorProto.FLOAT, [1, 4])],
        [helper.make_tensor_value_info("y", TensorProto.FLOAT, [1, outputs])],
        [numpy_helper.from_array(w, "W")])
    save(helper.make_model(graph, opset_imports=[helper.make_opsetid("", 13)]), path)


def main():
    out = sys.argv[1]
    os.makedirs(os.path.join(out, "inside"), exist_ok=True)
    gemm_model(os.path.join(out, "tiny.onnx"), 3)
    gemm_model(os.path.join(out, "inside", "model.onnx"), 3)
    gemm_model(os.path.join(out, "tiny_ae.onnx"), 4)
    x = np.linspace(-1, 1, 8 * 4, dtype=np.float32).reshape(8, 1, 4)
    np.save(os.path.join(out, "x.npy"), x)
    np.save(os.path.join(out, "zero_samples.npy"), np.zeros((0, 1, 4), np.float32))
    np.save(os.path.join(out, "ints.npy"), np.arange(8 * 4, dtype=np.int64).reshape(8, 4))
    nan = x.copy()
    nan[3, 0, 2] = np.nan
    nan[5, 0, 1] = np.inf
    np.save(os.path.join(out, "nan_calib.npy"), nan)


if __name__ == "__main__":
    main()
