#!/usr/bin/python3
"""Train and export the bundled example models of tinyml-compile.

Usage (from the repository root; needs Debian's python3-torch, python3-sklearn,
python3-numpy and python3-onnx):

    /usr/bin/python3 examples/train.py                      # all four models
    /usr/bin/python3 examples/train.py lstm_classifier ...  # only the named ones

Each model is written to examples/<name>/:
    model.onnx     static batch size 1, input 'input', output 'output' (raw outputs, logits for
                   classifiers)
    test_x.npy     float32 [N, <sample shape>]; model input is [1, <sample shape>]
    test_y.npy     int64 [N] labels (classes, or 0 = normal / 1 = faulty)
    calib_x.npy    float32 [M, <sample shape>], unlabeled training samples for calibration/finetune
    torch_out.npy  float32 [N, <output shape without the leading 1>], PyTorch's outputs on test_x
    metrics.json   accuracy / AUC, op counts of the exported graph, export settings
Everything is deterministic (fixed seeds, one thread). After export every model is checked with
onnx.checker and run through examples/onnx_ref.py (a small numpy ONNX interpreter) on the whole
test set; the script fails if that does not reproduce torch_out.npy.
"""
import collections
import json
import os
import sys
import time

import numpy as np
import onnx
import torch
import torch.nn as nn
from sklearn.datasets import load_digits
from sklearn.metrics import roc_auc_score
from sklearn.model_selection import train_test_split

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import onnx_ref  # noqa: E402

sys.stdout.reconfigure(line_buffering=True)
torch.set_num_threads(1)
torch.use_deterministic_algorithms(True)


def seed_all(seed):
    np.random.seed(seed)
    torch.manual_seed(seed)


def f32(a):
    return np.ascontiguousarray(np.asarray(a, dtype=np.float32))


# ----------------------------------------------------------------------------------------------
# export + verification
# ----------------------------------------------------------------------------------------------

def op_counts(model):
    return dict(sorted(collections.Counter(n.op_type for n in model.graph.node).items()))


def export_and_check(name, model, test_x, opset, fold, extra_metrics, tol=1e-4):
    """Export `model` (eval mode) with batch size 1, save torch_out.npy, check the ONNX file."""
    out_dir = os.path.join(HERE, name)
    path = os.path.join(out_dir, "model.onnx")
    model.eval()
    example = torch.from_numpy(test_x[:1])
    with torch.no_grad():
        torch_out = f32(np.concatenate(
            [model(torch.from_numpy(test_x[i:i + 1])).numpy() for i in range(len(test_x))]))
        torch_out_batched = model(torch.from_numpy(test_x)).numpy()
    # batch-of-one and batched evaluation agree (model has no hidden batch coupling)
    assert np.allclose(torch_out, torch_out_batched, atol=1e-5), name
    torch.onnx.export(model, example, path, opset_version=opset, input_names=["input"],
                      output_names=["output"], do_constant_folding=fold)
    np.save(os.path.join(out_dir, "torch_out.npy"), torch_out)

    m = onnx.load(path)
    onnx.checker.check_model(m, full_check=True)
    inferred = onnx.shape_inference.infer_shapes(m, strict_mode=True)
    in_shape = [d.dim_value for d in m.graph.input[0].type.tensor_type.shape.dim]
    out_shape = [d.dim_value for d in m.graph.output[0].type.tensor_type.shape.dim]
    assert in_shape == [1] + list(test_x.shape[1:]), (in_shape, test_x.shape)
    assert out_shape == [1] + list(torch_out.shape[1:]), (out_shape, torch_out.shape)
    del inferred

    # Independent check: run the ONNX graph with the numpy reference interpreter.
    ref = onnx_ref.Model(m)
    ref_out = np.concatenate([ref.run({"input": test_x[i:i + 1]})["output"]
                              for i in range(len(test_x))])
    err = float(np.max(np.abs(ref_out - torch_out)))
    assert err < tol, f"{name}: numpy reference differs from torch by {err}"

    metrics = {
        "model": name,
        "opset": opset,
        "do_constant_folding": fold,
        "input_shape": in_shape,
        "output_shape": out_shape,
        "test_x_shape": list(test_x.shape),
        "ops": op_counts(m),
        "num_nodes": len(m.graph.node),
        "num_initializers": len(m.graph.initializer),
        "initializer_params": int(sum(np.prod(t.dims) for t in m.graph.initializer)),
        "max_abs_diff_numpy_reference_vs_torch": err,
        "torch_version": torch.__version__,
        "onnx_version": onnx.__version__,
    }
    metrics.update(extra_metrics)
    with open(os.path.join(out_dir, "metrics.json"), "w") as f:
        json.dump(metrics, f, indent=2)
        f.write("\n")
    print(f"[{name}] exported opset {opset}, fold={fold}, ops {metrics['ops']}, "
          f"numpy-ref max diff {err:.2e}")
    return metrics


