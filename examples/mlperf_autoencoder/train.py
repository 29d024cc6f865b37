#!/usr/bin/python3
"""Dense autoencoder of the MLPerf Tiny anomaly-detection shape on standardised spectra.

Usage (from the repository root; needs only Debian's python3-numpy and python3-onnx):

    /usr/bin/python3 examples/mlperf_autoencoder/train.py          # examples/mlperf_autoencoder/
    /usr/bin/python3 examples/mlperf_autoencoder/train.py --small  # tests/e2e/ae_standardized/

Model: 640-128x4-8-128x4-640, ReLU after every layer but the last (the MLPerf Tiny AD
reference model without its BatchNorms; --small: 160-64x2-8-64x2-160). Trained in numpy
(Adam, MSE on normal samples only) and written as ONNX opset 13 Gemm (transB=1) + Relu nodes,
the graph PyTorch exports for nn.Sequential(nn.Linear, nn.ReLU, ...).

Data: one sample is 5 frames x 128 bins (--small: 5 x 32) of a machine's log spectrum:
harmonics of a shaft frequency f0 with a random decay and slow frame-to-frame modulation
(normal), plus for anomalies one of: a non-harmonic tone, a frequency drift across the
frames, or a broadband hump. Every sample is then standardised (zero mean, unit variance
over its 640 values), so the signal energy is the same for every sample: the script checks
that an energy score has AUC 0.5 while the float autoencoder reaches >= 0.95, and fails
otherwise.
"""
import argparse
import json
import os

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
FRAMES = 5


def harmonic_frames(rng, bins, f0, drift=0.0):
    """FRAMES x bins log spectrum of harmonics of f0 (in bins), slowly modulated."""
    k = np.arange(bins)
    decay = rng.uniform(0.6, 0.85)
    amps = decay ** np.arange(1, 9) * rng.uniform(0.95, 1.05, 8)
    phase = rng.uniform(0, 2 * np.pi)
    out = np.zeros((FRAMES, bins))
    for t in range(FRAMES):
        f = f0 * (1.0 + drift * (t - 2))
        mod = 1.0 + 0.15 * np.sin(phase + t)
        for h, a in enumerate(amps, start=1):
            if h * f < bins - 1:
                out[t] += mod * a * np.exp(-0.5 * ((k - h * f) / 1.2) ** 2)
    return out


def sample(rng, bins, anomaly):
    f0 = rng.uniform(bins / 20, bins / 10)
    drift = 0.0
    if anomaly and rng.integers(3) == 1:
        drift = rng.choice([-1, 1]) * rng.uniform(0.08, 0.15)
    s = harmonic_frames(rng, bins, f0, drift)
    if anomaly:
        k = np.arange(bins)
        kind = rng.integers(3)
        if kind == 0 or drift == 0.0 and kind == 1:   # tone between two harmonics
            fb = (rng.integers(1, 4) + rng.uniform(0.35, 0.65)) * f0
            s += rng.uniform(0.8, 1.5) * np.exp(-0.5 * ((k - fb) / 1.2) ** 2)
        elif kind == 2:                                # broadband hump
            c = rng.uniform(0.3, 0.9) * bins
            s += rng.uniform(0.3, 0.6) * np.exp(-0.5 * ((k - c) / (bins / 12)) ** 2)
    x = np.log1p(20.0 * s) + 0.03 * rng.standard_normal(s.shape)
    x = x.reshape(-1)
    return (x - x.mean()) / x.std()


def dataset(rng, bins, n, anomaly):
    return np.stack([sample(rng, bins, anomaly) for _ in range(n)]).astype(np.float32)


def auc(score, y):
    """ROC AUC with ties counted half (Mann-Whitney)."""
    pos, neg = score[y == 1], score[y == 0]
    gt = (pos[:, None] > neg[None, :]).sum() + 0.5 * (pos[:, None] == neg[None, :]).sum()
    return float(gt / (len(pos) * len(neg)))


class Mlp:
    def __init__(self, sizes, rng):
        self.w = [rng.standard_normal((o, i)) * np.sqrt(2.0 / i) for i, o in zip(sizes, sizes[1:])]
        self.b = [np.zeros(o) for o in sizes[1:]]

    def forward(self, x, keep=False):
        acts = [x]
        for k, (w, b) in enumerate(zip(self.w, self.b)):
            x = x @ w.T + b
            if k < len(self.w) - 1:
                x = np.maximum(x, 0.0)
            acts.append(x)
        return (x, acts) if keep else x

    def train(self, x_tr, epochs, lr, batch, rng):
        params = self.w + self.b
        m = [np.zeros_like(p) for p in params]
        v = [np.zeros_like(p) for p in params]
        step = 0
        for epoch in range(epochs):
            rate = lr * 0.5 * (1 + np.cos(np.pi * epoch / epochs))   # cosine decay
            perm = rng.permutation(len(x_tr))
            for i in range(0, len(x_tr), batch):
                xb = x_tr[perm[i:i + batch]].astype(np.float64)
                y, acts = self.forward(xb, keep=True)
                g = 2.0 * (y - xb) / y.size
                gw, gb = [None] * len(self.w), [None] * len(self.w)
                for k in range(len(self.w) - 1, -1, -1):
                    if k < len(self.w) - 1:
                        g = g * (acts[k + 1] > 0)
                    gw[k] = g.T @ acts[k]
                    gb[k] = g.sum(0)
                    g = g @ self.w[k]
                step += 1
                for p, gp, mp, vp in zip(params, gw + gb, m, v):
                    mp[:] = 0.9 * mp + 0.1 * gp
                    vp[:] = 0.999 * vp + 0.001 * gp * gp
                    p -= rate * (mp / (1 - 0.9 ** step)) / (np.sqrt(vp / (1 - 0.999 ** step)) + 1e-8)

    def score(self, x):
        return ((self.forward(x.astype(np.float64)) - x) ** 2).mean(1)


