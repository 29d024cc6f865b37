#!/usr/bin/python3
"""Writes the small (good and deliberately bad) models and data files that the
CLI tests in tests/cli use, into OUTDIR. Deterministic; needs python3-onnx and
python3-numpy (Debian). Run by CMake at configure time."""
import os
import sys

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper


def save(model, outdir, name):
    onnx.save(model, os.path.join(outdir, name))


def tiny_gemm(weights=None, dims=(1, 4)):
    """x[1,4] -> Gemm(W[3,4]^T, b[3]) 'fc' -> Relu 'act' -> y[1,3]."""
    rng = np.random.default_rng(0)
    w = rng.standard_normal((3, 4)).astype(np.float32) if weights is None else weights
    b = np.arange(3, dtype=np.float32) * 0.1
    graph = helper.make_graph(
        [helper.make_node("Gemm", ["x", "W", "b"], ["h"], name="fc", transB=1),
         helper.make_node("Relu", ["h"], ["y"], name="act")],
        "tiny_gemm",
        [helper.make_tensor_value_info("x", TensorProto.FLOAT, list(dims))],
        [helper.make_tensor_value_info("y", TensorProto.FLOAT, [dims[0], 3])],
        [numpy_helper.from_array(w, "W"), numpy_helper.from_array(b, "b")])
    return helper.make_model(graph, opset_imports=[helper.make_opsetid("", 13)])


def main():
    outdir = sys.argv[1]
    os.makedirs(outdir, exist_ok=True)
    good = tiny_gemm()
    save(good, outdir, "tiny_gemm.onnx")

    data = good.SerializeToString()
    with open(os.path.join(outdir, "truncated.onnx"), "wb") as f:
        f.write(data[: len(data) * 2 // 3])
    with open(os.path.join(outdir, "not_protobuf.onnx"), "wb") as f:
        f.write(b"this is a text file, not an ONNX model\n" * 4)

    # Node reads a tensor nobody produces: the ONNX checker rejects it.
    bad = tiny_gemm()
    bad.graph.node[1].input[0] = "nowhere"
    save(bad, outdir, "checker_fails.onnx")

    # Two unsupported ops: both must be listed in one error.
    graph = helper.make_graph(
        [helper.make_node("Exp", ["x"], ["e"], name="my_exp"),
         helper.make_node("Relu", ["e"], ["r"], name="ok_relu"),
         helper.make_node("Cos", ["r"], ["y"], name="my_cos")],
        "unsupported",
        [helper.make_tensor_value_info("x", TensorProto.FLOAT, [1, 4])],
        [helper.make_tensor_value_info("y", TensorProto.FLOAT, [1, 4])])
    save(helper.make_model(graph, opset_imports=[helper.make_opsetid("", 13)]), outdir,
         "unsupported.onnx")

    save(tiny_gemm(dims=("batch", 4)), outdir, "dynamic.onnx")

    # A Gemm the int8 path does not take (transA = 1): --quantize int8 must name it.
    graph = helper.make_graph(
        [helper.make_node("Gemm", ["x", "W"], ["y"], name="fc_t", transA=1, transB=1)],
        "transa_gemm",
        [helper.make_tensor_value_info("x", TensorProto.FLOAT, [4, 1])],
        [helper.make_tensor_value_info("y", TensorProto.FLOAT, [1, 3])],
        [numpy_helper.from_array(np.ones((3, 4), dtype=np.float32), "W")])
    save(helper.make_model(graph, opset_imports=[helper.make_opsetid("", 13)]), outdir,
         "transa_gemm.onnx")
    np.save(os.path.join(outdir, "x_transa.npy"),
            np.random.default_rng(2).standard_normal((5, 4, 1)).astype(np.float32))

    w = np.ones((3, 4), dtype=np.float32)
    w[1, 2] = np.nan
    w[2, 0] = np.inf
    save(tiny_gemm(weights=w), outdir, "nan_weights.onnx")

    x = np.random.default_rng(1).standard_normal((5, 4)).astype(np.float32)
    np.save(os.path.join(outdir, "x_good.npy"), x)
    np.save(os.path.join(outdir, "x_leading1.npy"), x.reshape(5, 1, 4))
    np.save(os.path.join(outdir, "x_f64.npy"), x.astype(np.float64))
    np.save(os.path.join(outdir, "x_wrong_shape.npy"), np.zeros((5, 6), dtype=np.float32))
    np.save(os.path.join(outdir, "x_int.npy"), np.zeros((5, 4), dtype=np.int64))
    wt = numpy_helper.to_array(good.graph.initializer[0])
    bt = numpy_helper.to_array(good.graph.initializer[1])
    np.save(os.path.join(outdir, "y_expected.npy"), np.maximum(x @ wt.T + bt, 0).astype(np.float32))


if __name__ == "__main__":
    main()