def save_data(name, **arrays):
    out_dir = os.path.join(HERE, name)
    os.makedirs(out_dir, exist_ok=True)
    for k, v in arrays.items():
        np.save(os.path.join(out_dir, k + ".npy"), v)


# ----------------------------------------------------------------------------------------------
# data: digits as sequences
# ----------------------------------------------------------------------------------------------

def digits_data():
    d = load_digits()
    x = f32(d.images / 16.0)               # [1797, 8, 8]: 8 time steps (rows) x 8 features
    y = d.target.astype(np.int64)
    x_tr, x_te, y_tr, y_te = train_test_split(x, y, test_size=360, stratify=y, random_state=0)
    rng = np.random.default_rng(1)
    calib = f32(x_tr[rng.choice(len(x_tr), 256, replace=False)])
    return f32(x_tr), y_tr, f32(x_te), y_te, calib


def train_classifier(model, params, x_tr, y_tr, epochs, lr, batch=32, seed=0):
    opt = torch.optim.Adam(params, lr=lr)
    sched = torch.optim.lr_scheduler.CosineAnnealingLR(opt, epochs)
    g = torch.Generator().manual_seed(seed)
    xt, yt = torch.from_numpy(x_tr), torch.from_numpy(y_tr)
    loss_fn = nn.CrossEntropyLoss()
    for _ in range(epochs):
        model.train()
        perm = torch.randperm(len(xt), generator=g)
        for i in range(0, len(xt), batch):
            idx = perm[i:i + batch]
            opt.zero_grad()
            loss = loss_fn(model(xt[idx]), yt[idx])
            loss.backward()
            opt.step()
        sched.step()
    model.eval()


def accuracy(model, x, y):
    with torch.no_grad():
        return float((model(torch.from_numpy(x)).argmax(1).numpy() == y).mean())


# ----------------------------------------------------------------------------------------------
# 1. lstm_classifier
# ----------------------------------------------------------------------------------------------

class LSTMClassifier(nn.Module):
    def __init__(self, inp=8, hidden=128, classes=10):
        super().__init__()
        self.lstm = nn.LSTM(inp, hidden, batch_first=True)
        self.fc = nn.Linear(hidden, classes)

    def forward(self, x):                  # x: [B, 8, 8]
        _, (h, _) = self.lstm(x)           # h: [1, B, 128]
        return self.fc(h[-1])              # logits [B, 10]


def make_lstm_classifier():
    name = "lstm_classifier"
    seed_all(0)
    x_tr, y_tr, x_te, y_te, calib = digits_data()
    model = LSTMClassifier()
    train_classifier(model, model.parameters(), x_tr, y_tr, epochs=30, lr=1e-2)
    acc = accuracy(model, x_te, y_te)
    print(f"[{name}] test accuracy {acc:.4f}")
    assert acc >= 0.97, acc
    save_data(name, test_x=x_te, test_y=y_te, calib_x=calib)
    export_and_check(name, model, x_te, opset=14, fold=False, extra_metrics={
        "test_accuracy": acc, "train_accuracy": accuracy(model, x_tr, y_tr),
        "num_test": len(x_te), "num_calib": len(calib)})


# ----------------------------------------------------------------------------------------------
# 3. kron_lstm: LSTM whose W and R are trained as exact Kronecker products
# ----------------------------------------------------------------------------------------------

