#!/bin/sh
# The main job on the bundled example: builds tinyml-compile (installing what
# is missing), inspects the LSTM classifier, runs the float reference on its
# test data (checked against PyTorch's outputs), then compiles it to Cortex-M4
# firmware sources and verifies them in the emulator (--verify: errors against
# the reference, accuracy, instructions/cycles per inference, flash and RAM).
set -eu
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
BUILD_DIR="${BUILD_DIR:-$ROOT/build}"
"$ROOT/scripts/build.sh"
TOOL="$BUILD_DIR/compiler/tinyml-compile"
EXAMPLE="$ROOT/examples/lstm_classifier"
OUT="$BUILD_DIR/example-out"
mkdir -p "$OUT"
echo "== tinyml-compile inspect examples/lstm_classifier/model.onnx"
"$TOOL" inspect "$EXAMPLE/model.onnx"
echo
echo "== tinyml-compile run (float reference) on examples/lstm_classifier/test_x.npy"
"$TOOL" run "$EXAMPLE/model.onnx" --input "$EXAMPLE/test_x.npy" --output "$OUT/lstm_classifier_out.npy"
/usr/bin/python3 - "$OUT/lstm_classifier_out.npy" "$EXAMPLE/torch_out.npy" "$EXAMPLE/test_y.npy" <<'PY'
import sys
import numpy as np
got, torch_out, labels = (np.load(p) for p in sys.argv[1:4])
got = got.reshape(torch_out.shape)
print(f"max abs difference to PyTorch: {np.max(np.abs(got - torch_out)):.2e} over {got.size} values")
print(f"accuracy on {len(labels)} test digits: {np.mean(got.argmax(-1).reshape(-1) == labels) * 100:.2f}%")
PY
echo
echo "== tinyml-compile compile examples/lstm_classifier/model.onnx -o $OUT/lstm_classifier --verify"
"$TOOL" compile "$EXAMPLE/model.onnx" -o "$OUT/lstm_classifier" --name lstm_classifier --force \
  --verify --test-data "$EXAMPLE/test_x.npy" --test-labels "$EXAMPLE/test_y.npy"
