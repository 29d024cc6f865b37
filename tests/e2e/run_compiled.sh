#!/bin/sh
# run --compiled OUTDIR (compiler/driver/run_compiled.h):
#  - an uncompressed float build: its IR is the original, so the outputs equal
#    `run MODEL` bit for bit;
#  - a compressed float build (Kronecker + doping + fine-tuning): the compressed
#    IR on the reference interpreter equals the emulated firmware's outputs
#    (verify --save-outputs) within 1e-4 (float sums in another order), while it
#    differs from the original model;
#  - a model file changed since the compile is refused (exit 2, one line).
# Usage: run_compiled.sh TOOL EXAMPLES WORK PYTHON ALLCLOSE
set -e
T=$1 EX=$2 W=$3 PY=$4 CLOSE=$5
AE=$EX/dense_autoencoder
"$T" compile "$AE/model.onnx" -o "$W/rc_float" --force >/dev/null
"$T" run "$AE/model.onnx" --input "$AE/test_x.npy" --output "$W/rc_original.npy" 2>/dev/null
"$T" run --compiled "$W/rc_float" --input "$AE/test_x.npy" --output "$W/rc_float_ir.npy" 2>/dev/null
"$PY" "$CLOSE" "$W/rc_float_ir.npy" "$W/rc_original.npy" 0
"$T" compile "$AE/model.onnx" -o "$W/rc_kron" --force --kronecker auto --compress 4 --dope 0.01 \
  --finetune 2 --calib "$AE/calib_x.npy" >/dev/null 2>&1
"$T" verify "$W/rc_kron" --test-data "$AE/test_x.npy" --save-outputs "$W/rc_kron_fw.npy" >/dev/null
"$T" run --compiled "$W/rc_kron" --input "$AE/test_x.npy" --output "$W/rc_kron_ir.npy" 2>/dev/null
"$PY" "$CLOSE" "$W/rc_kron_ir.npy" "$W/rc_kron_fw.npy" 1e-4
if "$PY" "$CLOSE" "$W/rc_kron_ir.npy" "$W/rc_original.npy" 1e-3 >/dev/null 2>&1; then
  echo "the compressed IR gives the original's outputs: --compiled did not run the compressed model"; exit 1
fi
# The model file changed since the compile: exit 2, one line naming it.
cp "$AE/model.onnx" "$W/rc_model.onnx"
"$T" compile "$W/rc_model.onnx" -o "$W/rc_changed" --force >/dev/null
printf 'x' >>"$W/rc_model.onnx"
set +e
"$T" run --compiled "$W/rc_changed" --input "$AE/test_x.npy" >/dev/null 2>"$W/rc_changed.err"
code=$?
set -e
[ "$code" = 2 ] || { echo "changed model: exit $code, expected 2"; exit 1; }
[ "$(wc -l <"$W/rc_changed.err")" = 1 ] && grep -q "rc_model.onnx: the model changed since" "$W/rc_changed.err"
echo "run --compiled equals the original (float build) and the firmware (compressed build)"