class KronLSTMTrainer(nn.Module):
    """LSTM (PyTorch gate order i, f, g, o) with W = kron(Wa, Wb), R = kron(Ra, Rb)."""

    def __init__(self, shapes, inp=8, hidden=64, classes=10):
        super().__init__()
        self.hidden = hidden
        self.shapes = shapes
        s = (1.0 / hidden) ** 0.25         # std of an entry of kron(A, B) ~ 1/sqrt(H)
        for k, shp in shapes.items():
            setattr(self, k, nn.Parameter(torch.randn(*shp) * s))
        self.b_ih = nn.Parameter(torch.zeros(4 * hidden))
        self.b_hh = nn.Parameter(torch.zeros(4 * hidden))
        with torch.no_grad():
            self.b_ih[hidden:2 * hidden] = 1.0     # forget-gate bias 1
        self.fc = nn.Linear(hidden, classes)

    def weights(self):
        return torch.kron(self.Wa, self.Wb), torch.kron(self.Ra, self.Rb)

    def forward(self, x):
        W, R = self.weights()
        B, T, _ = x.shape
        h = x.new_zeros(B, self.hidden)
        c = x.new_zeros(B, self.hidden)
        xw = x @ W.t() + self.b_ih
        for t in range(T):
            gates = xw[:, t] + h @ R.t() + self.b_hh
            i, f, g, o = gates.chunk(4, 1)
            c = torch.sigmoid(f) * c + torch.sigmoid(i) * torch.tanh(g)
            h = torch.sigmoid(o) * torch.tanh(c)
        return self.fc(h)


class LastStepLSTMClassifier(nn.Module):
    def __init__(self, inp=8, hidden=64, classes=10):
        super().__init__()
        self.lstm = nn.LSTM(inp, hidden, batch_first=True)
        self.fc = nn.Linear(hidden, classes)

    def forward(self, x):
        y, _ = self.lstm(x)                # [B, 8, H]
        return self.fc(y[:, -1, :])        # output of the last step


def nearest_kron_error(W, m1, n1, m2, n2):
    """Van Loan-Pitsianis rearrangement: singular values of R(W) and sigma_2/sigma_1."""
    R = W.reshape(m1, m2, n1, n2).transpose(0, 2, 1, 3).reshape(m1 * n1, m2 * n2)
    s = np.linalg.svd(R.astype(np.float64), compute_uv=False)
    return float(s[1] / s[0]) if len(s) > 1 else 0.0


