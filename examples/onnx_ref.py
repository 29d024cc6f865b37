#!/usr/bin/python3
"""A small numpy interpreter for the ONNX ops that appear in the example models.

onnx 1.12 (Debian) has no onnx.reference and onnxruntime is not packaged, so train.py uses this to
check that each exported model.onnx reproduces PyTorch's outputs. It is deliberately minimal:
float32 tensors, forward-direction LSTM with the default activations, the shape plumbing PyTorch
emits. It is a test aid, not part of the compiler.

    /usr/bin/python3 examples/onnx_ref.py examples/lstm_classifier
runs model.onnx on test_x.npy and compares with torch_out.npy.
"""
import os
import sys

import numpy as np
import onnx
from onnx import numpy_helper


def _sigmoid(x):
    return 1.0 / (1.0 + np.exp(-x))


def _attrs(node):
    return {a.name: onnx.helper.get_attribute_value(a) for a in node.attribute}


def _lstm(ins, at):
    X, W, R = ins[0], ins[1], ins[2]
    B = ins[3] if len(ins) > 3 and ins[3] is not None else None
    if len(ins) > 4 and ins[4] is not None:
        raise NotImplementedError("LSTM sequence_lens")
    if at.get("direction", b"forward") not in (b"forward", "forward"):
        raise NotImplementedError("LSTM direction")
    if "activations" in at or "clip" in at or at.get("input_forget", 0):
        raise NotImplementedError("LSTM activations/clip/input_forget")
    if len(ins) > 7 and ins[7] is not None:
        raise NotImplementedError("LSTM peepholes")
    layout = at.get("layout", 0)
    if layout == 1:
        X = X.transpose(1, 0, 2)
    T, N, _ = X.shape
    H = R.shape[-1]
    h = ins[5][0] if len(ins) > 5 and ins[5] is not None else np.zeros((N, H), X.dtype)
    c = ins[6][0] if len(ins) > 6 and ins[6] is not None else np.zeros((N, H), X.dtype)
    W, R = W[0], R[0]
    b = (B[0, :4 * H] + B[0, 4 * H:]) if B is not None else np.zeros(4 * H, X.dtype)
    ys = []
    for t in range(T):
        g = X[t] @ W.T + h @ R.T + b
        i, o, f, cc = np.split(g, 4, axis=1)            # ONNX gate order i, o, f, c
        c = _sigmoid(f) * c + _sigmoid(i) * np.tanh(cc)
        h = _sigmoid(o) * np.tanh(c)
        ys.append(h)
    Y = np.stack(ys)[:, None]                             # [T, 1, N, H]
    Yh, Yc = h[None], c[None]
    if layout == 1:
        Y, Yh, Yc = Y.transpose(2, 0, 1, 3), Yh.transpose(1, 0, 2), Yc.transpose(1, 0, 2)
    return [Y, Yh, Yc]


def _slice(ins, at):
    x, starts, ends = ins[0], ins[1], ins[2]
    axes = ins[3] if len(ins) > 3 and ins[3] is not None else np.arange(len(starts))
    steps = ins[4] if len(ins) > 4 and ins[4] is not None else np.ones(len(starts), np.int64)
    sl = [slice(None)] * x.ndim
    for s, e, a, st in zip(starts, ends, axes, steps):
        sl[int(a)] = slice(int(s), int(e), int(st))   # python slicing clamps like ONNX
    return [x[tuple(sl)]]


def _gemm(ins, at):
    a, b = ins[0], ins[1]
    if at.get("transA", 0):
        a = a.T
    if at.get("transB", 0):
        b = b.T
    y = at.get("alpha", 1.0) * (a @ b)
    if len(ins) > 2 and ins[2] is not None:
        y = y + at.get("beta", 1.0) * ins[2]
    return [y]


def _squeeze(ins, at):
    axes = ins[1] if len(ins) > 1 and ins[1] is not None else at.get("axes")
    if axes is None:
        return [np.squeeze(ins[0])]
    return [np.squeeze(ins[0], axis=tuple(int(a) % ins[0].ndim for a in axes))]


