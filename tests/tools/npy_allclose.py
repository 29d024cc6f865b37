#!/usr/bin/python3
"""npy_allclose.py GOT.npy EXPECTED.npy [ATOL] [RTOL]: exit 0 when the arrays
have the same shape and agree within atol + rtol*|expected| (defaults 1e-5, 0)."""
import sys

import numpy as np

got, expected = np.load(sys.argv[1]), np.load(sys.argv[2])
atol = float(sys.argv[3]) if len(sys.argv) > 3 else 1e-5
rtol = float(sys.argv[4]) if len(sys.argv) > 4 else 0.0
if got.shape != expected.shape:
    sys.exit(f"shape {got.shape} != expected {expected.shape}")
err = float(np.max(np.abs(got.astype(np.float64) - expected))) if got.size else 0.0
print(f"max abs error {err:.3g} over {got.size} values")
if not np.allclose(got, expected, atol=atol, rtol=rtol):
    sys.exit(f"outside atol {atol} / rtol {rtol}")