def make_kron_lstm():
    name = "kron_lstm"
    seed_all(0)
    H, I = 64, 8
    shapes = {"Wa": (16, 2), "Wb": (16, 4), "Ra": (16, 8), "Rb": (16, 8)}
    x_tr, y_tr, x_te, y_te, calib = digits_data()
    trainer = KronLSTMTrainer(shapes, I, H)
    train_classifier(trainer, trainer.parameters(), x_tr, y_tr, epochs=60, lr=1e-2)
    acc_trainer = accuracy(trainer, x_te, y_te)

    model = LastStepLSTMClassifier(I, H)
    with torch.no_grad():
        W, R = trainer.weights()
        model.lstm.weight_ih_l0.copy_(W)
        model.lstm.weight_hh_l0.copy_(R)
        model.lstm.bias_ih_l0.copy_(trainer.b_ih)
        model.lstm.bias_hh_l0.copy_(trainer.b_hh)
        model.fc.load_state_dict(trainer.fc.state_dict())
        d = float((model(torch.from_numpy(x_te)) - trainer(torch.from_numpy(x_te))).abs().max())
    assert d < 1e-4, d
    model.eval()
    acc = accuracy(model, x_te, y_te)
    assert acc == acc_trainer
    print(f"[{name}] test accuracy {acc:.4f}")
    save_data(name, test_x=x_te, test_y=y_te, calib_x=calib)

    # Reference: dense LSTM of the same size trained with the same recipe (not exported)
    seed_all(0)
    dense = LastStepLSTMClassifier(I, H)
    train_classifier(dense, dense.parameters(), x_tr, y_tr, epochs=60, lr=1e-2)
    acc_dense = accuracy(dense, x_te, y_te)
    print(f"[{name}] dense reference accuracy {acc_dense:.4f}")

    metrics = export_and_check(name, model, x_te, opset=14, fold=True, extra_metrics={
        "test_accuracy": acc, "train_accuracy": accuracy(model, x_tr, y_tr),
        "dense_lstm_same_recipe_test_accuracy": acc_dense,
        "num_test": len(x_te), "num_calib": len(calib)})

    # Check the structure in the exported file. ONNX orders gates i, o, f, c (PyTorch: i, f, g, o);
    # each gate block of H rows is a whole number of rows of A, so the permuted matrix is still
    # exactly kron(A', B) with A' = A with its row groups permuted.
    m = onnx.load(os.path.join(HERE, name, "model.onnx"))
    inits = {t.name: onnx.numpy_helper.to_array(t) for t in m.graph.initializer}
    lstm = [n for n in m.graph.node if n.op_type == "LSTM"][0]
    W_onnx, R_onnx = inits[lstm.input[1]][0], inits[lstm.input[2]][0]
    perm_rows = np.concatenate([np.arange(g * H, (g + 1) * H) for g in (0, 3, 1, 2)])
    Wk = np.kron(trainer.Wa.detach().numpy(), trainer.Wb.detach().numpy())
    Rk = np.kron(trainer.Ra.detach().numpy(), trainer.Rb.detach().numpy())
    assert np.array_equal(W_onnx, Wk[perm_rows]) and np.array_equal(R_onnx, Rk[perm_rows])

    def group_perm(rows_a):
        per = rows_a // 4              # rows of A per gate
        return np.concatenate([np.arange(g * per, (g + 1) * per) for g in (0, 3, 1, 2)])

    for key, M, a, b in (("W", W_onnx, "Wa", "Wb"), ("R", R_onnx, "Ra", "Rb")):
        A = getattr(trainer, a).detach().numpy()
        B = getattr(trainer, b).detach().numpy()
        assert np.array_equal(M, np.kron(A[group_perm(A.shape[0])], B))

    def entry(key, M, a, b):
        (m1, n1), (m2, n2) = shapes[a], shapes[b]
        return {
            "onnx_initializer": lstm.input[1 if key == "W" else 2],
            "shape": list(M.shape),
            "A_shape": [m1, n1], "B_shape": [m2, n2], "rank": 1,
            "params_dense": int(M.size), "params_kron": m1 * n1 + m2 * n2,
            "nearest_kp_sigma2_over_sigma1": nearest_kron_error(M, m1, n1, m2, n2),
        }

    structure = {
        "model": name,
        "hidden_size": H, "input_size": I,
        "convention": "(A kron B)[i1*m2+i2, j1*n2+j2] = A[i1,j1]*B[i2,j2]; W = LSTM input "
                      "weights [4H, I], R = recurrent weights [4H, H] (ONNX LSTM inputs 1 and 2, "
                      "direction 0). Exact in the ONNX gate order (i,o,f,c) as well as PyTorch's "
                      "(i,f,g,o): the gate permutation permutes whole groups of H/m2 rows of A.",
        "W": entry("W", W_onnx, "Wa", "Wb"),
        "R": entry("R", R_onnx, "Ra", "Rb"),
        "test_accuracy": acc,
        "dense_lstm_same_recipe_test_accuracy": acc_dense,
        "onnx_ops": metrics["ops"],
    }
    with open(os.path.join(HERE, name, "structure.json"), "w") as f:
        json.dump(structure, f, indent=2)
        f.write("\n")
    print(f"[{name}] sigma2/sigma1 W {structure['W']['nearest_kp_sigma2_over_sigma1']:.2e} "
          f"R {structure['R']['nearest_kp_sigma2_over_sigma1']:.2e}")


# ----------------------------------------------------------------------------------------------
# 2. dense_autoencoder on synthetic vibration spectra
# ----------------------------------------------------------------------------------------------

SPEC_FS, SPEC_N = 1280.0, 128          # 128-sample frames at 1280 Hz: 10 Hz bins


def vibration_spectrum(rng, faulty):
    """64 log-magnitude bins (10..640 Hz) of one Hann-windowed frame of machine vibration."""
    t = np.arange(SPEC_N) / SPEC_FS
    f0 = rng.uniform(20.0, 40.0)                                   # shaft frequency, Hz
    amps = np.array([1.0, 0.5, 0.3, 0.15]) * rng.uniform(0.7, 1.3, 4)
    x = sum(a * np.sin(2 * np.pi * (k + 1) * f0 * t + rng.uniform(0, 2 * np.pi))
            for k, a in enumerate(amps))
    noise = 0.05 * rng.uniform(0.8, 1.2)
    if faulty:
        sev = rng.uniform(0.2, 1.0)
        modes = rng.random(3) < 0.5
        if not modes.any():
            modes[rng.integers(3)] = True
        if modes[0]:   # bearing defect: tone at BPFO modulated by the shaft -> sidebands
            fb = rng.uniform(3.0, 5.5) * f0
            x = x + 0.5 * sev * np.sin(2 * np.pi * fb * t) * (1 + 0.8 * np.sin(2 * np.pi * f0 * t))
        if modes[1]:   # looseness / misalignment: extra higher harmonics
            for k in range(5, 11):
                x = x + 0.2 * sev * rng.uniform(0.5, 1.0) * np.sin(
                    2 * np.pi * k * f0 * t + rng.uniform(0, 2 * np.pi))
        if modes[2]:   # wear: raised broadband noise floor
            noise *= 1 + 3 * sev
    x = x + noise * rng.standard_normal(SPEC_N)
    mag = np.abs(np.fft.rfft(x * np.hanning(SPEC_N)))[1:65] / (SPEC_N / 4)
    return np.log1p(10.0 * mag)


