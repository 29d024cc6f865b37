#!/usr/bin/python3
"""Train and export the character language models of tinyml-compile.

Usage (from the repository root; needs Debian's python3-torch, python3-numpy, python3-onnx):

    /usr/bin/python3 examples/char_lm/train_char_lm.py          # both models
    /usr/bin/python3 examples/char_lm/train_char_lm.py small    # only the test-sized one

Corpus: the CPython 3.11 changelog that Debian's python3.11 package installs
(/usr/share/doc/python3.11/NEWS.gz, ~1.4 MB of English prose about code); its SHA-256 is
recorded in metrics.json. Characters are lowercased and mapped onto a 50-symbol vocabulary
(VOCAB below; anything else becomes '~'). The first 85 % of the text trains, the rest is the
held-out test and calibration text.

Model: nn.Embedding(50, E) -> nn.LSTM(E, H, num_layers=2, batch_first=True) -> nn.Linear(H, 50),
per-position logits, exported by torch.onnx.export (opset 13, PyTorch's own shape plumbing,
static batch 1 and sequence length T). Input 'chars' int64 [1, T]; output 'logits' [1, T, 50].

    examples/char_lm/          full model: E 32, H 160 (2 x LSTM(160)), T 32
    tests/e2e/char_lm_small/   test model: E 8,  H 16,  T 8 (trained briefly)

Files in each: model.onnx, test_x.npy int64 [N, T] (windows of the held-out text),
test_y.npy int64 [N, T] (the next character of each position), calib_x.npy int64 [M, T]
(held-out windows for calibration / fine-tuning), torch_out.npy float32 [N, T, 50],
metrics.json (perplexity of the test windows, training settings). Deterministic: fixed seeds,
one thread.
"""
import gzip
import hashlib
import json
import math
import os
import sys

import numpy as np
import onnx
import torch
import torch.nn as nn

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.normpath(os.path.join(HERE, "..", ".."))
CORPUS = "/usr/share/doc/python3.11/NEWS.gz"
VOCAB = "\n abcdefghijklmnopqrstuvwxyz0123456789.,:;-_()'`/~"

sys.stdout.reconfigure(line_buffering=True)
torch.set_num_threads(1)
torch.use_deterministic_algorithms(True)

CONFIGS = {
    # name: out dir, embedding, hidden, exported and training window, training steps, batch,
    # learning rate, test windows, calibration windows (the full model's training was kept
    # short: 400 steps take ~2 CPU minutes)
    "full": dict(out=HERE, emb=32, hidden=160, seq=32, train_seq=32, steps=400, batch=24, lr=5e-3,
                 n_test=64, n_calib=512),
    "small": dict(out=os.path.join(ROOT, "tests", "e2e", "char_lm_small"), emb=8, hidden=16,
                  seq=8, train_seq=64, steps=600, batch=32, lr=1e-2, n_test=24, n_calib=64),
}


class CharLM(nn.Module):
    def __init__(self, vocab, emb, hidden):
        super().__init__()
        self.embed = nn.Embedding(vocab, emb)
        self.lstm = nn.LSTM(emb, hidden, num_layers=2, batch_first=True)
        self.head = nn.Linear(hidden, vocab)

    def forward(self, chars):
        y, _ = self.lstm(self.embed(chars))
        return self.head(y)


def load_corpus():
    raw = open(CORPUS, "rb").read()
    text = gzip.decompress(raw).decode("utf-8", errors="replace").lower()
    index = {c: i for i, c in enumerate(VOCAB)}
    unknown = index["~"]
    ids = np.array([index.get(c, unknown) for c in text], dtype=np.int64)
    return ids, hashlib.sha256(raw).hexdigest()


def windows(ids, count, seq, rng):
    starts = rng.choice(len(ids) - seq - 1, count, replace=False)
    x = np.stack([ids[s:s + seq] for s in starts])
    y = np.stack([ids[s + 1:s + seq + 1] for s in starts])
    return x.astype(np.int64), y.astype(np.int64)


