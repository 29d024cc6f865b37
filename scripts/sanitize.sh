#!/bin/sh
# The sanitizer job: the tool and the tests built with
# -fsanitize=address,undefined (scripts/build_check.sh, ${CHECK_BUILD_DIR:-build-check},
# shared with the fuzzers) running the unit, CLI, hostile-input and
# end-to-end tests. The host builds of generated C in the e2e tests get the
# same sanitizers (TML_HOST_CFLAGS). Any report fails the test that hit it.
#
# Left out (they run in the normal build), to keep .ci/run within its time:
#   - the ONNX conformance cases (not built here) and the firmware-project
#     builds: cross-compilation, the tool's part is in the e2e tests;
#   - runtime.conversion_warnings, runtime_arm_cortex_m4_compile: compiler
#     warnings, no host code runs;
#   - ElfFileTest.TruncatedAndByteFlippedFilesFailCleanly: 2,000 mutants,
#     where the ELF fuzzer runs millions;
#   - S8DspBitExactTest.*: seconds each of arm-none-eabi-gcc builds of the int8
#     kernels and their runs in Unicorn, neither of which is sanitized; the host
#     code they go through (BuildFirmware, M4Runner's symbol reads and writes)
#     runs here in the other emulator tests and the e2e tests;
#   - the end-to-end runs of the three LSTM examples (float and int8 verify,
#     their host-vs-emulator, gates, report schema, fine-tuning): the slowest
#     tests under ASan (15-160 s each). Their code paths run here on smaller
#     models: dense_autoencoder, gru/rnn_digits, the int8 table MLP, the
#     doped int8 Kronecker LSTM, per-gate/GRU/RNN/FC Kronecker, and the host
#     builds of all three examples (e2e.step.*). Likewise the wake-up gate
#     runs (200 lstm_autoencoder windows each; the gate's C and calibration
#     run here in GateEmitterTest / WakeGateCalibrationTest), the int8 API
#     checks on the LSTM examples (gru/rnn_digits stay), the char LM's
#     fine-tune + int8 run and its host-vs-emulator check (a test whose
#     fixture is left out must be left out too; its float verify stays; so is
#     e2e.int8.lstm_paths_linked, a grep of the int8 lstm_classifier's tml_config.h) and the Chromium check of
#     the HTML page (a browser, not our code; the page is rendered here by
#     HtmlReportTest).
# SANITIZE_EXCLUDE replaces that list (a ctest -E regex); SANITIZE_EXCLUDE='^$' runs everything.
set -eu
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
BUILD_DIR="${CHECK_BUILD_DIR:-$ROOT/build-check}"
LSTM='(lstm_classifier|kron_lstm|lstm_autoencoder)'
EXCLUDE="^firmware_project\.|^runtime\.conversion_warnings$|^runtime_arm_cortex_m4_compile$"
EXCLUDE="$EXCLUDE|^ElfFileTest\.TruncatedAndByteFlippedFilesFailCleanly$|^S8DspBitExactTest\."
EXCLUDE="$EXCLUDE|^e2e\.(int8\.)?verify\.$LSTM$|^e2e\.int8\.host_emu\.$LSTM$|^e2e\.int8\.lstm_paths_linked$"
EXCLUDE="$EXCLUDE|^e2e\.(finetune_verify\..*|gate_accuracy_drop|recorded_options_reproduce|report_schema|save_outputs)$"
EXCLUDE="$EXCLUDE|^e2e\.html_report_chromium$|^e2e\.wake_gate\.|^e2e\.int8_api\.$LSTM$|^e2e\.(char_lm\.compress_int8|int8\.host_emu\.char_lm)$"
"$ROOT/scripts/build_check.sh"
# Leaks are not checked: libprotobuf keeps its descriptors for the process lifetime.
export ASAN_OPTIONS="detect_leaks=0:abort_on_error=0:halt_on_error=1"
export UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1"
export TML_HOST_CFLAGS="-fsanitize=address,undefined -fno-sanitize-recover=undefined -fno-omit-frame-pointer"
ctest --test-dir "$BUILD_DIR" -j "$(nproc)" --output-on-failure --timeout 900 \
  -E "${SANITIZE_EXCLUDE:-$EXCLUDE}"