def spectra(rng, n, faulty):
    return f32(np.stack([vibration_spectrum(rng, faulty) for _ in range(n)]))


class DenseAE(nn.Module):
    def __init__(self, d=64):
        super().__init__()
        self.net = nn.Sequential(nn.Linear(d, 32), nn.ReLU(), nn.Linear(32, 8), nn.ReLU(),
                                 nn.Linear(8, 32), nn.ReLU(), nn.Linear(32, d))

    def forward(self, x):
        return self.net(x)


def train_autoencoder(model, x_tr, epochs, lr, batch=64, seed=0):
    opt = torch.optim.Adam(model.parameters(), lr=lr)
    sched = torch.optim.lr_scheduler.CosineAnnealingLR(opt, epochs)
    g = torch.Generator().manual_seed(seed)
    xt = torch.from_numpy(x_tr)
    for _ in range(epochs):
        model.train()
        perm = torch.randperm(len(xt), generator=g)
        for i in range(0, len(xt), batch):
            xb = xt[perm[i:i + batch]]
            opt.zero_grad()
            loss = ((model(xb) - xb) ** 2).mean()
            loss.backward()
            opt.step()
        sched.step()
    model.eval()


def recon_error(model, x):
    with torch.no_grad():
        xt = torch.from_numpy(x)
        return ((model(xt) - xt) ** 2).reshape(len(x), -1).mean(1).numpy()


def anomaly_metrics(model, x_tr, x_te, y_te):
    e_tr, e_te = recon_error(model, x_tr), recon_error(model, x_te)
    thr = float(np.percentile(e_tr, 99))
    pred = e_te > thr
    return {
        "test_auc_reconstruction_mse": float(roc_auc_score(y_te, e_te)),
        "threshold_p99_train_mse": thr,
        "test_tpr_at_threshold": float(pred[y_te == 1].mean()),
        "test_fpr_at_threshold": float(pred[y_te == 0].mean()),
        "train_mean_mse": float(e_tr.mean()),
        "test_mean_mse_normal": float(e_te[y_te == 0].mean()),
        "test_mean_mse_faulty": float(e_te[y_te == 1].mean()),
    }


def mixed_test_set(rng, make, n_normal, n_faulty):
    x = np.concatenate([make(rng, n_normal, False), make(rng, n_faulty, True)])
    y = np.concatenate([np.zeros(n_normal, np.int64), np.ones(n_faulty, np.int64)])
    p = rng.permutation(len(x))
    return f32(x[p]), y[p]


def make_dense_autoencoder():
    name = "dense_autoencoder"
    seed_all(0)
    rng = np.random.default_rng(2)
    x_tr = spectra(rng, 4000, False)
    calib = x_tr[:256].copy()
    x_te, y_te = mixed_test_set(rng, spectra, 250, 150)
    model = DenseAE()
    train_autoencoder(model, x_tr, epochs=60, lr=2e-3)
    am = anomaly_metrics(model, x_tr, x_te, y_te)
    print(f"[{name}] AUC {am['test_auc_reconstruction_mse']:.4f}")
    save_data(name, test_x=x_te, test_y=y_te, calib_x=calib)
    am.update({"num_test_normal": 250, "num_test_faulty": 150, "num_calib": len(calib),
               "num_train_normal": len(x_tr)})
    export_and_check(name, model, x_te, opset=14, fold=True, extra_metrics=am)


# ----------------------------------------------------------------------------------------------
# 4. lstm_autoencoder on synthetic vibration time windows
# ----------------------------------------------------------------------------------------------

