#!/usr/bin/python3
"""Writes the wake-up gate's calibration sets for the CLI tests (tests/cli,
`compile --gate` on tiny_gemm.onnx, input [1, 4]) into OUTDIR: good sets and
the bad ones each test refuses. Deterministic; needs python3-numpy."""
import os
import sys

import numpy as np


def main():
    out = sys.argv[1]
    os.makedirs(out, exist_ok=True)
    rng = np.random.default_rng(0)
    save = lambda name, a: np.save(os.path.join(out, name), a)
    save("gate_relevant.npy", rng.normal(0, 1.0, (32, 4)).astype(np.float32))
    save("gate_idle.npy", rng.normal(0, 0.05, (32, 4)).astype(np.float32))
    save("gate_wrong_shape.npy", rng.normal(0, 1.0, (10, 5)).astype(np.float32))
    save("gate_empty.npy", np.zeros((0, 4), np.float32))
    nan = rng.normal(0, 1.0, (8, 4)).astype(np.float32)
    nan[3, 1] = np.nan
    save("gate_nan.npy", nan)
    save("gate_int.npy", np.ones((8, 4), np.int64))


if __name__ == "__main__":
    main()