def perplexity(model, x, y):
    with torch.no_grad():
        logits = model(torch.from_numpy(x))
        ce = nn.functional.cross_entropy(logits.reshape(-1, logits.shape[-1]),
                                         torch.from_numpy(y).reshape(-1))
    return float(math.exp(float(ce))), float(ce)


def train(name, cfg, ids, digest):
    torch.manual_seed(0)
    rng = np.random.default_rng(0)
    split = int(len(ids) * 0.85)
    train_ids, held_ids = ids[:split], ids[split:]
    model = CharLM(len(VOCAB), cfg["emb"], cfg["hidden"])
    opt = torch.optim.Adam(model.parameters(), lr=cfg["lr"])
    sched = torch.optim.lr_scheduler.CosineAnnealingLR(opt, cfg["steps"])
    # Training windows may be longer than the exported ones so that the state carries context.
    train_seq = cfg["train_seq"]
    for step in range(cfg["steps"]):
        x, y = windows(train_ids, cfg["batch"], train_seq, rng)
        logits = model(torch.from_numpy(x))
        loss = nn.functional.cross_entropy(logits.reshape(-1, len(VOCAB)),
                                           torch.from_numpy(y).reshape(-1))
        opt.zero_grad()
        loss.backward()
        nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        opt.step()
        sched.step()
        if step % 100 == 0 or step == cfg["steps"] - 1:
            print(f"[{name}] step {step} loss {float(loss):.3f}")
    model.eval()
    held_rng = np.random.default_rng(1)
    test_x, test_y = windows(held_ids, cfg["n_test"], cfg["seq"], held_rng)
    calib_x, _ = windows(held_ids, cfg["n_calib"], cfg["seq"], held_rng)
    return model, test_x, test_y, calib_x


def export(name, cfg, model, test_x, test_y, calib_x, digest):
    out = cfg["out"]
    os.makedirs(out, exist_ok=True)
    path = os.path.join(out, "model.onnx")
    example = torch.from_numpy(test_x[:1])
    torch.onnx.export(model, (example,), path, opset_version=13, input_names=["chars"],
                      output_names=["logits"])
    m = onnx.load(path)
    onnx.checker.check_model(m, full_check=True)
    with torch.no_grad():
        torch_out = np.concatenate(
            [model(torch.from_numpy(test_x[i:i + 1])).numpy() for i in range(len(test_x))])
    np.save(os.path.join(out, "test_x.npy"), test_x)
    np.save(os.path.join(out, "test_y.npy"), test_y)
    np.save(os.path.join(out, "calib_x.npy"), calib_x)
    np.save(os.path.join(out, "torch_out.npy"), torch_out.astype(np.float32))
    ppl, ce = perplexity(model, test_x, test_y)
    ops = {}
    for n in m.graph.node:
        ops[n.op_type] = ops.get(n.op_type, 0) + 1
    metrics = {
        "model": "char_lm" if name == "full" else "char_lm_small",
        "corpus": CORPUS,
        "corpus_gz_sha256": digest,
        "vocab": VOCAB,
        "embedding": cfg["emb"],
        "hidden": cfg["hidden"],
        "layers": 2,
        "seq_len": cfg["seq"],
        "training_steps": cfg["steps"],
        "test_windows": int(len(test_x)),
        "calib_windows": int(len(calib_x)),
        "test_perplexity": ppl,
        "test_cross_entropy_nats": ce,
        "opset": 13,
        "ops": dict(sorted(ops.items())),
        "initializer_params": int(sum(np.prod(t.dims) for t in m.graph.initializer)),
        "torch_version": torch.__version__,
        "onnx_version": onnx.__version__,
    }
    with open(os.path.join(out, "metrics.json"), "w") as f:
        json.dump(metrics, f, indent=2)
        f.write("\n")
    print(f"[{name}] test perplexity {ppl:.3f} (cross-entropy {ce:.4f} nats), written to {out}")


def main(argv):
    names = argv[1:] or ["small", "full"]
    ids, digest = load_corpus()
    for name in names:
        cfg = CONFIGS[name]
        model, test_x, test_y, calib_x = train(name, cfg, ids, digest)
        export(name, cfg, model, test_x, test_y, calib_x, digest)


if __name__ == "__main__":
    main(sys.argv)
