#!/bin/sh
# The --html report in headless Chromium (tests/tools/check_html_report.py): a
# classifier (gates, confusion matrices, per-layer table) and a compressed,
# fine-tuned anomaly detector (ROC curves, score histograms, loss curve,
# compression per layer; at 4x it misses its AUC and recall gates, exit 1, so
# the page shows failed gates); screenshots taken, no console message, every figure
# shown equals the JSON report of the same run. Then the checker must catch a
# page whose byte count was changed and a page that loads from the network.
# Usage: html_report_chromium.sh TOOL EXAMPLES INT8_CLASSIFIER_DIR WORK PYTHON CHECKER
set -e
T=$1 EX=$2 CLF=$3 W=$4 PY=$5 CHECK=$6
"$T" verify "$CLF" --test-data "$EX/lstm_classifier/test_x.npy" --test-labels "$EX/lstm_classifier/test_y.npy" \
  --report "$W/html_clf.json" --html "$W/html_clf.html" >/dev/null
"$T" compile "$EX/dense_autoencoder/model.onnx" -o "$W/html_ae" --force --kronecker auto --compress 4 \
  --finetune 2 --calib "$EX/dense_autoencoder/calib_x.npy" --anomaly --verify \
  --test-data "$EX/dense_autoencoder/test_x.npy" --test-labels "$EX/dense_autoencoder/test_y.npy" \
  --report "$W/html_ae.json" --html "$W/html_ae.html" >/dev/null 2>&1 || [ $? = 1 ]
"$PY" "$CHECK" "$W/html_clf.html" "$W/html_clf.json" --screenshot "$W/html_clf.png"
"$PY" "$CHECK" "$W/html_ae.html" "$W/html_ae.json" --screenshot "$W/html_ae.png"
for key in confusion_matrix roc score_histogram; do
  grep -q "\"$key\"" "$W/html_clf.json" "$W/html_ae.json" || { echo "no $key in the reports"; exit 1; }
done
grep -q 'data-loss=' "$W/html_ae.html" || { echo "no loss curve on the page"; exit 1; }
# A changed figure: the first layer's bytes after compression shown one higher.
"$PY" - "$W/html_ae.html" "$W/html_bad_value.html" <<'PYEOF'
import re, sys
page = open(sys.argv[1]).read()
m = re.search(r'data-field="weight_bytes_after" data-value="([0-9]+)">([0-9,]+)<', page)
bad = int(m.group(1)) + 1
page = page[:m.start()] + f'data-field="weight_bytes_after" data-value="{bad}">{bad:,}<' + page[m.end():]
open(sys.argv[2], "w").write(page)
PYEOF
if "$PY" "$CHECK" "$W/html_bad_value.html" "$W/html_ae.json" >"$W/html_bad_value.log"; then
  echo "the checker missed a changed byte count"; exit 1
fi
grep -q "weight_bytes_after: page" "$W/html_bad_value.log"
# A page that asks the network for something: its CSP refuses, the console says so.
sed 's|</body>|<img src="http://example.invalid/x.png"></body>|' "$W/html_ae.html" >"$W/html_bad_net.html"
if "$PY" "$CHECK" "$W/html_bad_net.html" "$W/html_ae.json" >"$W/html_bad_net.log"; then
  echo "the checker missed a network load"; exit 1
fi
grep -q "console:" "$W/html_bad_net.log"
echo "html reports checked in chromium"
