#!/bin/sh
# Issue 14 targets, measured end to end: the whole-model budget (--compress N)
# with fine-tuning (and int8) on the MLPerf-shaped dense autoencoder, the
# digit LSTM and the character LM (20,000 calibration windows of its training
# text, examples/char_lm/make_calib.py), compiled and verified in the emulated
# Cortex-M4. Prints per run the achieved compression, the firmware's metric
# beside the float original's, and the wall time of the whole command.
#
#   bench/compression_targets.sh [BUILD_DIR]   (default build/; from the repository root)
#
# Takes about an hour on 2 cores (fine-tuning dominates; each LM run is
# bounded by the fine-tuning budget, see --finetune-samples).
set -e
BUILD=${1:-build}
TOOL="$BUILD/compiler/tinyml-compile"
[ -x "$TOOL" ] || TOOL="$BUILD/tinyml-compile"
[ -x "$TOOL" ] || { echo "no tinyml-compile under $BUILD" >&2; exit 2; }
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT

run() {  # label, model dir, calib file, extra flags...
  label=$1 dir=$2 calib=$3
  shift 3
  start=$(date +%s.%N)
  status=0
  "$TOOL" compile "$dir/model.onnx" -o "$WORK/out" --force --calib "$calib" \
    --verify --test-data "$dir/test_x.npy" --test-labels "$dir/test_y.npy" "$@" \
    >"$WORK/log" 2>&1 || status=$?
  end=$(date +%s.%N)
  echo "== $label: $*"
  grep -E "^total: |perplexity on the test|recurrent weights \(W, R\)|weights [0-9]+ bytes|AUC|accuracy|collapse|verification" "$WORK/log" |
    grep -v "^finetune: epoch" | sed 's/^/   /'
  echo "   exit $status, wall $(echo "$end - $start" | bc) s"
}

AE=examples/mlperf_autoencoder
LSTM=examples/lstm_classifier
run "dense AE float" $AE $AE/calib_x.npy --anomaly --flash-kb 2048
run "dense AE --compress 8" $AE $AE/calib_x.npy --anomaly --kronecker auto --compress 8 --finetune 30
run "dense AE --compress 8 int8" $AE $AE/calib_x.npy --anomaly --kronecker auto --compress 8 --finetune 30 --quantize int8
run "digit LSTM --compress 100 int8" $LSTM $LSTM/calib_large_x.npy --kronecker auto --compress 100 --finetune 60 --quantize int8

LM=examples/char_lm
/usr/bin/python3 $LM/make_calib.py 20000 "$WORK/lm_calib.npy"
for c in 10 25; do
  run "char LM --compress $c" $LM "$WORK/lm_calib.npy" --flash-kb 2048 --kronecker auto --compress $c --finetune 30
  run "char LM --compress $c int8" $LM "$WORK/lm_calib.npy" --flash-kb 2048 --kronecker auto --compress $c --finetune 30 --quantize int8
done
