#!/usr/bin/python3
"""Writes an MLP with Tanh, Sigmoid and LeakyRelu between its Gemm layers and a Softmax at
the end (mlp.onnx) and
its calibration and test inputs (calib_x.npy, test_x.npy) into OUTDIR: the int8 table
activations and int8 softmax of codegen/int8_links.h have no bundled example, so the e2e
tests use this one.

usage: make_int8_mlp.py OUTDIR
"""
import os
import sys

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper


def main():
    outdir = sys.argv[1]
    os.makedirs(outdir, exist_ok=True)
    rng = np.random.default_rng(7)
    sizes = [16, 24, 12, 8, 4]
    activations = [("Tanh", {}), ("Sigmoid", {}), ("LeakyRelu", {"alpha": 0.1})]
    nodes, inits = [], []
    x = "input"
    for i in range(len(sizes) - 1):
        n_in, n_out = sizes[i], sizes[i + 1]
        w = (rng.standard_normal((n_out, n_in)) / np.sqrt(n_in)).astype(np.float32)
        b = (0.1 * rng.standard_normal(n_out)).astype(np.float32)
        inits += [numpy_helper.from_array(w, f"w{i}"), numpy_helper.from_array(b, f"b{i}")]
        y = f"fc{i}"
        nodes.append(helper.make_node("Gemm", [x, f"w{i}", f"b{i}"], [y], name=f"fc{i}", transB=1))
        if i < len(activations):
            op, attrs = activations[i]
            nodes.append(helper.make_node(op, [y], [f"act{i}"], name=f"act{i}", **attrs))
            y = f"act{i}"
        x = y
    nodes.append(helper.make_node("Softmax", [x], ["output"], name="softmax", axis=-1))
    graph = helper.make_graph(
        nodes, "int8_mlp",
        [helper.make_tensor_value_info("input", TensorProto.FLOAT, [1, sizes[0]])],
        [helper.make_tensor_value_info("output", TensorProto.FLOAT, [1, sizes[-1]])], inits)
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 13)])
    onnx.checker.check_model(model)
    onnx.save(model, os.path.join(outdir, "mlp.onnx"))
    np.save(os.path.join(outdir, "calib_x.npy"), rng.standard_normal((128, 1, 16)).astype(np.float32))
    np.save(os.path.join(outdir, "test_x.npy"), rng.standard_normal((64, 1, 16)).astype(np.float32))


if __name__ == "__main__":
    main()
