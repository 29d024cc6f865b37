#!/usr/bin/python3
"""Writes the crafted models and .npy files of the importer's hostile-input
tests (tests/hostile/importer.cmake, issue 19) into OUTDIR. Deterministic and
small (the largest file is ~1.2 MB); needs python3-onnx and python3-numpy
(Debian). Run by CMake at configure time."""
import os
import struct
import sys

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper


def save(model, outdir, name):
    onnx.save(model, os.path.join(outdir, name))


def model(nodes, inputs, outputs, initializers=(), opset=13, name="hostile"):
    graph = helper.make_graph(nodes, name, inputs, outputs, list(initializers))
    return helper.make_model(graph, opset_imports=[helper.make_opsetid("", opset)])


def tiny(opset=13, trans_b=1, w=None, dims=(1, 4), out_dims=(1, 3)):
    """x[1,4] -> Gemm(W[3,4]^T, b[3]) 'fc' -> Relu 'act' -> y[1,3]."""
    w = np.arange(12, dtype=np.float32).reshape(3, 4) * 0.1 if w is None else w
    b = np.arange(w.shape[0], dtype=np.float32) * 0.1
    return model(
        [helper.make_node("Gemm", ["x", "W", "b"], ["h"], name="fc", transB=trans_b),
         helper.make_node("Relu", ["h"], ["y"], name="act")],
        [helper.make_tensor_value_info("x", TensorProto.FLOAT, list(dims))],
        [helper.make_tensor_value_info("y", TensorProto.FLOAT, list(out_dims))],
        [numpy_helper.from_array(w, "W"), numpy_helper.from_array(b, "b")], opset=opset)


def ints(name, values):
    return numpy_helper.from_array(np.array(values, dtype=np.int64), name)


def write_npy(path, shape_text, body, descr="<f4"):
    """A .npy file with a hand-written header (numpy.save refuses absurd shapes)."""
    header = "{'descr': '%s', 'fortran_order': False, 'shape': %s, }" % (descr, shape_text)
    header += " " * ((64 - (10 + len(header) + 1) % 64) % 64) + "\n"
    with open(path, "wb") as f:
        f.write(b"\x93NUMPY\x01\x00" + struct.pack("<H", len(header)) + header.encode() + body)


def main():
    outdir = sys.argv[1]
    os.makedirs(outdir, exist_ok=True)
    save(tiny(), outdir, "tiny.onnx")
    save(tiny(dims=("batch", 4), out_dims=("batch", 3)), outdir, "dynamic.onnx")

    # Item 2: .npy headers whose element count overflows / is not backed by data.
    write_npy(os.path.join(outdir, "x_overflow.npy"), "(4611686018427387904, 4)", b"\0" * 16)
    write_npy(os.path.join(outdir, "x_huge.npy"), "(1099511627776, 4)", b"\0" * 16)
    write_npy(os.path.join(outdir, "x_bad_shape.npy"), "(5, 'four')", b"\0" * 80)
    np.save(os.path.join(outdir, "x_good.npy"), np.ones((5, 4), dtype=np.float32))

    # Item 5: invalid UTF-8 in the node, weight and activation names. Python's
    # protobuf refuses such strings, so same-length placeholders are patched
    # in the serialized bytes.
    data = tiny().SerializeToString()
    m = tiny()
    m.graph.node[0].name = "fc@@"
    m.graph.node[0].input[1] = "W@@@"
    m.graph.initializer[0].name = "W@@@"
    m.graph.node[0].output[0] = "h@@@"
    m.graph.node[1].input[0] = "h@@@"
    data = m.SerializeToString()
    data = data.replace(b"fc@@", b"fc\xff\xfe").replace(b"W@@@", b"W\xc3(x")
    data = data.replace(b"h@@@", b"h\xed\xa0\x80")
    with open(os.path.join(outdir, "bad_utf8.onnx"), "wb") as f:
        f.write(data)

    # Item 5: ConstantOfShape with 2^40 elements.
    save(model([helper.make_node("ConstantOfShape", ["big_shape"], ["big"], name="big_zeros"),
                helper.make_node("Relu", ["x"], ["y"], name="act")],
               [helper.make_tensor_value_info("x", TensorProto.FLOAT, [1, 4])],
               [helper.make_tensor_value_info("y", TensorProto.FLOAT, [1, 4])],
               [ints("big_shape", [1 << 40])]), outdir, "cos_bomb.onnx")

    # Item 5: a zero-size weight.
    save(tiny(w=np.zeros((0, 4), dtype=np.float32), out_dims=(1, 0)), outdir, "zero_weight.onnx")

    # Item 6: a ~300-byte model whose constant Tile asks for 16 GiB.
    save(model([helper.make_node("Tile", ["one", "reps"], ["huge"], name="bomb"),
                helper.make_node("Relu", ["x"], ["y"], name="act")],
               [helper.make_tensor_value_info("x", TensorProto.FLOAT, [1, 4])],
               [helper.make_tensor_value_info("y", TensorProto.FLOAT, [1, 4])],
               [numpy_helper.from_array(np.ones((1, 1), dtype=np.float32), "one"),
                ints("reps", [65536, 65536])]), outdir, "tile_bomb.onnx")

    # The same idea through compute: two 64 MB constants multiplied at import.
    save(model([helper.make_node("ConstantOfShape", ["s"], ["a"], name="za"),
                helper.make_node("ConstantOfShape", ["s"], ["b"], name="zb"),
                helper.make_node("MatMul", ["a", "b"], ["c"], name="mm"),
                helper.make_node("Relu", ["x"], ["y"], name="act")],
               [helper.make_tensor_value_info("x", TensorProto.FLOAT, [1, 4])],
               [helper.make_tensor_value_info("y", TensorProto.FLOAT, [1, 4])],
               [ints("s", [4096, 4096])]), outdir, "matmul_fold_bomb.onnx")

    # Item 13: opsets outside 7-17, a transB of 7, an LSTM without hidden_size.
    for opset in (1, 6, 18, 99):
        save(tiny(opset=opset), outdir, f"tiny_opset{opset}.onnx")
    save(model([helper.make_node("HardSigmoid", ["x"], ["y"], name="hs")],
               [helper.make_tensor_value_info("x", TensorProto.FLOAT, [1, 4])],
               [helper.make_tensor_value_info("y", TensorProto.FLOAT, [1, 4])], opset=6),
         outdir, "hardsigmoid_opset6.onnx")
    save(tiny(trans_b=7), outdir, "transb7.onnx")
    rng = np.random.default_rng(0)
    save(model([helper.make_node("LSTM", ["x", "W", "R"], ["", "y"], name="lstm")],
               [helper.make_tensor_value_info("x", TensorProto.FLOAT, [2, 1, 3])],
               [helper.make_tensor_value_info("y", TensorProto.FLOAT, [1, 1, 2])],
               [numpy_helper.from_array(rng.standard_normal((1, 8, 3)).astype(np.float32), "W"),
                numpy_helper.from_array(rng.standard_normal((1, 8, 2)).astype(np.float32), "R")],
               opset=14), outdir, "lstm_no_hidden.onnx")

    # Deliver 2: a legitimate model just over 1 MB (a file, constants and one
    # tensor of 1.125 MB) for the limit flags.
    w = (rng.standard_normal((1024, 288)) * 0.01).astype(np.float32)
    save(tiny(w=w, dims=(1, 288), out_dims=(1, 1024)), outdir, "big_weights.onnx")


if __name__ == "__main__":
    main()