def _unsqueeze(ins, at):
    axes = ins[1] if len(ins) > 1 else at["axes"]
    x = ins[0]
    r = x.ndim + len(axes)
    for a in sorted(int(a) % r for a in axes):
        x = np.expand_dims(x, a)
    return [x]


def _constant_of_shape(ins, at):
    v = at.get("value")
    val = numpy_helper.to_array(v) if v is not None else np.zeros(1, np.float32)
    return [np.full(tuple(int(d) for d in ins[0]), val.reshape(-1)[0], dtype=val.dtype)]


def _reshape(ins, at):
    shape = [int(d) for d in ins[1]]
    shape = [ins[0].shape[i] if d == 0 else d for i, d in enumerate(shape)]
    return [ins[0].reshape(shape)]


_OPS = {
    "LSTM": _lstm,
    "Gemm": _gemm,
    "MatMul": lambda i, a: [i[0] @ i[1]],
    "Add": lambda i, a: [i[0] + i[1]],
    "Sub": lambda i, a: [i[0] - i[1]],
    "Mul": lambda i, a: [i[0] * i[1]],
    "Relu": lambda i, a: [np.maximum(i[0], 0)],
    "Sigmoid": lambda i, a: [_sigmoid(i[0])],
    "Tanh": lambda i, a: [np.tanh(i[0])],
    "Identity": lambda i, a: [i[0]],
    "Transpose": lambda i, a: [np.transpose(i[0], a.get("perm"))],
    "Shape": lambda i, a: [np.array(i[0].shape, np.int64)],
    "Gather": lambda i, a: [np.take(i[0], i[1], axis=a.get("axis", 0))],
    "Squeeze": _squeeze,
    "Unsqueeze": _unsqueeze,
    "Concat": lambda i, a: [np.concatenate(i, axis=a["axis"])],
    "ConstantOfShape": _constant_of_shape,
    "Expand": lambda i, a: [i[0] * np.ones(tuple(int(d) for d in i[1]), i[0].dtype)],
    "Slice": _slice,
    "Tile": lambda i, a: [np.tile(i[0], tuple(int(r) for r in i[1]))],
    "Reshape": _reshape,
    "Flatten": lambda i, a: [i[0].reshape(int(np.prod(i[0].shape[:a.get("axis", 1)])), -1)],
    "Constant": lambda i, a: [numpy_helper.to_array(a["value"])],
    "Cast": lambda i, a: [i[0].astype(onnx.helper.tensor_dtype_to_np_dtype(a["to"]))],
}


class Model:
    def __init__(self, model):
        if isinstance(model, str):
            model = onnx.load(model)
        self.graph = model.graph
        self.inits = {t.name: numpy_helper.to_array(t) for t in self.graph.initializer}
        missing = sorted({n.op_type for n in self.graph.node} - set(_OPS))
        if missing:
            raise NotImplementedError(f"onnx_ref: unsupported ops {missing}")

    def run(self, feeds):
        env = dict(self.inits)
        env.update(feeds)
        for node in self.graph.node:
            ins = [env[n] if n else None for n in node.input]
            outs = _OPS[node.op_type](ins, _attrs(node))
            for name, v in zip(node.output, outs):
                if name:
                    env[name] = v
        return {o.name: env[o.name] for o in self.graph.output}


def main(argv):
    for d in argv:
        m = Model(os.path.join(d, "model.onnx"))
        x = np.load(os.path.join(d, "test_x.npy"))
        ref = np.load(os.path.join(d, "torch_out.npy"))
        out = np.concatenate([m.run({"input": x[i:i + 1]})["output"] for i in range(len(x))])
        print(f"{d}: max |onnx_ref - torch_out| = {np.max(np.abs(out - ref)):.3e}")


if __name__ == "__main__":
    main(sys.argv[1:])
