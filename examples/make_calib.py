#!/usr/bin/python3
"""Write larger unlabeled calibration sets for fine-tuning (bench_finetune_time,
compile --finetune), without retraining the models:

    examples/lstm_classifier/calib_large_x.npy
    examples/lstm_autoencoder/calib_large_x.npy

Usage (from the repository root; needs Debian's python3-sklearn, python3-numpy and, for the
autoencoder's signal generator imported from train.py, python3-torch):

    /usr/bin/python3 examples/make_calib.py [--shifts]

lstm_classifier:
The samples are the digits training split of examples/train.py (same preprocessing: pixels / 16,
each 8x8 image read as 8 time steps of 8 features; same stratified split, so the 360 test images
of test_x.npy are never included), in a fixed shuffled order. With --shifts every training image
is also added shifted by one pixel up, down, left and right (zero fill), 5x as many samples.

lstm_autoencoder: the 3,000 normal training windows of train.py (np.random.default_rng(3), drawn
before the test windows, so disjoint from test_x.npy; the first 256 are calib_x.npy).

Deterministic: no randomness besides the fixed seeds below.
"""
import os
import sys

import numpy as np
from sklearn.datasets import load_digits
from sklearn.model_selection import train_test_split

HERE = os.path.dirname(os.path.abspath(__file__))


def digits_split():
    # Identical to digits_data() in train.py.
    d = load_digits()
    x = np.ascontiguousarray(d.images / 16.0, dtype=np.float32)
    y = d.target.astype(np.int64)
    x_tr, x_te, y_tr, y_te = train_test_split(x, y, test_size=360, stratify=y, random_state=0)
    return x_tr, y_tr, x_te, y_te


def shifted(x, dr, dc):
    out = np.zeros_like(x)
    rs, rd = (slice(0, 8 - dr), slice(dr, 8)) if dr >= 0 else (slice(-dr, 8), slice(0, 8 + dr))
    cs, cd = (slice(0, 8 - dc), slice(dc, 8)) if dc >= 0 else (slice(-dc, 8), slice(0, 8 + dc))
    out[:, rd, cd] = x[:, rs, cs]
    return out


def main():
    shifts = "--shifts" in sys.argv[1:]
    x_tr, _, x_te, _, = digits_split()
    test_x = np.load(os.path.join(HERE, "lstm_classifier", "test_x.npy"))
    assert np.array_equal(test_x, x_te), "split differs from the one test_x.npy was made with"
    parts = [x_tr]
    if shifts:
        parts += [shifted(x_tr, dr, dc) for dr, dc in ((-1, 0), (1, 0), (0, -1), (0, 1))]
    calib = np.concatenate(parts)
    calib = calib[np.random.default_rng(2).permutation(len(calib))]
    calib = np.ascontiguousarray(calib, dtype=np.float32)
    # Disjoint from the test set (no test image appears among the unshifted samples).
    test_keys = {t.tobytes() for t in x_te}
    assert not any(c.tobytes() in test_keys for c in x_tr)
    path = os.path.join(HERE, "lstm_classifier", "calib_large_x.npy")
    np.save(path, calib)
    print(f"wrote {path}: {calib.shape} float32")

    sys.path.insert(0, HERE)
    import train  # noqa: E402  (the signal generator; trains nothing on import)
    x_tr = train.windows(np.random.default_rng(3), 3000, False)
    small = np.load(os.path.join(HERE, "lstm_autoencoder", "calib_x.npy"))
    assert np.array_equal(small, x_tr[:256]), "generator differs from the one calib_x.npy was made with"
    path = os.path.join(HERE, "lstm_autoencoder", "calib_large_x.npy")
    np.save(path, np.ascontiguousarray(x_tr, dtype=np.float32))
    print(f"wrote {path}: {x_tr.shape} float32")


if __name__ == "__main__":
    main()