WIN_FS, WIN_T, WIN_C = 1000.0, 32, 2   # 32 ms windows, two accelerometer axes


def vibration_window(rng, faulty):
    t = np.arange(WIN_T) / WIN_FS
    f0 = rng.uniform(30.0, 60.0)
    amps = np.array([0.6, 0.3, 0.15]) * rng.uniform(0.7, 1.3, 3)
    ph = rng.uniform(0, 2 * np.pi, 3)
    tilt = rng.uniform(0.5, 0.9)       # axis 2 sees a phase-shifted, scaled copy
    x = np.zeros((WIN_T, WIN_C))
    for k in range(3):
        w = 2 * np.pi * (k + 1) * f0 * t + ph[k]
        x[:, 0] += amps[k] * np.sin(w)
        x[:, 1] += tilt * amps[k] * np.sin(w + np.pi / 2)
    noise = 0.03
    if faulty:
        sev = rng.uniform(0.3, 1.0)
        kind = rng.integers(3)
        if kind in (0, 2):   # bearing impacts: decaying 250 Hz ringing at ~3.6 x shaft rate
            period = 1.0 / (rng.uniform(3.0, 4.5) * f0)
            t0 = rng.uniform(0, period)
            imp = np.zeros(WIN_T)
            for s in np.arange(t0, t[-1] + 1e-9, period):
                dt = t - s
                m = dt >= 0
                imp[m] += np.exp(-dt[m] * 300.0) * np.sin(2 * np.pi * 250.0 * dt[m])
            x[:, 0] += 0.8 * sev * imp
            x[:, 1] += 0.5 * sev * imp
        if kind in (1, 2):   # amplitude modulation (e.g. gear / unbalance), 40..120 Hz
            fm = rng.uniform(40.0, 120.0)
            x *= (1 + 0.7 * sev * np.sin(2 * np.pi * fm * t + rng.uniform(0, 2 * np.pi)))[:, None]
        noise *= 1 + sev
    x += noise * rng.standard_normal(x.shape)
    return x


def windows(rng, n, faulty):
    return f32(np.stack([vibration_window(rng, faulty) for _ in range(n)]))


class LSTMAE(nn.Module):
    def __init__(self, channels=WIN_C, hidden=32, steps=WIN_T):
        super().__init__()
        self.steps = steps
        self.enc = nn.LSTM(channels, hidden, batch_first=True)
        self.dec = nn.LSTM(hidden, hidden, batch_first=True)
        self.out = nn.Linear(hidden, channels)

    def forward(self, x):                               # [B, 32, 2]
        _, (h, _) = self.enc(x)                         # h: [1, B, 32]
        z = h[-1].unsqueeze(1).repeat(1, self.steps, 1)     # repeat the code: [B, 32, 32]
        y, _ = self.dec(z)                              # [B, 32, 32]
        return self.out(y)                              # [B, 32, 2]


def make_lstm_autoencoder():
    name = "lstm_autoencoder"
    seed_all(0)
    rng = np.random.default_rng(3)
    x_tr = windows(rng, 3000, False)
    calib = x_tr[:256].copy()
    x_te, y_te = mixed_test_set(rng, windows, 200, 200)
    model = LSTMAE()
    train_autoencoder(model, x_tr, epochs=40, lr=5e-3)
    am = anomaly_metrics(model, x_tr, x_te, y_te)
    print(f"[{name}] AUC {am['test_auc_reconstruction_mse']:.4f}")
    save_data(name, test_x=x_te, test_y=y_te, calib_x=calib)
    am.update({"num_test_normal": 200, "num_test_faulty": 200, "num_calib": len(calib),
               "num_train_normal": len(x_tr)})
    export_and_check(name, model, x_te, opset=17, fold=True, extra_metrics=am)


MODELS = {
    "lstm_classifier": make_lstm_classifier,
    "dense_autoencoder": make_dense_autoencoder,
    "kron_lstm": make_kron_lstm,
    "lstm_autoencoder": make_lstm_autoencoder,
}


def main(argv):
    names = argv or list(MODELS)
    for n in names:
        if n not in MODELS:
            sys.exit(f"unknown model {n!r}; choose from {', '.join(MODELS)}")
    for n in names:
        t0 = time.time()
        MODELS[n]()
        print(f"[{n}] done in {time.time() - t0:.1f} s")


if __name__ == "__main__":
    main(sys.argv[1:])