def export(mlp, path, dim):
    nodes, inits, prev = [], [], "input"
    for k, (w, b) in enumerate(zip(mlp.w, mlp.b)):
        inits += [numpy_helper.from_array(w.astype(np.float32), f"net.{k}.weight"),
                  numpy_helper.from_array(b.astype(np.float32), f"net.{k}.bias")]
        out = "output" if k == len(mlp.w) - 1 else f"/net/gemm{k}"
        nodes.append(helper.make_node("Gemm", [prev, f"net.{k}.weight", f"net.{k}.bias"], [out],
                                      name=f"/net/net.{2 * k}/Gemm", alpha=1.0, beta=1.0, transB=1))
        prev = out
        if k < len(mlp.w) - 1:
            nodes.append(helper.make_node("Relu", [out], [f"/net/relu{k}"], name=f"/net/net.{2 * k + 1}/Relu"))
            prev = f"/net/relu{k}"
    graph = helper.make_graph(nodes, "mlperf_ad", [helper.make_tensor_value_info("input", TensorProto.FLOAT, [1, dim])],
                              [helper.make_tensor_value_info("output", TensorProto.FLOAT, [1, dim])], inits)
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 13)],
                              producer_name="examples/mlperf_autoencoder/train.py")
    onnx.checker.check_model(model, full_check=True)
    onnx.save(model, path)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--small", action="store_true", help="the fast-test twin (160-64x2-8-64x2-160)")
    args = ap.parse_args()
    if args.small:
        bins, hidden, depth, code = 32, 64, 2, 8
        out_dir, n_train, n_calib, n_normal, n_anom, epochs = os.path.join(ROOT, "tests/e2e/ae_standardized"), 2000, 600, 100, 60, 60
    else:
        bins, hidden, depth, code = 128, 128, 4, 8
        out_dir, n_train, n_calib, n_normal, n_anom, epochs = HERE, 4000, 400, 200, 100, 60
    dim = FRAMES * bins
    rng = np.random.default_rng(14)
    x_tr = dataset(rng, bins, n_train, False)
    x_te = np.concatenate([dataset(rng, bins, n_normal, False), dataset(rng, bins, n_anom, True)])
    y_te = np.concatenate([np.zeros(n_normal, np.int64), np.ones(n_anom, np.int64)])
    perm = rng.permutation(len(x_te))
    x_te, y_te = x_te[perm], y_te[perm]

    energy_auc = auc((x_te.astype(np.float64) ** 2).mean(1).round(6), y_te)
    mlp = Mlp([dim] + [hidden] * depth + [code] + [hidden] * depth + [dim], np.random.default_rng(0))
    mlp.train(x_tr, epochs=epochs, lr=1e-3, batch=64, rng=np.random.default_rng(1))
    ae_auc = auc(mlp.score(x_te), y_te)
    print(f"energy-score AUC {energy_auc:.4f}, float autoencoder AUC {ae_auc:.4f}")
    assert abs(energy_auc - 0.5) < 0.02, "energy alone separates the anomalies"
    assert ae_auc >= 0.95, "the float autoencoder does not separate the anomalies"

    os.makedirs(out_dir, exist_ok=True)
    export(mlp, os.path.join(out_dir, "model.onnx"), dim)
    np.save(os.path.join(out_dir, "calib_x.npy"), x_tr[:n_calib])
    np.save(os.path.join(out_dir, "test_x.npy"), x_te)
    np.save(os.path.join(out_dir, "test_y.npy"), y_te)
    metrics = {"layers": [dim] + [hidden] * depth + [code] + [hidden] * depth + [dim],
               "parameters": int(sum(w.size + b.size for w, b in zip(mlp.w, mlp.b))),
               "test_normal": n_normal, "test_anomalies": n_anom, "calib": n_calib,
               "train": n_train, "energy_score_auc": energy_auc, "float_auc": ae_auc,
               "train_mean_mse": float(mlp.score(x_tr[:1000]).mean())}
    with open(os.path.join(out_dir, "metrics.json"), "w") as f:
        json.dump(metrics, f, indent=2)
        f.write("\n")


if __name__ == "__main__":
    main()
