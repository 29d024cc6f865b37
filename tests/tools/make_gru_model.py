#!/usr/bin/python3
"""Writes tests/e2e/gru_digits/ and tests/e2e/rnn_digits/ (checked in; rerun only to
change the models): small PyTorch GRU / RNN classifiers exported to ONNX, for the int8
GRU and RNN end-to-end tests, and tests/e2e/gru_only/ and tests/e2e/rnn_only/ (a bare
untrained GRU / tanh RNN, model.onnx and calib_x.npy). Arguments: the folders to write
(default all of them).

sklearn's 8x8 digits as sequences (8 time steps of 8 features), GRU or tanh RNN
(8 -> 16, batch_first) -> last h -> Linear(16 -> 10), trained briefly; PyTorch exports
the GRU with linear_before_reset = 1. Files in each: model.onnx (opset 13, batch 1), calib_x.npy (128
training samples), test_x.npy / test_y.npy (120 test samples). Needs Debian's
python3-torch, python3-onnx, python3-sklearn. Deterministic (seeded, one thread)."""
import os
import sys

import numpy as np
import torch
import torch.nn as nn
from sklearn.datasets import load_digits
from sklearn.model_selection import train_test_split

E2E = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "e2e")


class Classifier(nn.Module):
    def __init__(self, cell):
        super().__init__()
        self.gru = cell(8, 16, batch_first=True)
        self.fc = nn.Linear(16, 10)

    def forward(self, x):
        y, _ = self.gru(x)
        return self.fc(y[:, -1, :])


def make(name, cell):
    torch.manual_seed(0)
    d = load_digits()
    x = (d.images / 16.0).astype(np.float32)
    y = d.target.astype(np.int64)
    x_tr, x_te, y_tr, y_te = train_test_split(x, y, test_size=120, stratify=y, random_state=0)
    model = Classifier(cell)
    opt = torch.optim.Adam(model.parameters(), lr=0.01)
    xt, yt = torch.from_numpy(x_tr), torch.from_numpy(y_tr)
    for epoch in range(15):
        perm = torch.randperm(len(xt))
        for k in range(0, len(xt), 32):
            idx = perm[k:k + 32]
            opt.zero_grad()
            nn.functional.cross_entropy(model(xt[idx]), yt[idx]).backward()
            opt.step()
    model.eval()
    with torch.no_grad():
        acc = (model(torch.from_numpy(x_te)).argmax(1).numpy() == y_te).mean()
    OUT = os.path.join(E2E, name)
    print(f"{name}: float test accuracy {acc:.4f}")
    os.makedirs(OUT, exist_ok=True)
    torch.onnx.export(model, torch.from_numpy(x_te[:1]), os.path.join(OUT, "model.onnx"),
                      opset_version=13, input_names=["input"], output_names=["output"])
    rng = np.random.default_rng(1)
    np.save(os.path.join(OUT, "calib_x.npy"), x_tr[rng.choice(len(x_tr), 128, replace=False)])
    np.save(os.path.join(OUT, "test_x.npy"), x_te)
    np.save(os.path.join(OUT, "test_y.npy"), y_te)


class RecurrentOnly(nn.Module):
    """The recurrent layer's output sequence alone (no head), untrained: for the int8 GRU
    and RNN steps on Kronecker-compressed weights."""

    def __init__(self, cell):
        super().__init__()
        self.gru = cell(8, 16, batch_first=True)

    def forward(self, x):
        return self.gru(x)[0]


def make_only(name, cell):
    torch.manual_seed(0)
    out = os.path.join(E2E, name)
    os.makedirs(out, exist_ok=True)
    x = (load_digits().images[:32] / 16.0).astype(np.float32)
    torch.onnx.export(RecurrentOnly(cell).eval(), torch.from_numpy(x[:1]),
                      os.path.join(out, "model.onnx"), opset_version=13,
                      input_names=["input"], output_names=["output"])
    np.save(os.path.join(out, "calib_x.npy"), x)


def main():
    torch.set_num_threads(1)
    jobs = {"gru_digits": lambda: make("gru_digits", nn.GRU),
            "rnn_digits": lambda: make("rnn_digits", nn.RNN),
            "gru_only": lambda: make_only("gru_only", nn.GRU),
            "rnn_only": lambda: make_only("rnn_only", nn.RNN)}
    for name in sys.argv[1:] or list(jobs):
        jobs[name]()


if __name__ == "__main__":
    main()
